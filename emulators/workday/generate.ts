// A seedable tenant: the same seed gives the same workers and organisations (WIDs included), with
// the cases HR data is known for: non-ASCII names, future-dated hires, past and future-dated
// terminations, an organisation nobody is in, and one that holds a large share of the company.

import type { WorkdayState } from './model';

export interface GenerateOptions {
  workers: number;
  organizations: number;
  seed: number;
}

const FIRST = ['Zoë', 'José', 'Łukasz', 'Søren', 'Ngọc Anh', 'Ærin', 'Björk', 'Chloé', 'Dévi', 'François', 'Håkon', 'Işıl', 'Jürgen', 'Kateřina', 'Ludmiła', 'Mårten', 'Nuñez', 'Óscar', 'Petra', 'Raúl', '美咲', 'Siân', 'Tomás', 'Ümit', 'Владимир', 'Yasmín', 'Žofie', 'Aoife', 'Bartłomiej', 'Céline'];
const LAST = ['Müller', 'O’Brien', 'Dvořák', 'García', 'Nguyễn', 'Øvergård', 'Þórsson', 'Ilıcak', 'Kowalczyk', 'Lefèvre', '山田', 'Smith-Jones', 'Ångström', 'Şahin', 'Čapek', 'Da Silva', 'Szabó', 'Ó Briain', 'Пушкина', 'Weiß'];
const TITLES = ['Engineer', 'Analyst', 'Manager', 'Designer', 'Recruiter', 'Accountant', null];
const ORGS = ['Executive', 'Engineering', 'Finance', 'People', 'Sales EMEA', 'Sales Americas', 'Research & Développement', 'Support', 'Legal', 'Facilities', 'Marketing', 'Data'];

/** mulberry32: small, fast, and the same numbers on every platform. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r: () => number) => Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function generate(state: WorkdayState, o: GenerateOptions): void {
  const r = rng(o.seed);
  const today = state.today();
  const orgCount = Math.max(2, o.organizations);
  const orgs = Array.from({ length: orgCount }, (_, i) =>
    state.addOrg({ id: hex(r), code: `SUP-${String(i + 1).padStart(3, '0')}`, name: i < ORGS.length ? ORGS[i]! : `${pick(r, ORGS)} ${i + 1}` }),
  );
  // The last organisation stays empty; the second holds about 40 % of everyone.
  const big = orgs[1]!;
  const staffed = orgs.slice(0, -1);
  for (let i = 0; i < o.workers; i++) {
    const first = pick(r, FIRST);
    const last = pick(r, LAST);
    const org = r() < 0.4 ? big : pick(r, staffed);
    const kind = i % 10;
    // 1 in 10 hired in the future, 1 in 10 terminated in the past, 1 in 20 terminating soon.
    const hireDate = kind === 3 ? addDays(today, 1 + Math.floor(r() * 30)) : addDays(today, -(30 + Math.floor(r() * 3000)));
    const terminationDate = kind === 7 ? addDays(today, -(1 + Math.floor(r() * 20))) : i % 20 === 9 ? addDays(today, 1 + Math.floor(r() * 30)) : null;
    state.addWorker({
      id: hex(r),
      employeeId: String(21001 + i),
      firstName: first,
      lastName: last,
      email: r() < 0.9 ? `w${21001 + i}@example.com` : null,
      businessTitle: pick(r, TITLES),
      hireDate,
      terminationDate,
      orgId: org.id,
    });
  }
  // Each staffed organisation's manager is its first member; a manager reports to the manager of
  // the first organisation (the executive one), who reports to nobody.
  const byOrg = new Map<string, string[]>();
  for (const w of state.workerList()) if (w.orgId) byOrg.set(w.orgId, [...(byOrg.get(w.orgId) ?? []), w.id]);
  const top = byOrg.get(orgs[0]!.id)?.[0] ?? null;
  for (const org of orgs) {
    const members = byOrg.get(org.id) ?? [];
    const manager = members[0] ?? null;
    org.managerId = manager;
    for (const id of members) {
      const w = state.workers.get(id)!;
      w.managerId = id === manager ? (id === top ? null : top) : manager;
    }
  }
}
