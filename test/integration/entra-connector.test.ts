// The entra-id connector against the Graph emulator, at connector level: a full read equals the
// tenant; three delta rounds applied to a model equal the tenant again; expired delta tokens,
// token refusals, missing permissions and throttling behave and say why.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraConnector } from '../../connectors/entra';
import type { Connector } from '../../connectors/framework/define';
import { decodeDeltaState } from '../../connectors/framework/delta-state';
import { ConnectorError } from '../../connectors/errors';
import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph';
import { readAllPages, readWholeWindow } from '../support/connector-reads';
import { expectedFromSnapshot, Model } from '../support/entra-expect';

const ALL = ['users', 'groups', 'memberships', 'apps', 'appUsers'];
let emu: GraphEmulator;
const open: Connector[] = [];

function connector(over: Record<string, unknown> = {}, http: Parameters<typeof createEntraConnector>[2] = {}): Connector {
  const c = createEntraConnector(
    { name: 'entra-test', type: 'entra-id' },
    { tenantId: emu.tenantId, clientId: emu.clientId, clientSecret: emu.clientSecret, authority: emu.url, graphUrl: emu.url, pageSize: 40, ...over },
    http,
  );
  open.push(c);
  return c;
}

async function fullRead(c: Connector): Promise<Model> {
  const m = new Model();
  for (const cls of ALL) m.add((await readAllPages(c, cls)).records);
  return m;
}

beforeAll(async () => {
  // Empty pages with a nextLink are legal on Graph: the emulator sends some.
  emu = await startGraphEmulator({ users: 260, groups: 18, apps: 4, bigGroupMembers: 150, membersPerDeltaEntry: 25, deltaPageSize: 30, emptyPageRate: 0.15, seed: 4 });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await emu?.close();
});

describe('full read', () => {
  it('equals the seeded tenant: users, groups, nested groups, service principals as apps, assignments', async () => {
    const c = connector();
    const snap = emu.admin.snapshot();
    const m = await fullRead(c);
    expect(m.comparable()).toEqual(expectedFromSnapshot(snap));
    // The tenant has what the read must handle: nested groups, and service principals as members (skipped with a count).
    expect(snap.memberships.some((x) => x.memberType === 'group')).toBe(true);
    const spMembers = snap.memberships.filter((x) => x.memberType === 'servicePrincipal').length;
    expect(spMembers).toBeGreaterThan(0);
    const { warnings } = await readAllPages(c, 'memberships');
    const counted = warnings.map((w) => Number(/skipped (\d+) servicePrincipal/.exec(w.message)?.[1] ?? 0)).reduce((a, b) => a + b, 0);
    expect(counted).toBe(spMembers);
    expect(warnings.every((w) => !w.incomplete)).toBe(true);
  });

  it('gets one object by id, and null for one that does not exist', async () => {
    const c = connector();
    const user = emu.admin.snapshot().users[3]!;
    const got = await c.getById!('users', String(user.id));
    expect(got?.raw.userPrincipalName).toBe(user.userPrincipalName);
    expect(got?.raw.accountEnabled).toBe(user.accountEnabled);
    expect(await c.getById!('users', '00000000-0000-0000-0000-000000000000')).toBeNull();
  });
});

describe('delta rounds', () => {
  it('three rounds of changes leave the model equal to the tenant', async () => {
    const c = connector();
    const wm0 = await c.currentWatermark!(ALL);
    const model = await fullRead(c);
    const snap0 = emu.admin.snapshot();
    const big = snap0.groups.find((g) => snap0.memberships.filter((m) => m.groupId === g.id).length >= 100)!;
    const bigMembers = new Set(snap0.memberships.filter((m) => m.groupId === big.id).map((m) => m.memberId));
    const outsiders = snap0.users.map((u) => String(u.id)).filter((id) => !bigMembers.has(id));

    // Round 1: create, attribute update, members added across delta entries and pages, a nested group.
    const created = emu.admin.createUser({ displayName: 'Delta Newcomer', userPrincipalName: 'delta.newcomer@contoso.com', mail: 'delta.newcomer@contoso.com', accountEnabled: true, givenName: 'Delta', surname: 'Newcomer' });
    const updated = snap0.users[5]!;
    emu.admin.updateUser(String(updated.id), { jobTitle: 'Chief Delta Officer', mail: 'cdo@contoso.com', accountEnabled: false });
    emu.admin.addMembers(String(big.id), [String(created.id), ...outsiders.slice(0, 60)]);
    const parent = emu.admin.createGroup({ displayName: 'Delta Parent', mailNickname: 'deltaparent', securityEnabled: true, mailEnabled: false });
    const child = snap0.groups.find((g) => g.id !== big.id)!;
    emu.admin.addMembers(String(parent.id), [String(child.id), String(created.id)]);
    const w1 = await readWholeWindow(c, ALL, wm0);
    expect(w1.fullSyncRequired).toBeUndefined();
    expect(w1.calls).toBeGreaterThan(2);
    model.apply(w1);
    expect(model.comparable()).toEqual(expectedFromSnapshot(emu.admin.snapshot()));
    expect(model.objects.users!.get(String(updated.id))?.mail).toBe('cdo@contoso.com');
    expect(model.links.memberships!.has(`${parent.id}>${child.id}:group`)).toBe(true);
    // Only the read classes advanced, each to its own delta link.
    const st1 = decodeDeltaState(w1.watermark, ALL);
    expect(st1.users).not.toBe(decodeDeltaState(wm0, ALL).users);
    expect(st1.groups).toBe(st1.memberships);

    // Round 2: soft delete, hard delete, members removed across pages.
    const soft = snap0.users[7]!;
    const hard = snap0.users[8]!;
    emu.admin.deleteUser(String(soft.id));
    emu.admin.deleteUser(String(hard.id), { permanent: true });
    emu.admin.removeMembers(String(big.id), [...bigMembers].slice(0, 70));
    const w2 = await readWholeWindow(c, ALL, w1.watermark);
    expect(w2.deletions).toEqual(expect.arrayContaining([{ resource: 'users', id: String(soft.id) }, { resource: 'users', id: String(hard.id) }]));
    model.apply(w2);
    expect(model.comparable()).toEqual(expectedFromSnapshot(emu.admin.snapshot()));

    // Round 3: the soft-deleted user is restored (with its memberships), a group is deleted.
    emu.admin.restore(String(soft.id));
    emu.admin.deleteGroup(String(parent.id));
    const w3 = await readWholeWindow(c, ALL, w2.watermark);
    expect(w3.records.some((r) => r.type === 'object' && r.id === String(soft.id))).toBe(true);
    expect(w3.deletions).toContainEqual({ resource: 'groups', id: String(parent.id) });
    model.apply(w3);
    expect(model.comparable()).toEqual(expectedFromSnapshot(emu.admin.snapshot()));

    // Nothing changed: an empty window that keeps the tokens valid.
    const w4 = await readWholeWindow(c, ALL, w3.watermark);
    expect(w4.records.filter((r) => r.resource === 'users' || r.resource === 'groups')).toEqual([]);
    expect(w4.deletions).toEqual([]);
  });

  it('a delta window read only partly leaves the watermark where it was', async () => {
    const c = connector();
    const wm = await c.currentWatermark!(ALL);
    emu.admin.createUser({ displayName: 'Half Read', userPrincipalName: 'half.read@contoso.com', accountEnabled: true });
    const first = await c.readChanges!(ALL, wm, null);
    expect(first.nextCursor).not.toBeNull();
    expect(first.watermark).toBe(wm);
  });

  it.each(['syncStateNotFound', 'resyncRequired'] as const)('an expired delta token (%s) asks for a full sync, saying why', async (code) => {
    const c = connector();
    const wm = await c.currentWatermark!(ALL);
    emu.admin.expireDeltaTokens(code);
    const w = await readWholeWindow(c, ALL, wm);
    expect(w.fullSyncRequired).toMatch(new RegExp(`410 Gone, ${code}`));
    // A fresh watermark works again.
    const again = await readWholeWindow(c, ALL, await c.currentWatermark!(ALL));
    expect(again.fullSyncRequired).toBeUndefined();
  });

  it('a class without a delta token yet asks for a full sync', async () => {
    const c = connector();
    const wm = await c.currentWatermark!(['users']);
    const w = await readWholeWindow(c, ['users', 'groups'], wm);
    expect(w.fullSyncRequired).toMatch(/no delta token for groups/);
  });
});

describe('credentials and permissions', () => {
  const refusal = async (c: Connector): Promise<ConnectorError> => {
    try {
      await c.readPage!('users', null);
    } catch (e) {
      return e as ConnectorError;
    }
    throw new Error('expected the read to fail');
  };

  it('a wrong secret names config.clientSecret and AADSTS7000215, never the secret', async () => {
    const err = await refusal(connector({ clientSecret: 'wrong-secret-value-123' }));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/AADSTS7000215/);
    expect(err.message).toMatch(/config\.clientSecret/);
    expect(err.message).not.toContain('wrong-secret-value-123');
    const test = await connector({ clientSecret: 'wrong-secret-value-123' }).test!();
    expect(test.status).toBe('failure');
    expect(test.message).toMatch(/token request failed: .*config\.clientSecret/);
  });

  it('an unknown app names config.clientId and AADSTS700016; an unknown tenant config.tenantId', async () => {
    const err = await refusal(connector({ clientId: '99999999-9999-9999-9999-999999999999' }));
    expect(err.message).toMatch(/AADSTS700016.*config\.clientId/);
    const tenant = await refusal(connector({ tenantId: 'no-such-tenant' }));
    expect(tenant.message).toMatch(/AADSTS90002.*config\.tenantId/);
  });

  it('a missing permission ends the class incomplete, naming the permission of seed 004 it needs', async () => {
    emu.admin.setClient({ clientId: 'limited-app', clientSecret: 'limited-secret', permissions: ['User.Read.All'] });
    const c = connector({ clientId: 'limited-app', clientSecret: 'limited-secret' });
    expect((await readAllPages(c, 'users')).records.length).toBeGreaterThan(0);
    const groups = await readAllPages(c, 'groups');
    expect(groups.records).toEqual([]);
    expect(groups.warnings).toHaveLength(1);
    expect(groups.warnings[0]).toMatchObject({ resource: 'groups', incomplete: true });
    expect(groups.warnings[0]!.message).toMatch(/403 Authorization_RequestDenied.*Group\.Read\.All.*admin consent/);
    const apps = await readAllPages(c, 'apps');
    expect(apps.warnings[0]!.message).toMatch(/Directory\.Read\.All/);
    // A refused class gets no delta token (its delta run becomes a full one); the others do.
    const wm = await c.currentWatermark!(ALL);
    expect(Object.keys(decodeDeltaState(wm, ALL)).sort()).toEqual(['appUsers', 'apps', 'users']);
    expect((await readWholeWindow(c, ALL, wm)).fullSyncRequired).toMatch(/no delta token for groups, memberships/);
    const test = await c.test!();
    expect(test.status).toBe('failure');
    expect(test.message).toMatch(/permission \(403\) failed: .*Group\.Read\.All/);
  });

  it('one token serves many requests, a revoked one is replaced once, and a short-lived one is renewed before it expires', async () => {
    const c = connector();
    const before = emu.admin.stats().tokensIssued;
    await readAllPages(c, 'users');
    await readAllPages(c, 'groups');
    expect(emu.admin.stats().tokensIssued - before).toBe(1);
    emu.admin.revokeTokens(emu.clientId);
    expect((await readAllPages(c, 'users')).records.length).toBe(emu.admin.snapshot().users.length);
    expect(emu.admin.stats().tokensIssued - before).toBe(2);

    emu.admin.setOptions({ tokenTtlSeconds: 2 });
    try {
      const d = connector();
      await d.readPage!('users', null);
      const issued = emu.admin.stats().tokensIssued;
      await new Promise((r) => setTimeout(r, 1900));
      await d.readPage!('users', null);
      expect(emu.admin.stats().tokensIssued).toBe(issued + 1);
    } finally {
      emu.admin.setOptions({ tokenTtlSeconds: 3599 });
    }
  });
});

describe('throttling', () => {
  it.each([429, 503] as const)('%i with a fractional Retry-After is waited out, then the read goes on', async (status) => {
    const waits: number[] = [];
    const c = connector({}, { sleep: (ms) => (waits.push(ms), new Promise((r) => setTimeout(r, ms))) });
    await c.readPage!('users', null);
    emu.admin.failNext(2, status, 0.35);
    const started = Date.now();
    const { records } = await readAllPages(c, 'users');
    expect(records.length).toBe(emu.admin.snapshot().users.length);
    expect(waits.filter((w) => w === 350)).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
  });

  it('a wait one run is told holds the other runs of the same app and tenant', async () => {
    const waitsA: number[] = [];
    const waitsB: number[] = [];
    const slow = (into: number[]) => (ms: number) => (into.push(ms), new Promise<void>((r) => setTimeout(r, ms)));
    const a = connector({}, { sleep: slow(waitsA) });
    const b = connector({}, { sleep: slow(waitsB) });
    await Promise.all([a.readPage!('users', null), b.readPage!('users', null)]);
    emu.admin.failNext(1, 429, 1);
    const pa = a.readPage!('users', null);
    await new Promise((r) => setTimeout(r, 150));
    await Promise.all([pa, b.readPage!('users', null)]);
    expect(waitsA).toEqual([1000]);
    // B never got a 429 itself: it waited out the rest of A's Retry-After.
    expect(waitsB).toHaveLength(1);
    expect(waitsB[0]).toBeGreaterThan(500);
    expect(waitsB[0]).toBeLessThanOrEqual(1000);
  });
});

describe('partial delta entries', () => {
  // Graph returns a changed object with "at least the properties that have been updated". A
  // pass-through proxy in front of a second emulator answers delta pages with only some of the
  // $selected properties, as Graph may; every other byte is the emulator's.
  let proxy: Server;
  let partialEmu: GraphEmulator;
  const STRIPPED = ['mail', 'givenName', 'employeeId'];

  beforeAll(async () => {
    let target = 0;
    proxy = createServer((req, res) => {
      const up = httpRequest({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const url = new URL(req.url ?? '/', 'http://proxy');
        const strip = url.pathname.endsWith('/users/delta') && url.searchParams.has('$deltatoken') && url.searchParams.get('$deltatoken') !== 'latest';
        if (!strip) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { value?: Record<string, unknown>[] };
          for (const v of body.value ?? []) for (const k of STRIPPED) delete v[k];
          const text = JSON.stringify(body);
          res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.end(text);
        });
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    partialEmu = await startGraphEmulator({ users: 30, groups: 4, apps: 1, bigGroupMembers: 0, publicUrl: proxyUrl, seed: 5 });
    target = partialEmu.port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    await partialEmu?.close();
  });

  it('an entry missing $selected properties is read whole by id, so the model never loses attributes', async () => {
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const c = createEntraConnector(
      { name: 'entra-partial', type: 'entra-id' },
      { tenantId: partialEmu.tenantId, clientId: partialEmu.clientId, clientSecret: partialEmu.clientSecret, authority: proxyUrl, graphUrl: proxyUrl, pageSize: 10 },
    );
    open.push(c);
    const wm = await c.currentWatermark!(ALL);
    const model = await fullRead(c);
    const user = partialEmu.admin.snapshot().users.find((u) => u.mail && u.givenName)!;
    partialEmu.admin.updateUser(String(user.id), { jobTitle: 'Partial Update' });
    const w = await readWholeWindow(c, ALL, wm);
    const rec = w.records.find((r) => r.type === 'object' && r.id === String(user.id));
    expect(rec?.type === 'object' && rec.raw.mail).toBe(user.mail);
    model.apply(w);
    expect(model.comparable()).toEqual(expectedFromSnapshot(partialEmu.admin.snapshot()));
  });
});
