// The connector contract against the repo's SCIM server (scimmy over SQLite, real HTTP). The SCIM
// server has no permission model, so the connector reaches it through a pass-through proxy that,
// when armed, answers 403 to the second page of one list — every other byte is the real server's.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createScimConnector, scimType } from '../../connectors/scim';
import { DEFAULT_TOKEN, SCIM_PATH, startScimServer, type ScimServer } from '../../emulators/scim';
import { describeConnectorContract, type Seeded } from '../connector-contract';

const PAGE = 5;
const run = Date.now().toString(36);
const LIST: Record<string, string> = { users: '/Users', groups: '/Groups', memberships: '/Groups' };
let srv: ScimServer;
let proxy: Server;
/** Path below the SCIM base whose pages after the first answer 403, or null. */
let refuse: string | null = null;

async function startProxy(target: ScimServer): Promise<string> {
  proxy = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const startIndex = Number(url.searchParams.get('startIndex') ?? '1');
    if (refuse && req.method === 'GET' && url.pathname === `${SCIM_PATH}${refuse}` && startIndex > 1) {
      res.writeHead(403, { 'content-type': 'application/scim+json', date: new Date().toUTCString() });
      res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: 'this token may not page through the list' }));
      return;
    }
    const up = httpRequest({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${SCIM_PATH}`;
}

/** Out of band: straight to the SCIM server, as another SCIM client would. */
async function scim(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${srv.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${DEFAULT_TOKEN}`, 'content-type': 'application/scim+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}
const patchOp = (op: string, path: string, value: unknown) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op, path, value }] });

let userIds: string[] = [];
let groupIds: string[] = [];

describeConnectorContract({
  name: 'scim (scimmy server)',
  manifest: scimType.manifest,
  async open() {
    srv = await startScimServer({ port: 0 });
    const baseUrl = await startProxy(srv);
    return createScimConnector({ name: 'contract-scim', type: 'scim' }, { baseUrl, auth: { type: 'bearer', token: DEFAULT_TOKEN }, pageSize: PAGE }, { maxAttempts: 2, backoffBaseMs: 5, backoffMaxMs: 20 });
  },
  async seed(): Promise<Seeded> {
    const users = Array.from({ length: 12 }, (_, i) => ({
      userName: `seed${i}-${run}@example.com`, displayName: `Seed ${i}`, name: { givenName: 'Seed', familyName: `N${i}` }, active: true,
    }));
    const groups = Array.from({ length: 7 }, (_, i) => ({ displayName: `seed-group-${i}-${run}`, members: [i, i + 1, i + 2].map((k) => users[k % users.length]!.userName) }));
    const res = srv.seed(users, groups);
    userIds = users.map((u) => res.users.get(u.userName)!);
    groupIds = groups.map((g) => res.groups.get(g.displayName)!);
    return {
      ids: { users: userIds, groups: groupIds, memberships: groupIds.flatMap((g) => srv.memberIds(g).map((m) => `${g}>${m}`)) },
    };
  },
  async mutate(cls, id) {
    if (cls === 'users') await scim('PATCH', `/Users/${id}`, patchOp('replace', 'title', `changed ${run}`));
    else if (cls === 'groups') await scim('PATCH', `/Groups/${id}`, patchOp('replace', 'displayName', `changed-${id}`));
    else if (cls === 'memberships') {
      const outsider = userIds.find((u) => !srv.memberIds(id).includes(u))!;
      await scim('PATCH', `/Groups/${id}`, patchOp('add', 'members', [{ value: outsider }]));
    } else throw new Error(`contract-scim: cannot change ${cls} out of band`);
  },
  async remove(cls, id) {
    await scim('DELETE', `${LIST[cls]}/${id}`);
  },
  async makeIncomplete(cls) {
    refuse = LIST[cls]!;
    return async () => {
      refuse = null;
    };
  },
  writeSample(cls, variant) {
    if (cls === 'groups') {
      return { attributes: { displayName: `contract-${run}-${variant}` }, uniqueName: 'displayName', update: { attribute: 'displayName', value: `contract-${run}-${variant}-renamed`, raw: 'displayName' } };
    }
    return {
      attributes: { userName: `contract-${run}-${variant}@example.com`, displayName: `Contract ${variant}`, 'name.givenName': 'Contract', 'name.familyName': variant, title: `before ${variant}` },
      uniqueName: 'userName',
      update: { attribute: 'title', value: `after ${variant}`, raw: 'title' },
    };
  },
  async linkSample() {
    // Group 0 holds users 0-2; users 3-5 are outside it and no delta case touches them.
    return { parentId: groupIds[0]!, childIds: userIds.slice(3, 6) };
  },
  enabledOf: (_cls, raw) => raw.active === true,
  volatile: ['meta.lastModified', 'meta.version'],
  // A delta's mark is the server's Date header (whole seconds) less a second: seeding must be older.
  settleMs: 2500,
  unsupported(kase, cls) {
    if (kase === 'delta-delete') return 'SCIM has no tombstones: deletions are found by full runs (sync.fullInterval)';
    if (kase === 'create-stranger' && cls === 'groups') return 'a SCIM group displayName is not unique (RFC 7643 §4.2): another group of that name is another object, not a collision';
    return undefined;
  },
  async cleanup() {
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    await srv?.close();
  },
});
