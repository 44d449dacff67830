// `/users/delta` and `/groups/delta` over the tenant's change log. A round is fixed when it starts:
// "changes with seq in (from, end]". An initial round lists every live object (groups with all
// their members in `members@delta`); a later round lists each object changed in the window once,
// at its last change — live objects in full, soft-deleted ones as `@removed: {reason: "changed"}`,
// purged ones as `"deleted"` — and a group's net member changes (removals carry `@removed`). A
// group with more member changes than fit in one entry is repeated in later entries, possibly on
// later pages; only its first entry carries its properties. Everything is in the tokens.

import { badRequest, GraphError, unsupportedQuery } from './errors';
import { ODATA_TYPE, parseSelect, render, SelectError, type GroupObject, type Kind } from './model';
import type { Tenant } from './tenant';
import { decodeToken, encodeToken, link } from './tokens';

export type DeltaKind = 'user' | 'group';
export type DeltaExpiryCode = 'syncStateNotFound' | 'resyncRequired' | 'syncStateInvalid';

/** Shared, changeable settings of the delta engine. */
export interface DeltaSettings {
  pageSize: number;
  membersPerEntry: number;
  /** Tokens from an epoch below this are refused with `expiredCode`. */
  epoch: number;
  expiredCode: DeltaExpiryCode;
  maxAgeMs: number | undefined;
}

interface RoundCursor {
  r: DeltaKind;
  /** 'i' initial listing, 'c' changes since `f`. */
  ph: 'i' | 'c';
  f: number;
  e: number;
  /** initial: ordinal before the current object; changes: index into the log. */
  p: number;
  /** The object being continued and the member position within it. */
  cur: string | null;
  m: number | null;
  s: string[] | null;
  t: number;
  ep: number;
}

interface DeltaToken {
  r: DeltaKind;
  f: number;
  s: string[] | null;
  t: number;
  ep: number;
  ts: number;
}

export interface DeltaRequest {
  base: string;
  kind: DeltaKind;
  query: URLSearchParams;
  prefer: string | undefined;
  emptyPage: () => boolean;
}

const PATH: Record<DeltaKind, string> = { user: 'users/delta', group: 'groups/delta' };
const MESSAGES: Record<DeltaExpiryCode, string> = {
  syncStateNotFound: 'The sync state of this delta token was not found. Restart the synchronization with an initial delta request.',
  resyncRequired: 'Resync required. Replace any local cached data with a full synchronization using an initial delta request.',
  syncStateInvalid: 'The sync state of this delta token is invalid. Restart the synchronization with an initial delta request.',
};

export class DeltaEngine {
  constructor(private readonly tenant: Tenant, readonly settings: DeltaSettings) {}

  /** Makes every delta and skip token issued so far answer 410. */
  expireAll(code: DeltaExpiryCode): void {
    this.settings.epoch++;
    this.settings.expiredCode = code;
  }

  page(req: DeltaRequest): { body: Record<string, unknown>; headers: Record<string, string> } {
    const headers: Record<string, string> = {};
    for (const name of ['$filter', '$search', '$orderby', '$expand', '$count']) {
      if (req.query.has(name)) throw unsupportedQuery(`The query option ${name} is not supported by this emulator on ${PATH[req.kind]}.`);
    }
    const skip = req.query.get('$skiptoken');
    const deltaToken = req.query.get('$deltatoken');
    let c: RoundCursor;
    if (skip) {
      c = decodeToken<RoundCursor>(skip, '$skiptoken');
      if (c.r !== req.kind) throw badRequest('Invalid $skiptoken value.');
      this.checkEpoch(c.ep, req, c.s);
    } else if (deltaToken && deltaToken !== 'latest') {
      const d = decodeToken<DeltaToken>(deltaToken, '$deltatoken');
      if (d.r !== req.kind) throw badRequest('Invalid $deltatoken value.');
      this.checkEpoch(d.ep, req, d.s);
      if (this.settings.maxAgeMs !== undefined && Date.now() - d.ts > this.settings.maxAgeMs) throw this.expired(req, d.s, 'syncStateNotFound');
      c = { r: req.kind, ph: 'c', f: d.f, e: this.tenant.seq, p: firstAfter(this.tenant.logs[req.kind], d.f), cur: null, m: null, s: d.s, t: d.t, ep: d.ep };
    } else {
      // Query options count on the first request only; later ones come from the token.
      let select: string[] | null;
      try {
        select = parseSelect(req.query.get('$select'), req.kind, req.kind === 'group' ? ['members'] : []);
      } catch (e) {
        if (e instanceof SelectError) throw badRequest(e.message);
        throw e;
      }
      const top = this.pageSize(req, headers);
      if (deltaToken === 'latest') {
        return { body: this.finalPage(req, [], select, top, this.tenant.seq), headers };
      }
      c = { r: req.kind, ph: 'i', f: 0, e: this.tenant.seq, p: 0, cur: null, m: null, s: select, t: top, ep: this.settings.epoch };
    }
    const { entries, next } = c.ph === 'i' ? this.initial(c) : this.changes(c);
    if (next && req.emptyPage()) return { body: this.nextPage(req, [], c), headers };
    return { body: next ? this.nextPage(req, entries, next) : this.finalPage(req, entries, c.s, c.t, c.e), headers };
  }

  private pageSize(req: DeltaRequest, headers: Record<string, string>): number {
    const rawTop = req.query.get('$top');
    if (rawTop !== null) {
      const n = Number(rawTop);
      if (!/^\d+$/.test(rawTop) || n < 1 || n > 999) throw badRequest(`Invalid page size specified: '${rawTop}'. Must be between 1 and 999 inclusive.`);
      return n;
    }
    const m = /odata\.maxpagesize=(\d+)/i.exec(req.prefer ?? '');
    if (m) {
      const n = Math.min(999, Math.max(1, Number(m[1])));
      headers['Preference-Applied'] = `odata.maxpagesize=${n}`;
      return n;
    }
    return this.settings.pageSize;
  }

  private checkEpoch(ep: number, req: DeltaRequest, select: string[] | null): void {
    if (ep < this.settings.epoch) throw this.expired(req, select, this.settings.expiredCode);
  }

  private expired(req: DeltaRequest, select: string[] | null, code: DeltaExpiryCode): GraphError {
    const restart = link(req.base, PATH[req.kind], { $select: select?.join(',') });
    return new GraphError(410, code, MESSAGES[code], { Location: restart });
  }

  private includeMembers(c: RoundCursor): boolean {
    return c.r === 'group' && (c.s === null || c.s.includes('members'));
  }

  private memberRef(id: string, removed: boolean): Record<string, unknown> {
    const kind: Kind = this.tenant.get(id)?.kind ?? 'user';
    const ref: Record<string, unknown> = { '@odata.type': ODATA_TYPE[kind], id };
    if (removed) ref['@removed'] = { reason: 'deleted' };
    return ref;
  }

  private initial(c: RoundCursor): { entries: Record<string, unknown>[]; next: RoundCursor | null } {
    const t = this.tenant;
    const index = t.lists[c.r];
    const live = (k: string) => t.active(k) !== undefined;
    const entries: Record<string, unknown>[] = [];
    let { p, cur, m } = c;
    while (entries.length < c.t) {
      const pg = index.page(p, 1, live);
      if (pg.keys.length === 0) return { entries, next: null };
      const id = pg.keys[0]!;
      const obj = t.active(id)!;
      if (cur !== id) m = null;
      if (!this.includeMembers(c)) {
        entries.push(render(obj, c.s));
        p = pg.last;
        cur = null;
        continue;
      }
      const g = obj as GroupObject;
      const mp = g.members.page(m ?? 0, this.settings.membersPerEntry, live);
      const refs = mp.keys.map((k) => this.memberRef(k, false));
      entries.push(m === null ? { ...render(g, c.s), 'members@delta': refs } : { id, 'members@delta': refs });
      if (mp.done) {
        p = pg.last;
        cur = null;
        m = null;
      } else {
        cur = id;
        m = mp.last;
      }
    }
    const more = cur !== null || index.page(p, 1, live).keys.length > 0;
    return { entries, next: more ? { ...c, p, cur, m } : null };
  }

  private changes(c: RoundCursor): { entries: Record<string, unknown>[]; next: RoundCursor | null } {
    const t = this.tenant;
    const log = t.logs[c.r];
    const entries: Record<string, unknown>[] = [];
    let { p: i, m } = c;
    // An object is shown at its last change inside the window, so it appears once per round.
    const isLast = (k: number) => {
      const { seq, id } = log[k]!;
      return lastAtMost(t.get(id)!.changeSeqs, c.e) === seq;
    };
    const skipStale = () => {
      while (i < log.length && log[i]!.seq <= c.e && !isLast(i)) i++;
    };
    skipStale();
    while (entries.length < c.t && i < log.length && log[i]!.seq <= c.e) {
      const id = log[i]!.id;
      const obj = t.get(id)!;
      if (obj.state !== 'active') {
        entries.push({ id, '@removed': { reason: obj.state === 'hard' ? 'deleted' : 'changed' } });
      } else if (!this.includeMembers(c)) {
        entries.push(render(obj, c.s));
      } else {
        const net = netMemberChanges(obj as GroupObject, c.f, c.e);
        const start = m ?? 0;
        const chunk = net.slice(start, start + this.settings.membersPerEntry);
        const entry: Record<string, unknown> = m === null ? render(obj, c.s) : { id };
        if (chunk.length) entry['members@delta'] = chunk.map((x) => this.memberRef(x.id, x.removed));
        entries.push(entry);
        if (start + this.settings.membersPerEntry < net.length) {
          m = start + this.settings.membersPerEntry;
          continue;
        }
      }
      m = null;
      i++;
      skipStale();
    }
    const more = i < log.length && log[i]!.seq <= c.e;
    return { entries, next: more ? { ...c, p: i, m, cur: null } : null };
  }

  private context(req: DeltaRequest, select: string[] | null): string {
    const set = req.kind === 'user' ? 'users' : 'groups';
    return `${req.base}/v1.0/$metadata#${set}${select ? `(${select.join(',')})` : ''}`;
  }

  private nextPage(req: DeltaRequest, value: Record<string, unknown>[], c: RoundCursor): Record<string, unknown> {
    return { '@odata.context': this.context(req, c.s), '@odata.nextLink': link(req.base, PATH[req.kind], { $skiptoken: encodeToken(c) }), value };
  }

  private finalPage(req: DeltaRequest, value: Record<string, unknown>[], select: string[] | null, top: number, end: number): Record<string, unknown> {
    const token: DeltaToken = { r: req.kind, f: end, s: select, t: top, ep: this.settings.epoch, ts: Date.now() };
    return { '@odata.context': this.context(req, select), '@odata.deltaLink': link(req.base, PATH[req.kind], { $deltatoken: encodeToken(token) }), value };
  }
}

/** Members added or removed between seq `from` (exclusive) and `end` (inclusive), in order of their
 *  first change; an add undone by a remove in the same window (or the reverse) is no change. */
export function netMemberChanges(g: GroupObject, from: number, end: number): Array<{ id: string; removed: boolean }> {
  const ops = g.memberOps;
  let lo = 0;
  let hi = ops.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ops[mid]!.seq <= from) lo = mid + 1;
    else hi = mid;
  }
  const seen = new Map<string, { first: 'add' | 'remove'; last: 'add' | 'remove' }>();
  for (let k = lo; k < ops.length && ops[k]!.seq <= end; k++) {
    const op = ops[k]!;
    const s = seen.get(op.memberId);
    if (s) s.last = op.op;
    else seen.set(op.memberId, { first: op.op, last: op.op });
  }
  const out: Array<{ id: string; removed: boolean }> = [];
  for (const [id, s] of seen) if (s.first === s.last) out.push({ id, removed: s.last === 'remove' });
  return out;
}

function firstAfter(log: Array<{ seq: number }>, seq: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lastAtMost(seqs: number[], end: number): number | undefined {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seqs[mid]! <= end) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? seqs[lo - 1] : undefined;
}
