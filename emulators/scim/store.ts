// The SCIM server's own directory, in SQLite: users and groups as documents plus the columns the
// server filters, pages and enforces uniqueness on; memberships as rows so a big group stays cheap.

import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';

/** A stored user or group, in the SCIM shape minus what the server computes (id, meta, groups, members). */
export type ScimDoc = Record<string, unknown>;

export interface StoredResource {
  id: string;
  doc: ScimDoc;
  created: number;
  modified: number;
  version: number;
}

export interface StoredMember {
  value: string;
  display?: string;
  type: 'User' | 'Group';
}

export type Kind = 'users' | 'groups';

/** Indexed columns a simple filter can be answered from (names as SCIM spells them). */
const COLUMNS: Record<Kind, Record<string, string>> = {
  users: { id: 'id', userName: 'user_name', externalId: 'external_id', displayName: 'display_name' },
  groups: { id: 'id', displayName: 'display_name', externalId: 'external_id' },
};

export interface Condition {
  attr: string;
  op: 'eq' | 'gt' | 'ge' | 'lt' | 'le';
  value: string | number;
}

export class UniquenessError extends Error {}

export class ScimStore {
  readonly db: Database.Database;
  private clock = 0;

  constructor(path = ':memory:') {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS users (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        user_name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        external_id TEXT,
        display_name TEXT,
        doc TEXT NOT NULL,
        created INTEGER NOT NULL,
        modified INTEGER NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS users_external_id ON users(external_id);
      CREATE INDEX IF NOT EXISTS users_modified ON users(modified);
      CREATE TABLE IF NOT EXISTS groups (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        external_id TEXT,
        doc TEXT NOT NULL,
        created INTEGER NOT NULL,
        modified INTEGER NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS groups_display_name ON groups(display_name);
      CREATE INDEX IF NOT EXISTS groups_modified ON groups(modified);
      CREATE TABLE IF NOT EXISTS members (
        group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        member_id TEXT NOT NULL,
        member_type TEXT NOT NULL,
        PRIMARY KEY (group_id, member_id)
      );
      CREATE INDEX IF NOT EXISTS members_member ON members(member_id);
    `);
  }

  /** Strictly increasing, so two writes within one millisecond still order by lastModified. */
  private now(): number {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return this.clock;
  }

  get(kind: Kind, id: string): StoredResource | undefined {
    const row = this.db.prepare(`SELECT id, doc, created, modified, version FROM ${kind} WHERE id = ?`).get(id) as Row | undefined;
    return row && fromRow(row);
  }

  userByName(userName: string): StoredResource | undefined {
    const row = this.db.prepare('SELECT id, doc, created, modified, version FROM users WHERE user_name = ?').get(userName) as Row | undefined;
    return row && fromRow(row);
  }

  /** Conditions are and-ed; none = every resource. Ordered by creation so pages are stable. */
  query(kind: Kind, where: Condition[], page?: { offset: number; limit: number }): { total: number; items: StoredResource[] } {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    for (const c of where) {
      const column = c.attr === 'meta.lastModified' ? 'modified' : c.attr === 'meta.created' ? 'created' : COLUMNS[kind][c.attr];
      if (!column) throw new Error(`no column for ${c.attr}`);
      const sqlOp = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' }[c.op];
      // userName is caseExact false in RFC 7643 §4.1.1; the column's collation already says so.
      clauses.push(`${column} ${sqlOp} ?`);
      params.push(c.value);
    }
    const whereSql = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM ${kind} ${whereSql}`).get(...params) as { n: number }).n;
    const limitSql = page ? `LIMIT ${Math.max(0, page.limit)} OFFSET ${Math.max(0, page.offset)}` : '';
    const rows = this.db.prepare(`SELECT id, doc, created, modified, version FROM ${kind} ${whereSql} ORDER BY seq ${limitSql}`).all(...params) as Row[];
    return { total, items: rows.map(fromRow) };
  }

  filterable(kind: Kind, attr: string): boolean {
    return attr === 'meta.lastModified' || attr === 'meta.created' || attr in COLUMNS[kind];
  }

  /** Creates (no id) or replaces a user. A userName taken by another user is refused. */
  putUser(doc: ScimDoc, id?: string): StoredResource {
    const userName = String(doc.userName ?? '');
    const clash = this.userByName(userName);
    if (clash && clash.id !== id) throw new UniquenessError(`userName "${userName}" is already taken by user ${clash.id}`);
    const cols = { user_name: userName, external_id: str(doc.externalId), display_name: str(doc.displayName) };
    return this.write('users', doc, cols, id);
  }

  putGroup(doc: ScimDoc, members: StoredMember[], id?: string): StoredResource {
    const cols = { display_name: String(doc.displayName ?? ''), external_id: str(doc.externalId) };
    return this.db.transaction(() => {
      const stored = this.write('groups', doc, cols, id);
      this.setMembers(stored.id, members);
      return stored;
    })();
  }

  private write(kind: Kind, doc: ScimDoc, cols: Record<string, string | null>, id?: string): StoredResource {
    const now = this.now();
    const body = JSON.stringify(doc);
    if (id === undefined) {
      const newId = randomUUID();
      const names = Object.keys(cols);
      this.db
        .prepare(`INSERT INTO ${kind} (id, ${names.join(', ')}, doc, created, modified, version) VALUES (?, ${names.map(() => '?').join(', ')}, ?, ?, ?, 1)`)
        .run(newId, ...Object.values(cols), body, now, now);
      return { id: newId, doc, created: now, modified: now, version: 1 };
    }
    const sets = Object.keys(cols).map((c) => `${c} = ?`).join(', ');
    const info = this.db
      .prepare(`UPDATE ${kind} SET ${sets}, doc = ?, modified = ?, version = version + 1 WHERE id = ?`)
      .run(...Object.values(cols), body, now, id);
    if (info.changes === 0) throw new NotFoundError(`${kind === 'users' ? 'User' : 'Group'} ${id} not found`);
    return this.get(kind, id)!;
  }

  delete(kind: Kind, id: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM members WHERE member_id = ?').run(id);
      return this.db.prepare(`DELETE FROM ${kind} WHERE id = ?`).run(id).changes > 0;
    })();
  }

  members(groupId: string): StoredMember[] {
    const rows = this.db
      .prepare(
        `SELECT m.member_id AS value, m.member_type AS type, COALESCE(u.display_name, u.user_name, g.display_name) AS display
         FROM members m LEFT JOIN users u ON u.id = m.member_id LEFT JOIN groups g ON g.id = m.member_id
         WHERE m.group_id = ? ORDER BY m.rowid`,
      )
      .all(groupId) as { value: string; type: 'User' | 'Group'; display: string | null }[];
    return rows.map((r) => ({ value: r.value, type: r.type, ...(r.display != null ? { display: r.display } : {}) }));
  }

  groupsOf(memberId: string): { value: string; display: string }[] {
    return this.db
      .prepare('SELECT g.id AS value, g.display_name AS display FROM members m JOIN groups g ON g.id = m.group_id WHERE m.member_id = ? ORDER BY g.seq')
      .all(memberId) as { value: string; display: string }[];
  }

  /** Which of these ids exist, and as what. */
  memberTypes(ids: string[]): Map<string, 'User' | 'Group'> {
    const found = new Map<string, 'User' | 'Group'>();
    const user = this.db.prepare('SELECT 1 FROM users WHERE id = ?');
    const group = this.db.prepare('SELECT 1 FROM groups WHERE id = ?');
    for (const id of ids) {
      if (user.get(id)) found.set(id, 'User');
      else if (group.get(id)) found.set(id, 'Group');
    }
    return found;
  }

  private setMembers(groupId: string, members: StoredMember[]): void {
    const wanted = new Map(members.map((m) => [m.value, m.type]));
    const current = new Set((this.db.prepare('SELECT member_id FROM members WHERE group_id = ?').all(groupId) as { member_id: string }[]).map((r) => r.member_id));
    const del = this.db.prepare('DELETE FROM members WHERE group_id = ? AND member_id = ?');
    const ins = this.db.prepare('INSERT INTO members (group_id, member_id, member_type) VALUES (?, ?, ?)');
    for (const id of current) if (!wanted.has(id)) del.run(groupId, id);
    for (const [id, type] of wanted) if (!current.has(id)) ins.run(groupId, id, type);
  }

  counts(): { users: number; groups: number; memberships: number } {
    const n = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return { users: n('SELECT count(*) AS n FROM users'), groups: n('SELECT count(*) AS n FROM groups'), memberships: n('SELECT count(*) AS n FROM members') };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }
}

export class NotFoundError extends Error {}

interface Row {
  id: string;
  doc: string;
  created: number;
  modified: number;
  version: number;
}

function fromRow(r: Row): StoredResource {
  return { id: r.id, doc: JSON.parse(r.doc) as ScimDoc, created: r.created, modified: r.modified, version: r.version };
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
