// The mesh activities on both store engines (no Temporal: the activity functions called in the
// workflow's order) against a brute-force computation of the rules over generated sources with
// collisions: duplicate employee ids in HR, two directory accounts for one person, case and space
// differences, shared emails. Retried batches change nothing (idempotence).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createMeshActivities } from '../../activities/mesh';
import { normalizeMesh } from '../../config/mesh';
import { PostgresStore } from '../../store/postgres';
import { SqliteStore } from '../../store/sqlite';
import type { IdentityStore, StagedObject } from '../../store/types';

const dir = mkdtempSync(join(tmpdir(), 'tiger-mesh-'));
const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgSchema = `tiger_mesh_test_${process.pid}_${Date.now()}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const c = new Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`).finally(() => c.end());
});

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Acct { id: string; attrs: Record<string, unknown> }

function generate(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const hr: Acct[] = [];
  for (let i = 0; i < 120; i++) {
    // Every 25th shares the previous one's employee id: a duplicate HR record.
    const emp = i % 25 === 24 ? `E${i - 1}` : `E${i}`;
    hr.push({ id: `h${i}`, attrs: { employeeId: emp, email: `User${i}@Corp.Test`, department: r() < 0.2 ? '' : pick(['eng', 'sales', 'ops']), active: r() > 0.1 } });
  }
  const ad: Acct[] = [];
  for (let j = 0; j < 110; j++) {
    const i = Math.floor(r() * 140); // some point at no HR record
    ad.push({ id: `a${j}`, attrs: { employeeNumber: r() < 0.5 ? ` e${i} ` : `E${i}`, department: pick(['eng', 'sales', 'ops', 'legal']), sAMAccountName: `u${j}` } });
  }
  const okta: Acct[] = [];
  for (let k = 0; k < 90; k++) {
    const i = Math.floor(r() * 130);
    okta.push({ id: `o${k}`, attrs: { email: r() < 0.5 ? `USER${i}@corp.test` : `user${i}@corp.test`, status: 'ACTIVE' } });
  }
  return { hr, ad, okta };
}

const def = normalizeMesh({
  name: 'gen',
  sources: ['hr', 'ad', 'okta'],
  correlation: [
    { name: 'employee-id', match: { source: 'ad', attribute: 'employeeNumber' }, with: { source: 'hr', attribute: 'employeeId' }, normalize: ['trim', 'lower'] },
    { name: 'email', match: { source: 'okta', attribute: 'email' }, with: { mesh: 'email' }, normalize: ['lower'] },
  ],
  attributes: { email: { from: ['hr.email'], transform: 'lower' }, department: ['hr.department', 'ad.department'], username: ['ad.sAMAccountName'] },
  lifecycle: { source: 'hr' },
}, 'gen.yaml');

/** The rules by brute force, accounts in id (byte) order as the keyset pages read them. */
function expected(data: ReturnType<typeof generate>) {
  const byId = (a: Acct, b: Acct) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const links = new Map<string, string>();
  const review = new Map<string, string[]>();
  const taken = new Map<string, string>();
  const persons = new Map(data.hr.map((h) => [`hr:${h.id}`, h]));
  const join = (source: string, accounts: Acct[], candidatesOf: (a: Acct) => string[]) => {
    for (const a of [...accounts].sort(byId)) {
      const c = candidatesOf(a).sort();
      if (c.length === 0) continue;
      if (c.length > 1 || taken.has(`${source} ${c[0]}`)) review.set(`${source}/${a.id}`, c);
      else {
        links.set(`${source}/${a.id}`, c[0]);
        taken.set(`${source} ${c[0]}`, a.id);
      }
    }
  };
  join('ad', data.ad, (a) => data.hr.filter((h) => String(h.attrs.employeeId).toLowerCase() === String(a.attrs.employeeNumber).trim().toLowerCase()).map((h) => `hr:${h.id}`));
  join('okta', data.okta, (o) => data.hr.filter((h) => String(h.attrs.email).toLowerCase() === String(o.attrs.email).toLowerCase()).map((h) => `hr:${h.id}`));
  const attrs = new Map<string, Record<string, unknown>>();
  for (const [pid, h] of persons) {
    const adId = [...links].find(([acc, p]) => p === pid && acc.startsWith('ad/'))?.[0].slice(3);
    const adAcct = data.ad.find((a) => a.id === adId);
    const out: Record<string, unknown> = { email: String(h.attrs.email).toLowerCase() };
    const dept = h.attrs.department || adAcct?.attrs.department;
    if (dept) out.department = dept;
    if (adAcct) out.username = adAcct.attrs.sAMAccountName;
    attrs.set(pid, { ...out, state: h.attrs.active ? 'active' : 'left' });
  }
  return { links, review, attrs };
}

async function seed(store: IdentityStore, connector: string, accounts: Acct[]): Promise<void> {
  const runId = `seed-${connector}-${Date.now()}`;
  await store.beginRun({ runId, connector, mode: 'full', trigger: 'test' });
  const objects: StagedObject[] = accounts.map((a) => ({ kind: 'user', id: a.id, attrs: a.attrs }));
  await store.stagePage(runId, connector, { objects, links: [], deletions: [], linkSets: [] }, runId);
  await store.applyStagedPage(runId, connector, runId);
}

/** The workflow's loop, with each batch applied twice (a retried activity). */
async function meshRun(store: IdentityStore, runId: string, full: boolean, batch = 7) {
  const acts = createMeshActivities({ store });
  const b = await acts.beginMeshRun({ mesh: 'gen', runId, full, trigger: 'test' });
  let accounts = 0;
  for (const source of b.sources) {
    for (let after: string | null = null; ;) {
      const args = { mesh: 'gen', runId, source, since: b.since, until: b.until, afterId: after, limit: batch };
      const r = await acts.correlateChangedBatch(args);
      expect((await acts.correlateChangedBatch(args)).counts.linked).toBe(0);
      accounts += r.counts.accounts;
      after = r.nextAfterId;
      if (after === null) break;
    }
  }
  for (const status of ['unmatched', 'review'] as const) {
    for (let after: { connector: string; accountId: string } | null = null; ;) {
      const r = await acts.correlatePendingBatch({ mesh: 'gen', runId, status, after, limit: batch });
      after = r.next;
      if (after === null) break;
    }
  }
  await acts.endMeshRun({ mesh: 'gen', runId, until: b.until, counts: { accounts, linked: 0, founded: 0, review: 0, unmatched: 0, gone: 0, persons: 0 }, error: null });
  return accounts;
}

async function actual(store: IdentityStore) {
  const links = new Map<string, string>();
  for (let after: { connector: string; accountId: string } | null = null; ;) {
    const page = await store.listMeshLinksByStatus('gen', 'linked', { after, limit: 50 });
    for (const l of page) if (l.connector !== 'hr') links.set(`${l.connector}/${l.accountId}`, l.personId!);
    if (page.length < 50) break;
    after = { connector: page[page.length - 1].connector, accountId: page[page.length - 1].accountId };
  }
  const review = new Map((await store.listMeshReviews('gen', { status: 'open' })).map((r) => [`${r.connector}/${r.accountId}`, r.candidates]));
  const persons = await store.listMeshPersons('gen', { afterId: null, limit: 1000 });
  const attrs = new Map(persons.map((p) => [p.personId, { ...p.attributes, state: p.state }]));
  return { links, review, attrs, persons };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`mesh correlation on ${engine}`, () => {
    it('equals the brute-force computation; re-runs change nothing; a change is picked up', async () => {
      const store: IdentityStore = engine === 'sqlite' ? new SqliteStore(join(dir, 'mesh.db')) : new PostgresStore(pgUrl, { schema: pgSchema });
      await store.migrate();
      try {
        const data = generate(engine === 'sqlite' ? 11 : 29);
        await store.saveMesh({ name: 'gen', definition: def });
        await seed(store, 'hr', data.hr);
        await seed(store, 'ad', data.ad);
        await seed(store, 'okta', data.okta);
        expect(await meshRun(store, `r1-${engine}`, false)).toBe(data.hr.length + data.ad.length + data.okta.length);
        const want = expected(data);
        const got = await actual(store);
        expect(got.links).toEqual(want.links);
        expect(got.review).toEqual(want.review);
        expect(got.attrs).toEqual(want.attrs);
        // The data has every case: joins of both rules, both kinds of ambiguity, leavers.
        expect([...want.review.values()].some((c) => c.length > 1)).toBe(true);
        expect([...want.review.values()].some((c) => c.length === 1)).toBe(true);
        expect([...want.links.keys()].filter((k) => k.startsWith('okta/')).length).toBeGreaterThan(10);
        expect([...want.attrs.values()].some((a) => a.state === 'left')).toBe(true);

        // A full re-run changes nothing: provenance keeps the first run.
        await meshRun(store, `r2-${engine}`, true, 13);
        const again = await actual(store);
        expect(again.persons).toEqual(got.persons.map((p) => ({ ...p, updatedAt: expect.any(String) })));

        // A mover in HR: only that person changes, with the new run in its provenance.
        const mover = data.hr.find((h) => h.attrs.department === 'eng')!;
        await seed(store, 'hr', [{ id: mover.id, attrs: { ...mover.attrs, department: 'finance' } }]);
        await meshRun(store, `r3-${engine}`, false);
        const [moved] = await store.getMeshPersons('gen', [`hr:${mover.id}`]);
        expect(moved.attributes.department).toBe('finance');
        expect(moved.provenance.department).toMatchObject({ source: 'hr', account: mover.id, rule: 'joiner', run: `r3-${engine}` });
        expect(moved.provenance.email.run).toBe(`r1-${engine}`);

        // An ambiguity waits in review; once HR fixes its duplicate, the next run links and resolves it.
        const hx = (id: string, emp: string): Acct => ({ id, attrs: { employeeId: emp, email: `${id}@corp.test`, department: 'eng', active: true } });
        await seed(store, 'hr', [hx('hx1', 'EX'), hx('hx2', 'EX')]);
        await seed(store, 'ad', [{ id: 'ax', attrs: { employeeNumber: 'ex', sAMAccountName: 'ax' } }]);
        await meshRun(store, `r4-${engine}`, false);
        const waiting = (await store.listMeshReviews('gen')).find((r) => r.accountId === 'ax');
        expect(waiting).toMatchObject({ status: 'open', candidates: ['hr:hx1', 'hr:hx2'], rule: 'employee-id' });
        await seed(store, 'hr', [hx('hx2', 'EY')]);
        await meshRun(store, `r5-${engine}`, false);
        expect((await store.listMeshReviews('gen')).find((r) => r.accountId === 'ax')?.status).toBe('resolved');
        expect((await store.getMeshLinks('gen', [{ connector: 'ad', accountId: 'ax' }]))[0]).toMatchObject({ personId: 'hr:hx1', rule: 'employee-id', status: 'linked' });
        expect((await store.getMeshPersons('gen', ['hr:hx1']))[0].attributes.username).toBe('ax');

        // The directory account's employee number now names hx2: it moves there, hx1 loses it.
        await seed(store, 'ad', [{ id: 'ax', attrs: { employeeNumber: 'EY', sAMAccountName: 'ax' } }]);
        await meshRun(store, `r6-${engine}`, false);
        expect((await store.getMeshLinks('gen', [{ connector: 'ad', accountId: 'ax' }]))[0]).toMatchObject({ personId: 'hr:hx2', rule: 'employee-id', runId: `r6-${engine}` });
        const [hx1, hx2] = await store.getMeshPersons('gen', ['hr:hx1', 'hr:hx2']);
        expect([hx1.attributes.username, hx2.attributes.username]).toEqual([undefined, 'ax']);
      } finally {
        await store.close();
      }
    }, 120_000);
  });
}
