// The test server's data: people, teams and team members, in memory. Every change stamps the
// record with the server's clock (`meta.updated`, ISO with milliseconds) and a server-wide
// sequence (`meta.version`), as HR and SaaS APIs do; a member added or removed stamps its team,
// which is how such APIs let a client find membership changes by the team's change time.

export interface Person {
  id: string;
  userName: string;
  email: string;
  name: { first: string; last: string };
  active: boolean;
  department?: string;
  meta: { created: string; updated: string; version: number };
}

export interface Team {
  id: string;
  displayName: string;
  meta: { created: string; updated: string; version: number };
}

export type PersonInput = Partial<Omit<Person, 'id' | 'meta'>> & { userName: string };
export type TeamInput = { displayName: string };

export class RestData {
  readonly people = new Map<string, Person>();
  readonly teams = new Map<string, Team>();
  readonly members = new Map<string, Set<string>>();
  private version = 0;
  private nextPerson = 1;
  private nextTeam = 1;

  /** Time and sequence of the next change. `at` lets a test write a late-committed record. */
  private stamp(at?: Date): { updated: string; version: number } {
    return { updated: (at ?? new Date()).toISOString(), version: ++this.version };
  }

  addPerson(p: PersonInput, at?: Date): Person {
    const id = `p${String(this.nextPerson++).padStart(5, '0')}`;
    const s = this.stamp(at);
    const person: Person = {
      id,
      userName: p.userName,
      email: p.email ?? p.userName,
      name: { first: p.name?.first ?? 'First', last: p.name?.last ?? 'Last' },
      active: p.active ?? true,
      ...(p.department !== undefined ? { department: p.department } : {}),
      meta: { created: s.updated, updated: s.updated, version: s.version },
    };
    this.people.set(id, person);
    return person;
  }

  updatePerson(id: string, patch: Partial<Omit<Person, 'id' | 'meta'>>, at?: Date): Person {
    const p = this.people.get(id);
    if (!p) throw new Error(`no person ${id}`);
    const s = this.stamp(at);
    Object.assign(p, patch, { meta: { ...p.meta, updated: s.updated, version: s.version } });
    return p;
  }

  removePerson(id: string): void {
    if (!this.people.delete(id)) throw new Error(`no person ${id}`);
    for (const [teamId, set] of this.members) if (set.delete(id)) this.touchTeam(teamId);
  }

  addTeam(t: TeamInput, at?: Date): Team {
    const id = `t${String(this.nextTeam++).padStart(4, '0')}`;
    const s = this.stamp(at);
    const team: Team = { id, displayName: t.displayName, meta: { created: s.updated, updated: s.updated, version: s.version } };
    this.teams.set(id, team);
    this.members.set(id, new Set());
    return team;
  }

  updateTeam(id: string, patch: Partial<TeamInput>, at?: Date): Team {
    const t = this.teams.get(id);
    if (!t) throw new Error(`no team ${id}`);
    Object.assign(t, patch);
    this.touchTeam(id, at);
    return t;
  }

  removeTeam(id: string): void {
    if (!this.teams.delete(id)) throw new Error(`no team ${id}`);
    this.members.delete(id);
  }

  addMember(teamId: string, personId: string, at?: Date): void {
    const set = this.members.get(teamId);
    if (!set) throw new Error(`no team ${teamId}`);
    if (!this.people.has(personId)) throw new Error(`no person ${personId}`);
    if (!set.has(personId)) {
      set.add(personId);
      this.touchTeam(teamId, at);
    }
  }

  removeMember(teamId: string, personId: string): void {
    if (this.members.get(teamId)?.delete(personId)) this.touchTeam(teamId);
  }

  memberIds(teamId: string): string[] {
    return [...(this.members.get(teamId) ?? [])].sort();
  }

  private touchTeam(id: string, at?: Date): void {
    const t = this.teams.get(id);
    if (!t) return;
    const s = this.stamp(at);
    t.meta = { ...t.meta, updated: s.updated, version: s.version };
  }

  /** `count` people and `teams` teams, each team holding a few people (deterministic). */
  seed(count: number, teams: number): void {
    const people = Array.from({ length: count }, (_, i) =>
      this.addPerson({ userName: `user${i}@example.com`, name: { first: `First${i}`, last: `Last${i}` }, active: i % 7 !== 3, department: `dept-${i % 4}` }),
    );
    for (let t = 0; t < teams; t++) {
      const team = this.addTeam({ displayName: `team-${t}` });
      for (let k = 0; k < Math.min(people.length, 2 + (t % 5)); k++) this.addMember(team.id, people[(t * 3 + k) % people.length]!.id);
    }
  }

  snapshot(): { people: Person[]; teams: Team[]; memberships: { teamId: string; personId: string }[] } {
    const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return {
      people: [...this.people.values()].map((p) => structuredClone(p)).sort(byId),
      teams: [...this.teams.values()].map((t) => structuredClone(t)).sort(byId),
      memberships: [...this.members.entries()].flatMap(([teamId, set]) => [...set].sort().map((personId) => ({ teamId, personId }))),
    };
  }
}
