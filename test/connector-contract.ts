// The behaviour every connector must show against its real server or emulator. A connector's test
// file calls describeConnectorContract with a harness: the harness seeds the server and changes it
// out of band; the suite decides from the connector's MANIFEST which cases apply, so a capability
// that is declared is exercised, and one that is not is skipped with the reason in its name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../connectors/framework/define';
import { can, isLinkClass, readableClasses, type Capability, type Manifest } from '../connectors/framework/manifest';
import type { ConnectorOps } from '../connectors/framework/spi';
import type { ReadWarning, SourceLink, SourceObject, SourceRecord } from '../connectors/types';
import { readWholeWindow } from './support/connector-reads';

/** Case names a harness can declare impossible on its server (with the reason). */
export type ContractCase = 'incomplete' | 'delta-change' | 'delta-delete' | 'create' | 'create-stranger' | 'update' | 'enable' | 'delete' | 'link';

export interface Seeded {
  /** Every object id a full read of the class must return; for link classes `parent>child`. */
  ids: Record<string, string[]>;
  /** Ids the harness can mutate/remove out of band (link classes: parent ids); default all. */
  mutable?: Record<string, string[]>;
}

export interface WriteSample {
  /** A create request's attributes, in the connector's write vocabulary. */
  attributes: Record<string, unknown>;
  /** The attribute that names the object uniquely on the server (a second object with the same
   *  value is refused or collides). */
  uniqueName: string;
  /** One attribute to replace, its new value, and the raw path where the value shows. */
  update: { attribute: string; value: unknown; raw: string };
}

export interface ConnectorHarness {
  name: string;
  /** The connector type's manifest (cases are chosen from it before the server is up). */
  manifest: Manifest;
  open(): Promise<Connector>;
  seed(): Promise<Seeded>;
  mutate(cls: string, id: string): Promise<void>;
  remove(cls: string, id: string): Promise<void>;
  /** Makes a full read of `cls` come back incomplete (a 403, a lost page); returns the undo. */
  makeIncomplete?(cls: string): Promise<() => Promise<void>>;
  /** `variant` tells samples of one run apart; names must be unique per run (servers are shared). */
  writeSample(cls: string, variant: string): WriteSample;
  /** A parent of `linkCls` and at least three children not linked to it now. */
  linkSample?(linkCls: string): Promise<{ parentId: string; childIds: string[] }>;
  /** Whether a raw object of `cls` is enabled (for the setEnabled round trip). */
  enabledOf?(cls: string, raw: Record<string, unknown>): boolean;
  /** Raw paths any write changes (modify timestamps, change counters, etags). */
  volatile?: readonly string[];
  /** Waited before a delta watermark is taken, so seeding falls outside the window's overlap. */
  settleMs?: number;
  /** Why a case cannot run against this server for `cls`, or undefined when it can. */
  unsupported?(c: ContractCase, cls: string): string | undefined;
  /** The classes this harness's connector instance serves, when not every class of the manifest
   *  (a SQL connector reads the one class its objectType names); cases of others are skipped. */
  classes?: readonly string[];
  cleanup(): Promise<void>;
}

const OP: Record<Capability, keyof ConnectorOps> = {
  read: 'readPage', delta: 'readChanges', get: 'getById', create: 'create', update: 'updateDelta',
  delete: 'delete', enable: 'setEnabled', link: 'link', unlink: 'unlink',
};
const CAPABILITIES = Object.keys(OP) as Capability[];

const keyOf = (r: SourceRecord): string => (r.type === 'object' ? r.id : `${r.parentId}>${r.childId}`);
const byChild = (a: SourceLink, b: SourceLink) => a.childId.localeCompare(b.childId);
const duplicates = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function getPath(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
}
function withoutPaths(o: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
  const copy = structuredClone(o);
  for (const p of paths) {
    const keys = p.split('.');
    const parent = getPath(copy, keys.slice(0, -1).join('.')) ?? (keys.length === 1 ? copy : undefined);
    if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[keys[keys.length - 1]!];
  }
  return copy;
}
/** Directory values come as a string or a list of strings: compare them as lists of strings. */
const asList = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(String);

/** Every page of a full read of one class. */
async function readClass(c: Connector, cls: string): Promise<{ records: SourceRecord[]; warnings: ReadWarning[]; pages: number }> {
  const records: SourceRecord[] = [];
  const warnings: ReadWarning[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await c.readPage!(cls, cursor);
    pages++;
    records.push(...page.records);
    warnings.push(...page.warnings);
    cursor = page.nextCursor;
    if (pages > 10_000) throw new Error(`${cls}: the read never ends (10,000 pages)`);
  } while (cursor);
  return { records, warnings, pages };
}

export function describeConnectorContract(h: ConnectorHarness): void {
  const m = h.manifest;
  const objectClasses = Object.keys(m.objectClasses);
  const linkClasses = Object.keys(m.linkClasses);
  const runTag = Date.now().toString(36);

  describe(`connector contract: ${h.name}`, () => {
    let c: Connector;
    let seeded: Seeded;
    const created: { cls: string; id: string }[] = [];

    beforeAll(async () => {
      c = await h.open();
      seeded = await h.seed();
    });
    afterAll(async () => {
      // What the write cases made and did not remove themselves.
      for (const { cls, id } of created.reverse()) {
        if (!c) break;
        if (can(m, cls, 'delete')) await c.delete!(cls, id).catch(() => undefined);
        else await h.remove(cls, id).catch(() => undefined);
      }
      await c?.close();
      await h.cleanup();
    });

    const unserved = (cls: string) => (h.classes && !h.classes.includes(cls) ? `this harness's connector serves only ${h.classes.join(', ')}` : undefined);
    /** A case for `cls`, run when the manifest declares every capability in `caps` and the
     *  harness can stage it; otherwise skipped, saying why. */
    const caseFor = (title: string, cls: string, caps: Capability[], kase: ContractCase | null, fn: () => Promise<void>) => {
      const missing = caps.filter((cap) => !can(m, cls, cap));
      const why = unserved(cls) ?? (missing.length ? `the manifest does not declare ${missing.join(', ')}` : kase ? h.unsupported?.(kase, cls) : undefined);
      if (why) it.skip(`${cls}: ${title} — skipped: ${why}`, fn);
      else it(`${cls}: ${title}`, fn);
    };

    const ids = (cls: string): string[] => {
      const list = seeded.ids[cls];
      if (!list?.length) throw new Error(`harness ${h.name}: seed() gave no ${cls}`);
      return list;
    };
    const mutable = (cls: string): string[] =>
      seeded.mutable?.[cls] ?? (isLinkClass(m, cls) ? [...new Set(ids(cls).map((k) => k.slice(0, k.indexOf('>'))))] : ids(cls));
    const track = (cls: string, id: string) => created.push({ cls, id });
    const forget = (id: string) => created.splice(created.findIndex((x) => x.id === id), 1);

    it('opens with the manifest its type declares, and has every operation the manifest needs', () => {
      expect(c.manifest).toEqual(m);
      const needed = new Set<keyof ConnectorOps>();
      for (const cls of [...objectClasses, ...linkClasses]) {
        for (const cap of CAPABILITIES) {
          if (!can(m, cls, cap)) continue;
          const op = cap === 'get' && isLinkClass(m, cls) ? 'getLinks' : OP[cap];
          needed.add(op);
          if (cap === 'delta') needed.add('currentWatermark');
        }
      }
      for (const op of needed) expect(typeof c[op], `${op}()`).toBe('function');
    });

    describe('reads', () => {
      for (const cls of readableClasses(m)) {
        caseFor('a full read returns every seeded object exactly once, across several pages, with no warning', cls, ['read'], null, async () => {
          const { records, warnings, pages } = await readClass(c, cls);
          expect(warnings).toEqual([]);
          expect(records.every((r) => r.resource === cls && r.type === (isLinkClass(m, cls) ? 'link' : 'object'))).toBe(true);
          const got = records.map(keyOf);
          expect(duplicates(got)).toEqual([]);
          expect([...got].sort()).toEqual([...ids(cls)].sort());
          // The harness seeds more than one page: paging itself is under test.
          expect(pages).toBeGreaterThan(1);
        });
      }

      for (const cls of objectClasses) {
        caseFor('get by id equals the listed object, raw and all; an id that is not there is null', cls, ['read', 'get'], null, async () => {
          const listed = (await readClass(c, cls)).records as SourceObject[];
          const sample = [listed[0], listed[Math.floor(listed.length / 2)], listed[listed.length - 1]];
          for (const o of sample) expect(await c.getById!(cls, o!.id)).toEqual(o);
          const known = new Set(listed.map((o) => o.id));
          const last = sample[0]!.id;
          const absent = [...'0123456789abcdef'].map((ch) => `${last.slice(0, -1)}${ch}`).find((id) => !known.has(id))!;
          expect(await c.getById!(cls, absent)).toBeNull();
        });
      }

      for (const cls of linkClasses) {
        caseFor("getLinks equals the listed links of that parent", cls, ['read', 'get'], null, async () => {
          const listed = (await readClass(c, cls)).records as SourceLink[];
          const parents = [...new Set(listed.map((l) => l.parentId))];
          expect(parents.length).toBeGreaterThan(0);
          for (const parentId of [parents[0]!, parents[parents.length - 1]!]) {
            const expected = listed.filter((l) => l.parentId === parentId).sort(byChild);
            expect((await c.getLinks!(cls, parentId)).sort(byChild)).toEqual(expected);
          }
        });
      }

      for (const cls of readableClasses(m)) {
        const why = unserved(cls) ?? (h.makeIncomplete ? undefined : (h.unsupported?.('incomplete', cls) ?? 'the harness cannot make a read incomplete on this server'));
        const title = 'a read the server cuts short (403, lost page) is marked incomplete, and never passes for whole';
        if (why) {
          it.skip(`${cls}: ${title} — skipped: ${why}`, () => undefined);
          continue;
        }
        caseFor(title, cls, ['read'], 'incomplete', async () => {
          const undo = await h.makeIncomplete!(cls);
          let cut: Awaited<ReturnType<typeof readClass>>;
          try {
            cut = await readClass(c, cls);
          } finally {
            await undo();
          }
          expect(cut.warnings.filter((w) => w.resource === cls && w.incomplete)).not.toEqual([]);
          const got = cut.records.map(keyOf);
          expect(got.length).toBeLessThan(ids(cls).length);
          expect(got.filter((k) => !ids(cls).includes(k))).toEqual([]);
          // Undone, the same read is whole again.
          const whole = await readClass(c, cls);
          expect(whole.warnings).toEqual([]);
          expect(whole.records.map(keyOf).sort()).toEqual([...ids(cls)].sort());
        });
      }
    });

    describe('deltas', () => {
      for (const cls of objectClasses) {
        caseFor('delta after an out-of-band change contains the changed object as it is now', cls, ['delta'], 'delta-change', async () => {
          const id = mutable(cls).at(-1)!;
          await sleep(h.settleMs ?? 0);
          const wm = await c.currentWatermark!([cls]);
          const before = await readWholeWindow(c, [cls], wm);
          expect(before.records.filter((r) => r.type === 'object' && r.id === id)).toEqual([]);
          await h.mutate(cls, id);
          const after = await readWholeWindow(c, [cls], wm);
          expect(after.fullSyncRequired).toBeUndefined();
          const seen = after.records.filter((r): r is SourceObject => r.type === 'object' && r.resource === cls && r.id === id);
          expect(seen).toHaveLength(1);
          if (can(m, cls, 'get')) expect(seen[0]).toEqual(await c.getById!(cls, id));
        });

        caseFor('delta after an out-of-band delete lists the object in deletions', cls, ['delta'], 'delta-delete', async () => {
          const id = mutable(cls).at(-2)!;
          await sleep(h.settleMs ?? 0);
          const wm = await c.currentWatermark!([cls]);
          const before = await readWholeWindow(c, [cls], wm);
          expect(before.deletions).not.toContainEqual({ resource: cls, id });
          await h.remove(cls, id);
          const after = await readWholeWindow(c, [cls], wm);
          expect(after.deletions).toContainEqual({ resource: cls, id });
          expect(after.records.filter((r) => r.type === 'object' && r.id === id)).toEqual([]);
        });
      }

      for (const cls of linkClasses) {
        caseFor("delta after an out-of-band change of a parent's children carries that parent's whole child set", cls, ['delta', 'get'], 'delta-change', async () => {
          const parentId = mutable(cls).at(-1)!;
          await sleep(h.settleMs ?? 0);
          const wm = await c.currentWatermark!([cls]);
          const before = await readWholeWindow(c, [cls], wm);
          expect(before.linkSets.filter((s) => s.parentId === parentId)).toEqual([]);
          const had = await c.getLinks!(cls, parentId);
          await h.mutate(cls, parentId);
          const now = (await c.getLinks!(cls, parentId)).sort(byChild);
          expect(now).not.toEqual(had.sort(byChild));
          const after = await readWholeWindow(c, [cls], wm);
          const sets = after.linkSets.filter((s) => s.resource === cls && s.parentId === parentId);
          expect(sets.length).toBeGreaterThan(0);
          expect(sets.at(-1)!.links.sort(byChild)).toEqual(now);
        });
      }
    });

    describe('writes', () => {
      const create = async (cls: string, variant: string, key = `contract:${runTag}:${variant}`) => {
        const sample = h.writeSample(cls, variant);
        const out = await c.create!(cls, { attributes: sample.attributes, key });
        track(cls, out.targetId);
        return { sample, out, key };
      };

      const listedIds = async (cls: string) => (await readClass(c, cls)).records.map(keyOf);

      for (const cls of objectClasses) {
        caseFor('a retried create adopts its own object: same targetId, one object on the server', cls, ['create', 'read'], 'create', async () => {
          const before = new Set(await listedIds(cls));
          const { sample, out, key } = await create(cls, 'a');
          expect(out.action).toBe('created');
          const again = await c.create!(cls, { attributes: sample.attributes, key });
          expect(again.targetId).toBe(out.targetId);
          expect(['adopted', 'created']).toContain(again.action);
          expect((await listedIds(cls)).filter((id) => !before.has(id))).toEqual([out.targetId]);
        });

        caseFor("a create with the same unique name under another key is refused, and the stranger's object is untouched", cls, ['create', 'read', 'get'], 'create-stranger', async () => {
          const { sample, out } = await create(cls, 's');
          const before = new Set(await listedIds(cls));
          const mine = await c.getById!(cls, out.targetId);
          const other = h.writeSample(cls, 't');
          const stranger = { ...other.attributes, [sample.uniqueName]: sample.attributes[sample.uniqueName] };
          // Tracked if it wrongly succeeds, so the failed case still cleans up after itself.
          const attempt = c.create!(cls, { attributes: stranger, key: `contract:${runTag}:t` }).then((o) => (track(cls, o.targetId), o));
          await expect(attempt).rejects.toThrow();
          expect(await c.getById!(cls, out.targetId)).toEqual(mine);
          expect((await listedIds(cls)).filter((id) => !before.has(id))).toEqual([]);
        });

        caseFor('updating one attribute sets it and leaves every other attribute alone', cls, ['create', 'update', 'get'], 'update', async () => {
          const { sample, out } = await create(cls, 'u');
          const before = (await c.getById!(cls, out.targetId))!;
          expect(getPath(before.raw, sample.update.raw)).not.toEqual(sample.update.value);
          const res = await c.updateDelta!(cls, out.targetId, { replace: { [sample.update.attribute]: sample.update.value } });
          expect(res).toEqual({ targetId: out.targetId, action: 'updated' });
          const after = (await c.getById!(cls, out.targetId))!;
          expect(asList(getPath(after.raw, sample.update.raw))).toEqual(asList(sample.update.value));
          const ignore = [...(h.volatile ?? []), sample.update.raw];
          expect(withoutPaths(after.raw, ignore)).toEqual(withoutPaths(before.raw, ignore));
        });

        caseFor('setEnabled false then true round-trips', cls, ['create', 'enable', 'get'], 'enable', async () => {
          const enabledOf = h.enabledOf ?? (() => {
            throw new Error(`harness ${h.name}: enabledOf is needed for the setEnabled case`);
          });
          const { out } = await create(cls, 'e');
          expect(enabledOf(cls, (await c.getById!(cls, out.targetId))!.raw)).toBe(true);
          expect(await c.setEnabled!(cls, out.targetId, false)).toEqual({ targetId: out.targetId, action: 'disabled' });
          expect(enabledOf(cls, (await c.getById!(cls, out.targetId))!.raw)).toBe(false);
          expect(await c.setEnabled!(cls, out.targetId, true)).toEqual({ targetId: out.targetId, action: 'enabled' });
          expect(enabledOf(cls, (await c.getById!(cls, out.targetId))!.raw)).toBe(true);
        });

        caseFor('delete, then get by id is null and a full read no longer lists it', cls, ['create', 'delete', 'get'], 'delete', async () => {
          const { out } = await create(cls, 'd');
          expect(await c.getById!(cls, out.targetId)).not.toBeNull();
          expect(await c.delete!(cls, out.targetId)).toEqual({ targetId: out.targetId, action: 'deleted' });
          forget(out.targetId);
          expect(await c.getById!(cls, out.targetId)).toBeNull();
          if (can(m, cls, 'read')) expect((await readClass(c, cls)).records.map(keyOf)).not.toContain(out.targetId);
        });
      }

      for (const cls of linkClasses) {
        caseFor('link and unlink several children (a retried batch too); getLinks follows exactly', cls, ['link', 'unlink', 'get'], 'link', async () => {
          if (!h.linkSample) throw new Error(`harness ${h.name}: linkSample is needed for the link case`);
          const { parentId, childIds } = await h.linkSample(cls);
          expect(childIds.length).toBeGreaterThanOrEqual(3);
          const children = async () => (await c.getLinks!(cls, parentId)).map((l) => l.childId).sort();
          const had = await children();
          expect(had.filter((id) => childIds.includes(id))).toEqual([]);
          const ok = (ids: string[]) => ids.map((childId) => ({ childId, ok: true }));
          try {
            expect(await c.link!(cls, parentId, childIds)).toEqual(ok(childIds));
            expect(await children()).toEqual([...had, ...childIds].sort());
            expect(await c.link!(cls, parentId, childIds)).toEqual(ok(childIds));
            expect(await children()).toEqual([...had, ...childIds].sort());
            const [a, b, ...rest] = childIds;
            expect(await c.unlink!(cls, parentId, [a!, b!])).toEqual(ok([a!, b!]));
            expect(await children()).toEqual([...had, ...rest].sort());
            expect(await c.unlink!(cls, parentId, rest)).toEqual(ok(rest));
            expect(await children()).toEqual(had);
          } finally {
            await c.unlink!(cls, parentId, childIds).catch(() => undefined);
          }
        });
      }
    });
  });
}
