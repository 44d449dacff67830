// The behaviour every IdentityStore engine must show. Engine test files call
// describeStoreContract with a factory; one store serves the whole suite and each test works
// under its own connector name, so tests neither see nor clean up each other's rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityStore, StagedLink, StagedObject, StagedPage } from '../store/types';

export function describeStoreContract(name: string, make: () => Promise<IdentityStore>): void {
  describe(`IdentityStore contract: ${name}`, () => {
    let store: IdentityStore;
    let seq = 0;
    const unique = (prefix: string): string => `${prefix}-${process.pid}-${++seq}`;

    beforeAll(async () => {
      store = await make();
    });
    afterAll(async () => {
      await store?.close();
    });

    const user = (id: string, attrs: Record<string, unknown>, updatedAt?: string): StagedObject => ({
      kind: 'user',
      id,
      attrs,
      updatedAt,
    });
    const group = (id: string, attrs: Record<string, unknown> = { name: id }): StagedObject => ({ kind: 'group', id, attrs });
    const app = (id: string): StagedObject => ({ kind: 'app', id, attrs: { label: id } });
    const member = (g: string, child: string, childKind: 'user' | 'group' = 'user'): StagedLink => ({
      kind: 'membership',
      parent: g,
      child,
      childKind,
    });
    const assigned = (a: string, u: string, attrs?: Record<string, unknown>): StagedLink => ({
      kind: 'appUser',
      parent: a,
      child: u,
      childKind: 'user',
      attrs,
    });

    /** Stages and applies one page under a fresh key; returns the counts. */
    async function apply(connector: string, runId: string, page: Partial<StagedPage>) {
      const key = unique(`${connector}/${runId}/page`);
      await store.stagePage(key, connector, { objects: [], links: [], deletions: [], linkSets: [], ...page });
      return store.applyStagedPage(key, connector, runId);
    }
    /** Begins a run under a fresh id (run ids are store-wide) and returns the id. */
    async function begin(connector: string, mode: 'full' | 'delta' | 'live' = 'full', definition?: unknown) {
      const runId = unique(`${connector}/${mode}`);
      await store.beginRun({ runId, connector, mode, trigger: 'test', definition });
      return runId;
    }
    const userIds = async (c: string) => (await store.exportData(c, { includeDeleted: false })).users.map((u) => u.id);
    const memberPairs = async (c: string) =>
      (await store.exportData(c, { includeDeleted: false })).memberships.map((m) => `${m.parent}>${m.child}`);

    it('reports its engine and migrates idempotently', async () => {
      expect(['sqlite', 'postgres']).toContain(store.engine);
      await store.migrate();
      const c = unique('c');
      await store.setWatermark(c, 'users', 'w1');
      await store.migrate();
      expect(await store.getWatermark(c, 'users')).toBe('w1');
    });

    describe('connectors', () => {
      it('saves, updates, lists and deletes a connector with its definition as written', async () => {
        const nameA = unique('conn-b');
        const nameB = unique('conn-a');
        const definition = { type: 'okta', orgUrl: '${OKTA_ORG_URL}', token: '{{secret:okta-token}}', pageSize: 200 };
        const saved = await store.saveConnector({ name: nameA, type: 'okta', enabled: true, definition });
        expect(saved).toMatchObject({ name: nameA, type: 'okta', enabled: true, definition });
        expect(Date.parse(saved.createdAt)).not.toBeNaN();

        const updated = await store.saveConnector({ name: nameA, type: 'okta', enabled: false, definition: { v: 2 } });
        expect(updated.enabled).toBe(false);
        expect(updated.definition).toEqual({ v: 2 });
        expect(updated.createdAt).toBe(saved.createdAt);
        expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(saved.updatedAt));

        await store.saveConnector({ name: nameB, type: 'graph', enabled: true, definition: [] });
        const listed = (await store.listConnectors()).filter((c) => c.name === nameA || c.name === nameB);
        expect(listed.map((c) => c.name)).toEqual([nameB, nameA]); // conn-a-… sorts before conn-b-…
        expect(await store.getConnector(nameB)).toMatchObject({ type: 'graph', definition: [] });

        await store.setWatermark(nameA, 'users', 'cursor-1');
        expect(await store.deleteConnector(nameA)).toBe(true);
        expect(await store.getConnector(nameA)).toBeNull();
        expect(await store.getWatermark(nameA, 'users')).toBeNull();
        expect(await store.deleteConnector(nameA)).toBe(false);
      });
    });

    describe('staging and applying pages', () => {
      it('inserts objects and links, then exports them sorted with attributes as stored', async () => {
        const c = unique('okta');
        const attrs = { login: 'b@x.io', profile: { title: 'Eng', tags: ['a', 'b'], manager: null }, n: 3.5, ok: true, name: 'Zoë' };
        const counts = await apply(c, 'run-1', {
          objects: [user('b', attrs), user('B', { login: 'B' }), user('a9', {}), user('a10', {}), user('_x', {}), group('g2'), group('g1'), app('app1')],
          links: [member('g2', 'b'), member('g1', 'b'), member('g1', 'a9'), member('g1', 'g2', 'group'), assigned('app1', 'b', { scope: 'USER' }), assigned('app1', 'a9')],
        });
        expect(counts).toEqual({ inserted: 14, updated: 0, unchanged: 0, deleted: 0 });

        const data = await store.exportData(c, { includeDeleted: false });
        expect(data.users.map((u) => u.id)).toEqual(['B', '_x', 'a10', 'a9', 'b']); // byte order
        expect(data.users.find((u) => u.id === 'b')).toEqual({ id: 'b', attributes: attrs });
        expect(data.groups.map((g) => g.id)).toEqual(['g1', 'g2']);
        expect(data.apps).toEqual([{ id: 'app1', attributes: { label: 'app1' } }]);
        expect(data.memberships).toEqual([
          { parent: 'g1', child: 'a9', childKind: 'user' },
          { parent: 'g1', child: 'b', childKind: 'user' },
          { parent: 'g1', child: 'g2', childKind: 'group' },
          { parent: 'g2', child: 'b', childKind: 'user' },
        ]);
        expect(data.appUsers).toEqual([
          { parent: 'app1', child: 'a9', childKind: 'user' },
          { parent: 'app1', child: 'b', childKind: 'user', attributes: { scope: 'USER' } },
        ]);
        expect('attributes' in data.appUsers[0]).toBe(false);
        expect('deletedAt' in data.users[0]).toBe(false);
        expect(await store.counts(c)).toEqual({ user: 5, group: 2, app: 1, membership: 4, appUser: 2 });
      });

      it('counts unchanged, updated by content hash, and ignores key order', async () => {
        const c = unique('okta');
        await apply(c, 'run-1', {
          objects: [user('u1', { a: 1, b: 2 }), user('u2', { a: 1 }), user('u3', { a: 1 })],
          links: [member('g1', 'u1'), assigned('app1', 'u1', { role: 'x' })],
        });
        const counts = await apply(c, 'run-2', {
          objects: [user('u1', { b: 2, a: 1 }), user('u2', { a: 2 }), user('u3', { a: 1 }), user('u4', {})],
          links: [member('g1', 'u1'), assigned('app1', 'u1', { role: 'y' })],
        });
        expect(counts).toEqual({ inserted: 1, updated: 2, unchanged: 3, deleted: 0 });
        const data = await store.exportData(c, { includeDeleted: false });
        expect(data.users.find((u) => u.id === 'u2')?.attributes).toEqual({ a: 2 });
        expect(data.appUsers[0].attributes).toEqual({ role: 'y' });
      });

      it('keeps the last of duplicate ids within one page', async () => {
        const c = unique('okta');
        const counts = await apply(c, 'run-1', {
          objects: [user('u1', { v: 1 }), user('u1', { v: 2 })],
          links: [member('g1', 'u1'), member('g1', 'u1')],
        });
        expect(counts).toEqual({ inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
        expect((await store.exportData(c, { includeDeleted: false })).users).toEqual([{ id: 'u1', attributes: { v: 2 } }]);
      });

      it('never lets an older source updatedAt overwrite newer attributes, but still marks the object seen', async () => {
        const c = unique('okta');
        await apply(c, 'run-1', { objects: [user('u1', { title: 'new' }, '2024-05-01T10:00:00.500Z')] });
        const run2 = await begin(c);
        // Half a second older, written without milliseconds as some sources do.
        const older = await apply(c, run2, { objects: [user('u1', { title: 'stale' }, '2024-05-01T10:00:00Z')] });
        expect(older).toEqual({ inserted: 0, updated: 0, unchanged: 1, deleted: 0 });
        expect((await store.exportData(c, { includeDeleted: false })).users[0].attributes).toEqual({ title: 'new' });
        expect(await store.countUnseen(c, run2, ['user'])).toEqual([{ kind: 'user', total: 1, unseen: 0 }]);

        const newer = await apply(c, 'run-3', { objects: [user('u1', { title: 'newest' }, '2024-05-01T10:00:01Z')] });
        expect(newer).toEqual({ inserted: 0, updated: 1, unchanged: 0, deleted: 0 });
        // Without a timestamp the content hash alone decides.
        const untimed = await apply(c, 'run-4', { objects: [user('u1', { title: 'untimed' })] });
        expect(untimed.updated).toBe(1);
        // The stored timestamp stayed at its newest: an older one is still refused.
        await apply(c, 'run-5', { objects: [user('u1', { title: 'stale again' }, '2024-05-01T10:00:00.900Z')] });
        expect((await store.exportData(c, { includeDeleted: false })).users[0].attributes).toEqual({ title: 'untimed' });
      });

      it('applies a key once: a second apply returns the first counts and changes nothing', async () => {
        const c = unique('okta');
        const page: StagedPage = { objects: [user('u1', { v: 1 })], links: [member('g1', 'u1')], deletions: [], linkSets: [] };
        await store.stagePage('k1-' + c, c, page);
        const first = await store.applyStagedPage('k1-' + c, c, 'run-1');
        expect(first).toEqual({ inserted: 2, updated: 0, unchanged: 0, deleted: 0 });

        // Neither re-staging the applied key with other content nor applying it again does anything.
        const run2 = await begin(c);
        await store.stagePage('k1-' + c, c, { ...page, objects: [user('u1', { v: 2 })], deletions: [{ kind: 'user', id: 'u1' }] });
        expect(await store.applyStagedPage('k1-' + c, c, run2)).toEqual(first);
        expect((await store.exportData(c, { includeDeleted: true })).users).toEqual([
          { id: 'u1', attributes: { v: 1 }, deletedAt: null },
        ]);
        expect(await store.countUnseen(c, run2, ['user'])).toEqual([{ kind: 'user', total: 1, unseen: 1 }]);
      });

      it('re-staging a pending key replaces its page', async () => {
        const c = unique('okta');
        await store.stagePage('k-' + c, c, { objects: [user('u1', { v: 1 })], links: [], deletions: [], linkSets: [] });
        await store.stagePage('k-' + c, c, { objects: [user('u2', { v: 2 })], links: [], deletions: [], linkSets: [] });
        expect(await store.applyStagedPage('k-' + c, c, 'run-1')).toEqual({ inserted: 1, updated: 0, unchanged: 0, deleted: 0 });
        expect(await userIds(c)).toEqual(['u2']);
      });

      it('rejects an unknown stage key and a key staged for another connector', async () => {
        const c = unique('okta');
        await expect(store.applyStagedPage('no-such-key-' + c, c, 'run-1')).rejects.toThrow(/unknown stage key/);
        await store.stagePage('k-' + c, c, { objects: [user('u1', {})], links: [], deletions: [], linkSets: [] });
        await expect(store.applyStagedPage('k-' + c, 'other-' + c, 'run-1')).rejects.toThrow(/belongs to connector/);
        expect(await store.counts(c)).toMatchObject({ user: 0 });
      });

      it('drops applied stage rows of a run, keeping pending ones', async () => {
        const c = unique('okta');
        const [run1, run2] = [unique('run'), unique('run')];
        await store.stagePage('k1-' + c, c, { objects: [user('u1', {})], links: [], deletions: [], linkSets: [] });
        await store.applyStagedPage('k1-' + c, c, run1);
        await apply(c, run1, { objects: [user('u2', {})] });
        await apply(c, run2, { objects: [user('u3', {})] });
        await store.stagePage('pending-' + c, c, { objects: [user('u4', {})], links: [], deletions: [], linkSets: [] });
        expect(await store.dropStagedPages(run1)).toBe(2);
        expect(await store.dropStagedPages(run1)).toBe(0);
        await expect(store.applyStagedPage('k1-' + c, c, run1)).rejects.toThrow(/unknown stage key/);
        expect((await store.applyStagedPage('pending-' + c, c, run1)).inserted).toBe(1);
        expect(await store.dropStagedPages(run2)).toBe(1);
      });
    });

    describe('deletions', () => {
      /** g1 ⊃ {u1, u2, g2}, g2 ⊃ {u1}, app1 → {u1, u2}. */
      async function seed(c: string) {
        await apply(c, 'run-1', {
          objects: [user('u1', {}), user('u2', {}), group('g1'), group('g2'), app('app1')],
          links: [member('g1', 'u1'), member('g1', 'u2'), member('g1', 'g2', 'group'), member('g2', 'u1'), assigned('app1', 'u1'), assigned('app1', 'u2')],
        });
      }

      it('soft-deletes objects and the links naming them as child or parent', async () => {
        const c = unique('okta');
        await seed(c);
        expect(await apply(c, 'run-2', { deletions: [{ kind: 'user', id: 'u1' }] })).toEqual({
          inserted: 0,
          updated: 0,
          unchanged: 0,
          deleted: 4, // u1, g1>u1, g2>u1, app1>u1
        });
        expect(await memberPairs(c)).toEqual(['g1>g2', 'g1>u2']);

        expect((await apply(c, 'run-2', { deletions: [{ kind: 'group', id: 'g2' }] })).deleted).toBe(2); // g2, g1>g2
        expect((await apply(c, 'run-2', { deletions: [{ kind: 'app', id: 'app1' }] })).deleted).toBe(2); // app1, app1>u2
        expect((await apply(c, 'run-2', { deletions: [{ kind: 'user', id: 'never-seen' }] })).deleted).toBe(0);
        expect(await store.counts(c)).toEqual({ user: 1, group: 1, app: 0, membership: 1, appUser: 0 });

        const all = await store.exportData(c, { includeDeleted: true });
        expect(all.users.map((u) => [u.id, typeof u.deletedAt])).toEqual([
          ['u1', 'string'],
          ['u2', 'object'],
        ]);
        expect(all.users[1].deletedAt).toBeNull();
        expect(Date.parse(all.users[0].deletedAt!)).not.toBeNaN();
        expect(all.memberships).toHaveLength(4);
        expect('deletedAt' in (await store.exportData(c, { includeDeleted: false })).users[0]).toBe(false);
      });

      it('revives a deleted object or link that is seen again, counting it as updated', async () => {
        const c = unique('okta');
        await seed(c);
        await apply(c, 'run-2', { deletions: [{ kind: 'user', id: 'u1' }] });
        expect(await apply(c, 'run-3', { objects: [user('u1', {})], links: [member('g1', 'u1')] })).toEqual({
          inserted: 0,
          updated: 2,
          unchanged: 0,
          deleted: 0,
        });
        expect(await userIds(c)).toEqual(['u1', 'u2']);
        expect(await memberPairs(c)).toEqual(['g1>g2', 'g1>u1', 'g1>u2']); // g2>u1 stays deleted until seen
      });

      it('applies deletions after the upserts of the same page', async () => {
        const c = unique('okta');
        const counts = await apply(c, 'run-1', { objects: [user('u1', {}), user('u2', {})], deletions: [{ kind: 'user', id: 'u1' }] });
        expect(counts).toEqual({ inserted: 2, updated: 0, unchanged: 0, deleted: 1 });
        expect(await userIds(c)).toEqual(['u2']);
      });

      it('replaces a parent’s links of one kind with a link set', async () => {
        const c = unique('okta');
        await apply(c, 'run-1', {
          links: [member('g1', 'u1'), member('g1', 'u2'), member('g1', 'u3'), member('g2', 'u1'), assigned('g1', 'u1')],
        });
        const counts = await apply(c, 'run-2', {
          linkSets: [{ kind: 'membership', parent: 'g1', links: [member('g1', 'u2'), member('g1', 'u4')] }],
        });
        expect(counts).toEqual({ inserted: 1, updated: 0, unchanged: 1, deleted: 2 });
        expect(await memberPairs(c)).toEqual(['g1>u2', 'g1>u4', 'g2>u1']);
        // Another kind under the same parent id is not part of the set.
        expect((await store.exportData(c, { includeDeleted: false })).appUsers).toHaveLength(1);

        expect((await apply(c, 'run-3', { linkSets: [{ kind: 'membership', parent: 'g1', links: [] }] })).deleted).toBe(2);
        expect(await memberPairs(c)).toEqual(['g2>u1']);
      });
    });

    describe('full-run deletion detection', () => {
      it('counts and soft-deletes what a run did not see, links of deleted objects included', async () => {
        const c = unique('okta');
        await apply(c, 'run-1', {
          objects: [user('u1', {}), user('u2', {}), user('u3', {}), group('g1')],
          links: [member('g1', 'u1'), member('g1', 'u2'), member('g1', 'u3')],
        });
        const run2 = await begin(c);
        await apply(c, run2, { objects: [user('u1', {}), user('u2', {}), group('g1')], links: [member('g1', 'u1')] });

        expect(await store.countUnseen(c, run2, ['user', 'group', 'membership', 'app'])).toEqual([
          { kind: 'user', total: 3, unseen: 1 },
          { kind: 'group', total: 1, unseen: 0 },
          { kind: 'membership', total: 3, unseen: 2 },
          { kind: 'app', total: 0, unseen: 0 },
        ]);
        // u3, then g1>u3 with it, then g1>u2 as an unseen membership.
        expect(await store.deleteUnseen(c, run2, ['user', 'membership'])).toBe(3);
        expect(await userIds(c)).toEqual(['u1', 'u2']);
        expect(await memberPairs(c)).toEqual(['g1>u1']);
        expect(await store.countUnseen(c, run2, ['user', 'membership'])).toEqual([
          { kind: 'user', total: 2, unseen: 0 },
          { kind: 'membership', total: 1, unseen: 0 },
        ]);
        expect(await store.deleteUnseen(c, run2, ['user', 'membership'])).toBe(0);
      });

      it('a row applied by another run after a full run began is never swept', async () => {
        const c = unique('okta');
        await apply(c, 'run-1', {
          objects: [user('u1', {}), user('u2', {}), user('u3', {}), user('gone', {}), group('g1'), group('g2')],
          links: [member('g1', 'u1'), member('g1', 'u3'), member('g1', 'gone'), member('g2', 'u2')],
        });
        const full = await begin(c);
        // The full run reads u1 and u3 and the groups with their members...
        await apply(c, full, { objects: [user('u1', {}), user('u3', {}), group('g1'), group('g2')] });
        // ...while webhook batches (live runs) write u2 (changed), a new user u4 and g2's members,
        // after the full run's read of users had passed them.
        const live = await begin(c, 'live');
        await apply(c, live, {
          objects: [user('u2', { title: 'changed' }), user('u4', {})],
          linkSets: [{ kind: 'membership', parent: 'g2', links: [member('g2', 'u2'), member('g2', 'u4')] }],
        });
        await apply(c, full, { links: [member('g1', 'u1'), member('g1', 'u3')] });

        const kinds = ['user', 'group', 'membership'] as const;
        expect(await store.countUnseen(c, full, [...kinds])).toEqual([
          { kind: 'user', total: 5, unseen: 1 },
          { kind: 'group', total: 2, unseen: 0 },
          { kind: 'membership', total: 5, unseen: 1 },
        ]);
        // Only `gone` and its membership: 2 rows.
        expect(await store.deleteUnseen(c, full, [...kinds])).toBe(2);
        expect(await userIds(c)).toEqual(['u1', 'u2', 'u3', 'u4']);
        expect(await memberPairs(c)).toEqual(['g1>u1', 'g1>u3', 'g2>u2', 'g2>u4']);
      });

      it('links of a user rewritten by a live batch after the full run saw it are not cascaded', async () => {
        const c = unique('okta');
        await apply(c, 'run-1', { objects: [user('u1', {}), group('g1'), group('g2')], links: [member('g1', 'u1'), member('g2', 'u1')] });
        const full = await begin(c);
        await apply(c, full, { objects: [user('u1', {})] });
        // A webhook re-fetch of u1 lands after the full run read it: last seen by the live run now.
        await apply(c, await begin(c, 'live'), { objects: [user('u1', { title: 'promoted' })] });
        await apply(c, full, { objects: [group('g1'), group('g2')], links: [member('g1', 'u1'), member('g2', 'u1')] });

        expect(await store.deleteUnseen(c, full, ['user', 'group', 'membership'])).toBe(0);
        expect((await store.exportData(c, { includeDeleted: false })).users).toEqual([{ id: 'u1', attributes: { title: 'promoted' } }]);
        expect(await memberPairs(c)).toEqual(['g1>u1', 'g2>u1']);
      });

      it('a delta run that began before the full run does not protect what it wrote earlier', async () => {
        const c = unique('okta');
        await apply(c, await begin(c, 'delta'), { objects: [user('u1', {}), user('old', {})] });
        const full = await begin(c);
        await apply(c, full, { objects: [user('u1', {})] });
        expect(await store.countUnseen(c, full, ['user'])).toEqual([{ kind: 'user', total: 2, unseen: 1 }]);
        expect(await store.deleteUnseen(c, full, ['user'])).toBe(1);
        expect(await userIds(c)).toEqual(['u1']);
      });

      it('refuses to count or sweep for a run that was never begun', async () => {
        const c = unique('okta');
        await apply(c, 'run-1', { objects: [user('u1', {})] });
        await expect(store.countUnseen(c, unique('never-begun'), ['user'])).rejects.toThrow(/unknown run/);
        await expect(store.deleteUnseen(c, unique('never-begun'), ['user'])).rejects.toThrow(/unknown run/);
        expect(await userIds(c)).toEqual(['u1']);
      });
    });

    describe('abandoned runs and their staged pages', () => {
      const page = (id: string): StagedPage => ({ objects: [user(id, {})], links: [], deletions: [], linkSets: [] });

      it('marks the connector’s other running or held sync runs failed, never live runs or other connectors', async () => {
        const c = unique('okta');
        const terminated = await begin(c);
        const held = await begin(c, 'delta');
        await store.finishRun(held, 'held');
        const done = await begin(c);
        await store.finishRun(done, 'succeeded');
        const live = await begin(c, 'live');
        const elsewhere = await begin(unique('other'));
        const current = await begin(c);

        const abandoned = await store.abandonRuns(c, current, 'abandoned (workflow terminated or reset)');
        expect(abandoned.sort()).toEqual([terminated, held].sort());
        for (const id of [terminated, held]) {
          expect(await store.getRun(id)).toMatchObject({ status: 'failed', error: 'abandoned (workflow terminated or reset)' });
          expect((await store.getRun(id))!.finishedAt).not.toBeNull();
        }
        expect((await store.getRun(done))!.status).toBe('succeeded');
        expect((await store.getRun(live))!.status).toBe('running');
        expect((await store.getRun(elsewhere))!.status).toBe('running');
        expect((await store.getRun(current))!.status).toBe('running');
        expect(await store.abandonRuns(c, current, 'again')).toEqual([]);
      });

      it('drops stage rows of the connector’s other sync runs, keeps the current run’s and live batches’', async () => {
        const c = unique('okta');
        const failed = await begin(c);
        await store.stagePage(`${failed}/0`, c, page('a'), failed);
        await store.applyStagedPage(`${failed}/0`, c, failed);
        await store.stagePage(`${failed}/1`, c, page('b'), failed);
        const live = await begin(c, 'live');
        await store.stagePage(live, c, page('l'), live);
        const other = unique('other');
        const otherRun = await begin(other);
        await store.stagePage(`${otherRun}/0`, other, page('o'), otherRun);
        const current = await begin(c);
        await store.stagePage(`${current}/0`, c, page('c'), current);

        const longAgo = '2000-01-01T00:00:00.000Z';
        expect(await store.dropStaleStagedPages(c, current, longAgo)).toBe(2);
        await expect(store.applyStagedPage(`${failed}/1`, c, failed)).rejects.toThrow(/unknown stage key/);
        expect((await store.applyStagedPage(`${current}/0`, c, current)).inserted).toBe(1);
        expect((await store.applyStagedPage(live, c, live)).inserted).toBe(1);
        expect((await store.applyStagedPage(`${otherRun}/0`, other, otherRun)).inserted).toBe(1);
        expect(await store.dropStaleStagedPages(c, current, longAgo)).toBe(0);
      });

      it('drops stage rows of any connector by age', async () => {
        const c = unique('okta');
        const run = await begin(c, 'live');
        await store.stagePage(`${run}/old`, c, page('x'), run);
        await store.stagePage(`${run}/untagged`, c, page('y'));
        // Everything staged so far is "older" than a moment from now, whatever run it belongs to.
        const soon = new Date(Date.now() + 60_000).toISOString();
        expect(await store.dropStaleStagedPages(unique('unrelated'), 'none', soon)).toBeGreaterThanOrEqual(2);
        await expect(store.applyStagedPage(`${run}/old`, c, run)).rejects.toThrow(/unknown stage key/);
        await expect(store.applyStagedPage(`${run}/untagged`, c, run)).rejects.toThrow(/unknown stage key/);
      });

      it('pins the connector definition a run began with, as stored', async () => {
        const c = unique('okta');
        const definition = { name: c, config: { apiToken: '{{secret:okta-token}}', domain: '${OKTA_DOMAIN}' }, mapping: { v: 1 } };
        const run = await begin(c, 'full', definition);
        // A retried beginRun keeps the first snapshot.
        await store.beginRun({ runId: run, connector: c, mode: 'full', trigger: 'test', definition: { changed: true } });
        expect(await store.getRunDefinition(run)).toEqual(definition);
        expect(await store.getRunDefinition(await begin(c))).toBeNull();
        expect(await store.getRunDefinition(unique('no-such-run'))).toBeNull();
      });
    });

    describe('runs and logs', () => {
      it('begins idempotently, adds counts and finishes', async () => {
        const c = unique('okta');
        const runId = unique('run');
        const begun = await store.beginRun({ runId, connector: c, mode: 'full', trigger: 'schedule' });
        expect(begun).toMatchObject({ runId, connector: c, mode: 'full', trigger: 'schedule', status: 'running', finishedAt: null, error: null });
        expect(begun.counts).toEqual({ fetched: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0 });
        expect(Date.parse(begun.startedAt)).not.toBeNaN();
        // A retried beginRun returns the run as first begun.
        expect(await store.beginRun({ runId, connector: c, mode: 'delta', trigger: 'cli' })).toEqual(begun);

        await store.addRunCounts(runId, { fetched: 10, inserted: 3 });
        await store.addRunCounts(runId, { fetched: 5, unchanged: 7, deleted: 1, updated: 2 });
        expect((await store.getRun(runId))!.counts).toEqual({ fetched: 15, inserted: 3, updated: 2, unchanged: 7, deleted: 1 });

        const held = await store.finishRun(runId, 'held');
        expect(held).toMatchObject({ status: 'held', finishedAt: null });
        const failed = await store.finishRun(runId, 'failed', 'okta users: 401 Invalid token provided');
        expect(failed.status).toBe('failed');
        expect(failed.error).toBe('okta users: 401 Invalid token provided');
        expect(Date.parse(failed.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(begun.startedAt));

        expect(await store.getRun('missing-' + runId)).toBeNull();
        await expect(store.addRunCounts('missing-' + runId, { fetched: 1 })).rejects.toThrow(/unknown run/);
        await expect(store.finishRun('missing-' + runId, 'succeeded')).rejects.toThrow(/unknown run/);
        await expect(store.setRunMode('missing-' + runId, 'full')).rejects.toThrow(/unknown run/);
      });

      it('a delta run that read in full becomes a full run, and is found as the last full run', async () => {
        const c = unique('mode');
        const runId = unique('run');
        await store.beginRun({ runId, connector: c, mode: 'delta', trigger: 'schedule' });
        await store.setRunMode(runId, 'full');
        await store.finishRun(runId, 'succeeded');
        expect((await store.listRuns(c, 5, { mode: 'full', status: 'succeeded' })).map((r) => r.runId)).toEqual([runId]);
        expect(await store.listRuns(c, 5, { mode: 'delta' })).toEqual([]);
      });

      it('lists a connector’s runs newest first', async () => {
        const c = unique('okta');
        for (const r of ['r1', 'r2', 'r3']) await store.beginRun({ runId: `${c}/${r}`, connector: c, mode: 'delta', trigger: 'cli' });
        await store.beginRun({ runId: `${c}/other`, connector: 'other-' + c, mode: 'delta', trigger: 'cli' });
        expect((await store.listRuns(c, 10)).map((r) => r.runId)).toEqual([`${c}/r3`, `${c}/r2`, `${c}/r1`]);
        expect((await store.listRuns(c, 2)).map((r) => r.runId)).toEqual([`${c}/r3`, `${c}/r2`]);
      });

      it('lists log entries newest first, optionally for one run', async () => {
        const c = unique('okta');
        await store.appendLog({ connector: c, runId: 'r1', level: 'info', message: 'started' });
        await store.appendLog({ connector: c, runId: 'r2', level: 'warn', message: 'rate limited' });
        await store.appendLog({ connector: c, runId: null, level: 'error', message: 'webhook rejected' });
        await store.appendLog({ connector: c, runId: 'r1', level: 'info', message: 'finished' });
        await store.appendLog({ connector: 'other-' + c, runId: 'r1', level: 'info', message: 'elsewhere' });

        const all = await store.listLogs(c, { limit: 10 });
        expect(all.map((e) => e.message)).toEqual(['finished', 'webhook rejected', 'rate limited', 'started']);
        expect(all[1]).toMatchObject({ connector: c, runId: null, level: 'error' });
        expect(Date.parse(all[0].at)).not.toBeNaN();
        expect((await store.listLogs(c, { limit: 2 })).map((e) => e.message)).toEqual(['finished', 'webhook rejected']);
        expect((await store.listLogs(c, { limit: 10, runId: 'r1' })).map((e) => e.message)).toEqual(['finished', 'started']);
      });
    });

    describe('listing objects page by page', () => {
      it('pages by external id after a key, with or without deleted objects', async () => {
        const c = unique('okta');
        const ids = ['u05', 'u01', 'u10', 'u03', 'U02', 'u04'];
        await apply(c, 'r1', { objects: ids.map((id) => user(id, { email: `${id}@example.com` })) });
        await apply(c, 'r1', { objects: [group('g1')], deletions: [{ kind: 'user', id: 'u03' }] });
        await apply(unique('other'), 'r1', { objects: [user('u00', {})] });

        const page = (afterId: string | null, limit: number, includeDeleted: boolean) =>
          store.listObjects(c, 'user', { afterId, limit, includeDeleted });
        // Byte order: upper case sorts before lower case on both engines.
        const first = await page(null, 3, false);
        expect(first).toEqual([
          { id: 'U02', attributes: { email: 'U02@example.com' } },
          { id: 'u01', attributes: { email: 'u01@example.com' } },
          { id: 'u04', attributes: { email: 'u04@example.com' } },
        ]);
        expect((await page('u04', 3, false)).map((o) => o.id)).toEqual(['u05', 'u10']);
        expect(await page('u10', 3, false)).toEqual([]);

        const all = await page('u01', 10, true);
        expect(all.map((o) => [o.id, o.deletedAt === null ? 'live' : typeof o.deletedAt])).toEqual([
          ['u03', 'string'],
          ['u04', 'live'],
          ['u05', 'live'],
          ['u10', 'live'],
        ]);
        expect((await store.listObjects(c, 'group', { afterId: null, limit: 10, includeDeleted: false })).map((o) => o.id)).toEqual(['g1']);
      });
    });

    describe('listing the links of one parent', () => {
      it('lists a group’s live members in child order, and former members only when asked', async () => {
        const c = unique('okta');
        await apply(c, 'r1', {
          objects: [user('u2', {}), user('u1', {}), user('u3', {}), group('g1'), group('g2'), group('g9')],
          links: [member('g1', 'u2'), member('g1', 'u1'), member('g1', 'g9', 'group'), member('g2', 'u3')],
        });
        await apply(c, 'r2', { linkSets: [{ kind: 'membership', parent: 'g1', links: [member('g1', 'u2'), member('g1', 'g9', 'group')] }] });
        await apply(unique('other'), 'r1', { objects: [group('g1'), user('u7', {})], links: [member('g1', 'u7')] });

        expect(await store.listLinks(c, 'membership', 'g1', { includeDeleted: false })).toEqual([
          { parent: 'g1', child: 'g9', childKind: 'group' },
          { parent: 'g1', child: 'u2', childKind: 'user' },
        ]);
        const all = await store.listLinks(c, 'membership', 'g1', { includeDeleted: true });
        expect(all.map((l) => [l.child, l.deletedAt === null ? 'live' : typeof l.deletedAt])).toEqual([
          ['g9', 'live'],
          ['u1', 'string'],
          ['u2', 'live'],
        ]);
        expect(await store.listLinks(c, 'membership', 'g-none', { includeDeleted: true })).toEqual([]);
        expect(await store.listLinks(c, 'appUser', 'g1', { includeDeleted: true })).toEqual([]);
      });
    });

    describe('projection map', () => {
      it('saves, reads back and updates what was projected, per target, source and kind', async () => {
        const target = unique('ad');
        const source = unique('okta');
        expect(await store.getProjections(target, source, 'user', ['u1'])).toEqual([]);
        expect(await store.getProjections(target, source, 'user', [])).toEqual([]);
        await store.saveProjections([
          { target, source, kind: 'user', sourceId: 'u1', targetId: 't-1', hash: 'h1' },
          { target, source, kind: 'user', sourceId: 'u2', targetId: 't-2', hash: 'h2' },
          { target, source, kind: 'group', sourceId: 'u1', targetId: 't-g', hash: 'hg' },
          { target: unique('ldap'), source, kind: 'user', sourceId: 'u1', targetId: 'x', hash: 'x' },
        ]);
        const got = await store.getProjections(target, source, 'user', ['u2', 'u1', 'u9']);
        expect(got.every((r) => !Number.isNaN(Date.parse(r.updatedAt!)))).toBe(true);
        expect(got.map(({ updatedAt: _at, ...r }) => r)).toEqual([
          { target, source, kind: 'user', sourceId: 'u1', targetId: 't-1', hash: 'h1' },
          { target, source, kind: 'user', sourceId: 'u2', targetId: 't-2', hash: 'h2' },
        ]);

        // Upsert by key; within one call the last row of a key wins.
        await store.saveProjections([
          { target, source, kind: 'user', sourceId: 'u1', targetId: 't-1', hash: 'h1-old' },
          { target, source, kind: 'user', sourceId: 'u1', targetId: 't-1b', hash: 'h1-new' },
        ]);
        const [u1] = await store.getProjections(target, source, 'user', ['u1']);
        expect(u1).toMatchObject({ targetId: 't-1b', hash: 'h1-new' });
        expect(await store.getProjections(target, source, 'group', ['u1'])).toMatchObject([{ targetId: 't-g' }]);
        await store.saveProjections([]);
      });
    });

    describe('push state, quarantine and push plans', () => {
      it('keeps what was pushed per target and source, with attributes, enabled and members', async () => {
        const target = unique('scim');
        const source = unique('okta');
        expect(await store.getPushStates(target, source, 'user', [])).toEqual([]);
        await store.savePushStates([
          { target, source, kind: 'user', sourceId: 'u2', targetId: 't-2', attributes: { userName: 'b', emails: [{ value: 'b@x' }] }, enabled: true, hash: 'h2' },
          { target, source, kind: 'user', sourceId: 'u1', targetId: 't-1', attributes: { userName: 'a', nick: null }, enabled: false, hash: 'h1' },
          { target, source, kind: 'group', sourceId: 'g1', targetId: 't-g', attributes: { displayName: 'G' }, enabled: true, members: ['user:u1', 'user:u2'], hash: 'hg' },
          { target: unique('other'), source, kind: 'user', sourceId: 'u1', targetId: 'x', attributes: {}, enabled: true, hash: 'x' },
        ]);
        const users = await store.getPushStates(target, source, 'user', ['u1', 'u2', 'u3']);
        expect(users.map((u) => [u.sourceId, u.targetId, u.enabled])).toEqual([['u1', 't-1', false], ['u2', 't-2', true]]);
        expect(users[0].attributes).toEqual({ userName: 'a', nick: null });
        expect(users[1].attributes).toEqual({ userName: 'b', emails: [{ value: 'b@x' }] });
        expect(users[0].members ?? null).toBeNull();
        expect(users[0].pushedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
        const [g] = await store.getPushStates(target, source, 'group', ['g1']);
        expect(g.members).toEqual(['user:u1', 'user:u2']);
        expect(await store.countPushStates(target, source)).toEqual({ user: 2, group: 1, membership: 2 });

        await store.savePushStates([{ target, source, kind: 'user', sourceId: 'u1', targetId: 't-1', attributes: { userName: 'a2' }, enabled: true, hash: 'h1b' }]);
        const [u1] = await store.getPushStates(target, source, 'user', ['u1']);
        expect(u1).toMatchObject({ attributes: { userName: 'a2' }, enabled: true, hash: 'h1b' });
        expect(await store.deletePushStates(target, source, 'user', ['u1', 'nope'])).toBe(1);
        expect(await store.getPushStates(target, source, 'user', ['u1'])).toEqual([]);
        expect(await store.countPushStates(target, source)).toEqual({ user: 1, group: 1, membership: 2 });
      });

      it('quarantines per object, counts attempts, releases, clears and drops', async () => {
        const target = unique('scim');
        const source = unique('okta');
        await store.quarantine([
          { target, source, kind: 'user', sourceId: 'u1', error: '409 uniqueness' },
          { target, source, kind: 'group', sourceId: 'g1', error: '400 bad' },
        ]);
        await store.quarantine([{ target, source, kind: 'user', sourceId: 'u1', error: '409 again' }]);
        const rows = await store.listQuarantine(target);
        expect(rows.map((r) => [r.kind, r.sourceId, r.attempts, r.status, r.error])).toEqual([
          ['group', 'g1', 1, 'held', '400 bad'],
          ['user', 'u1', 2, 'held', '409 again'],
        ]);
        expect(rows[1].lastFailedAt >= rows[1].firstFailedAt).toBe(true);
        expect(await store.setQuarantineStatus(target, 'released', ['u1'])).toBe(1);
        expect((await store.listQuarantine(target, { sourceIds: ['u1'] })).map((r) => r.status)).toEqual(['released']);
        // A released object that fails again is held again.
        await store.quarantine([{ target, source, kind: 'user', sourceId: 'u1', error: 'still' }]);
        expect((await store.listQuarantine(target, { sourceIds: ['u1'] }))[0]).toMatchObject({ status: 'held', attempts: 3 });
        expect(await store.clearQuarantine(target, source, 'user', ['u1'])).toBe(1);
        expect((await store.listQuarantine(target)).map((r) => r.sourceId)).toEqual(['g1']);
        expect(await store.listQuarantine(unique('none'))).toEqual([]);
        expect(await store.dropQuarantine(target)).toBe(1);
        expect(await store.listQuarantine(target)).toEqual([]);
      });

      it('stores plan pages by run and seq, replaces a re-planned page and drops old runs', async () => {
        const target = unique('scim');
        const run = unique('push');
        const old = unique('push');
        await store.savePushPlanPage({ runId: run, seq: 1, target, kind: 'group', plan: { creates: [{ sourceId: 'g' }] } });
        await store.savePushPlanPage({ runId: run, seq: 0, target, kind: 'user', plan: { creates: [] } });
        await store.savePushPlanPage({ runId: run, seq: 0, target, kind: 'user', plan: { creates: [{ sourceId: 'u' }] } });
        await store.savePushPlanPage({ runId: old, seq: 0, target, kind: 'user', plan: {} });
        expect((await store.listPushPlanPages(run)).map((p) => [p.seq, p.kind, p.plan])).toEqual([
          [0, 'user', { creates: [{ sourceId: 'u' }] }],
          [1, 'group', { creates: [{ sourceId: 'g' }] }],
        ]);
        expect(await store.getPushPlanPage(run, 1)).toMatchObject({ target, kind: 'group' });
        expect(await store.getPushPlanPage(run, 7)).toBeNull();
        // Older than "now + 1 minute": the other run's rows go, this run's go by run id.
        expect(await store.dropPushPlans(target, run, new Date(Date.now() + 60_000).toISOString())).toBe(3);
        expect(await store.listPushPlanPages(old)).toEqual([]);
      });

      it('gets objects by id, live only unless asked', async () => {
        const c = unique('okta');
        const runId = await begin(c);
        await apply(c, runId, { objects: [user('u1', { n: 1 }), user('u2', { n: 2 }), user('u3', { n: 3 })], deletions: [] });
        await apply(c, runId, { deletions: [{ kind: 'user', id: 'u3' }] });
        expect((await store.getObjects(c, 'user', ['u3', 'u1', 'zz'], { includeDeleted: false })).map((o) => o.id)).toEqual(['u1']);
        const all = await store.getObjects(c, 'user', ['u3', 'u1'], { includeDeleted: true });
        expect(all.map((o) => [o.id, o.attributes.n, o.deletedAt !== null])).toEqual([['u1', 1, false], ['u3', 3, true]]);
        expect(await store.getObjects(c, 'user', [], { includeDeleted: true })).toEqual([]);
      });
    });

    describe('watermarks', () => {
      it('upserts by connector and key, and clears one connector’s', async () => {
        const c = unique('okta');
        const other = unique('graph');
        expect(await store.getWatermark(c, 'users')).toBeNull();
        await store.setWatermark(c, 'users', '2024-05-01T00:00:00.000Z');
        await store.setWatermark(c, 'users', '2024-06-01T00:00:00.000Z');
        await store.setWatermark(c, 'groups', 'delta-link-1');
        await store.setWatermark(other, 'users', 'other');
        expect(await store.getWatermark(c, 'users')).toBe('2024-06-01T00:00:00.000Z');
        expect(await store.getWatermark(c, 'groups')).toBe('delta-link-1');

        await store.clearWatermarks(c);
        expect(await store.getWatermark(c, 'users')).toBeNull();
        expect(await store.getWatermark(c, 'groups')).toBeNull();
        expect(await store.getWatermark(other, 'users')).toBe('other');
      });
    });
    describe('identity mesh', () => {
      it('stores mesh definitions by name', async () => {
        const name = unique('mesh');
        expect(await store.getMesh(name)).toBeNull();
        await store.saveMesh({ name, definition: { v: 1 } });
        const second = await store.saveMesh({ name, definition: { v: 2 } });
        expect(second.definition).toEqual({ v: 2 });
        expect((await store.listMeshes()).filter((m) => m.name === name)).toHaveLength(1);
      });

      it('lists objects changed in a time window, deleted ones included, in id order', async () => {
        const c = unique('hr');
        const before = new Date(Date.now() - 1000).toISOString();
        await apply(c, await begin(c), { objects: [user('b', { n: 1 }), user('a', { n: 1 }), user('c', { n: 1 })] });
        await apply(c, await begin(c, 'delta'), { deletions: [{ kind: 'user', id: 'c' }] });
        const until = new Date(Date.now() + 1000).toISOString();
        const all = await store.listChangedObjects(c, 'user', { since: before, until, afterId: null, limit: 10 });
        expect(all.map((o) => [o.id, !!o.deletedAt])).toEqual([['a', false], ['b', false], ['c', true]]);
        expect((await store.listChangedObjects(c, 'user', { since: null, until, afterId: 'a', limit: 1 })).map((o) => o.id)).toEqual(['b']);
        expect(await store.listChangedObjects(c, 'user', { since: until, until: new Date(Date.now() + 5000).toISOString(), afterId: null, limit: 10 })).toEqual([]);
        expect(await store.listChangedObjects(c, 'user', { since: null, until: before, afterId: null, limit: 10 })).toEqual([]);
      });

      it('upserts persons, links, keys and reviews, and reads them back', async () => {
        const mesh = unique('mesh');
        const prov = { department: { source: 'hr', account: 'E1', rule: 'joiner', run: 'r1' } };
        await store.saveMeshPersons([
          { mesh, personId: 'hr:E2', state: 'active', attributes: { department: 'Ops' }, provenance: {} },
          { mesh, personId: 'hr:E1', state: 'active', attributes: { department: 'Sales' }, provenance: prov },
        ]);
        await store.saveMeshPersons([{ mesh, personId: 'hr:E1', state: 'left', attributes: { department: 'Sales' }, provenance: prov }]);
        expect((await store.getMeshPersons(mesh, ['hr:E1', 'nope'])).map((p) => [p.personId, p.state, p.provenance])).toEqual([['hr:E1', 'left', prov]]);
        expect((await store.listMeshPersons(mesh, { afterId: null, limit: 10 })).map((p) => p.personId)).toEqual(['hr:E1', 'hr:E2']);
        expect((await store.listMeshPersons(mesh, { afterId: 'hr:E1', limit: 10 })).map((p) => p.personId)).toEqual(['hr:E2']);

        await store.saveMeshLinks([
          { mesh, connector: 'hr', accountId: 'E1', personId: 'hr:E1', status: 'linked', rule: 'joiner', runId: 'r1' },
          { mesh, connector: 'ad', accountId: 'x', personId: null, status: 'unmatched', rule: null, runId: 'r1' },
          { mesh, connector: 'ad', accountId: 'y', personId: null, status: 'unmatched', rule: null, runId: 'r1' },
        ]);
        await store.saveMeshLinks([{ mesh, connector: 'ad', accountId: 'x', personId: 'hr:E1', status: 'linked', rule: 'emp', runId: 'r2' }]);
        const links = await store.getMeshLinks(mesh, [{ connector: 'ad', accountId: 'x' }, { connector: 'hr', accountId: 'x' }]);
        expect(links.map((l) => [l.connector, l.accountId, l.personId, l.rule, l.runId])).toEqual([['ad', 'x', 'hr:E1', 'emp', 'r2']]);
        expect((await store.listMeshLinksOf(mesh, ['hr:E1'])).map((l) => `${l.connector}/${l.accountId}`)).toEqual(['ad/x', 'hr/E1']);
        expect((await store.listMeshLinksByStatus(mesh, 'unmatched', { after: null, limit: 10 })).map((l) => l.accountId)).toEqual(['y']);
        expect(await store.listMeshLinksByStatus(mesh, 'unmatched', { after: { connector: 'ad', accountId: 'y' }, limit: 10 })).toEqual([]);

        await store.replaceMeshKeys(mesh, [{ owner: 'ad/x', keys: [{ key: 'emp:R', value: 'e1' }, { key: 'mail:L', value: 'a' }] }]);
        await store.replaceMeshKeys(mesh, [{ owner: 'ad/x', keys: [{ key: 'emp:R', value: 'e9' }] }, { owner: 'ad/y', keys: [{ key: 'emp:R', value: 'e9' }] }]);
        expect(await store.findMeshKeys(mesh, 'emp:R', ['e1'])).toEqual([]);
        expect((await store.findMeshKeys(mesh, 'emp:R', ['e9', 'e7'])).map((k) => k.owner)).toEqual(['ad/x', 'ad/y']);
        expect(await store.findMeshKeys(mesh, 'mail:L', ['a'])).toEqual([]);

        await store.saveMeshReviews([{ mesh, connector: 'ad', accountId: 'y', rule: 'emp', reason: 'two candidates', candidates: ['hr:E1', 'hr:E2'], status: 'open' }]);
        await store.saveMeshReviews([{ mesh, connector: 'ad', accountId: 'y', rule: 'emp', reason: 'two candidates', candidates: ['hr:E1', 'hr:E2'], status: 'linked' }]);
        expect(await store.listMeshReviews(mesh, { status: 'open' })).toEqual([]);
        const [review] = await store.listMeshReviews(mesh);
        expect([review.accountId, review.status, review.candidates]).toEqual(['y', 'linked', ['hr:E1', 'hr:E2']]);
      });
    });

    describe('object audit', () => {
      it('names the run that last changed an object, not one that only saw it; a revival is a change', async () => {
        const c = unique('audit');
        const r1 = await begin(c);
        await apply(c, r1, { objects: [user('u1', { email: 'a' }), user('u2', { email: 'b' })] });
        const r2 = await begin(c);
        await apply(c, r2, { objects: [user('u1', { email: 'a' }), user('u2', { email: 'B' })] });
        const a1 = await store.getObjectAudit(c, 'user', 'u1');
        expect(a1).toMatchObject({ id: 'u1', kind: 'user', attributes: { email: 'a' }, changedRun: r1, lastSeenRun: r2, deletedAt: null });
        expect(await store.getObjectAudit(c, 'user', 'u2')).toMatchObject({ attributes: { email: 'B' }, changedRun: r2, lastSeenRun: r2 });
        const r3 = await begin(c, 'delta');
        await apply(c, r3, { deletions: [{ kind: 'user', id: 'u1' }] });
        expect((await store.getObjectAudit(c, 'user', 'u1'))?.deletedAt).toEqual(expect.any(String));
        const r4 = await begin(c, 'delta');
        await apply(c, r4, { objects: [user('u1', { email: 'a' })] });
        expect(await store.getObjectAudit(c, 'user', 'u1')).toMatchObject({ changedRun: r4, lastSeenRun: r4, deletedAt: null });
        expect(await store.getObjectAudit(c, 'user', 'nobody')).toBeNull();
        expect(await store.getObjectAudit(c, 'group', 'u1')).toBeNull();
      });
    });
  });
}
