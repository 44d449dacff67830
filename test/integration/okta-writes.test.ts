// The Okta connector's writes (seed 001) through its own operations against the Okta emulator,
// each checked with raw GETs of what the org then holds: mandatory fields refused before any
// request, idempotent creates that adopt their own user and never a stranger's, attribute-level
// updates that leave the rest alone (partial POST and whole-profile PUT), `[a;;b]` multi-valued
// custom attributes through read → store → write, enable/disable, the two-step delete, groups,
// batched memberships, and Okta's errorCauses in the messages.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMultiValued } from '../../config/multi-valued';
import { can } from '../../connectors/framework/manifest';
import { ConnectorError } from '../../connectors/errors';
import { oktaType, type OktaConnector } from '../../connectors/okta';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';
import { createRecordMapper } from '../../pipeline/mapper';
import { oktaTestConnector, testDefinition } from '../support/okta-reading';

const TOKEN = 'okta-writes-token';
const PASSWORD = 'Tiger-Sync-2026';
let emu: OktaEmulator;
const open: OktaConnector[] = [];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: { authorization: `SSWS ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
}
const get = async (path: string) => {
  const res = await api('GET', path);
  expect(res.status, `GET ${path}`).toBe(200);
  return res.body;
};
const stats = async () => (await get('/__emulator/stats')) as { requests: Record<string, number> };
const liveUsers = () => emu.state.users.filter((u) => !u.deleted).length;

function connector(extra: Record<string, unknown> = {}): OktaConnector {
  const c = oktaTestConnector(emu.url, TOKEN, extra);
  open.push(c);
  return c;
}

const CUSTOM = { customAttributes: { users: [{ name: 'skills', multiValued: true }, { name: 'tigerKey' }] } };

const userAttrs = (login: string, extra: Record<string, unknown> = {}) => ({
  'profile.login': login,
  'profile.email': login,
  'profile.firstName': 'Ada',
  'profile.lastName': login.split('@')[0],
  'credentials.password.value': PASSWORD,
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the write to fail').toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}

beforeAll(async () => {
  // Seed 17 holds APP_GROUPs (refused below) among its groups.
  emu = await startOktaEmulator({ port: 0, users: 80, groups: 40, apps: 3, seed: 17, apiToken: TOKEN, membershipsPerGroup: 4 });
  const declared = await api('POST', '/api/v1/meta/schemas/user/default', {
    definitions: {
      custom: {
        id: '#custom',
        type: 'object',
        properties: { skills: { title: 'Skills', type: 'array', items: { type: 'string' } }, tigerKey: { title: 'Provisioning key', type: 'string' } },
        required: [],
      },
    },
  });
  expect(declared.status).toBe(200);
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await emu?.close();
});

describe('okta manifest', () => {
  it('declares the writes seed 001 asks for, and the connector implements them', () => {
    const m = oktaType.manifest;
    for (const w of ['create', 'update', 'delete', 'enable'] as const) expect(can(m, 'users', w)).toBe(true);
    for (const w of ['create', 'update', 'delete'] as const) expect(can(m, 'groups', w)).toBe(true);
    expect(can(m, 'groups', 'enable')).toBe(false);
    expect(can(m, 'memberships', 'link') && can(m, 'memberships', 'unlink')).toBe(true);
    expect(can(m, 'apps', 'create')).toBe(false);
    expect(m.objectClasses.users.pathAliases?.['name.givenName']).toBe('profile.firstName');
    expect(m.objectClasses.users.pushMapping).toMatchObject({ 'profile.login': 'login', 'profile.email': 'email' });
    const c = connector();
    expect(typeof c.create).toBe('function');
    expect(typeof c.link).toBe('function');
  });
});

describe('okta user create', () => {
  it('refuses missing mandatory fields before any request, naming each in the caller\'s vocabulary', async () => {
    const c = connector();
    const before = { users: liveUsers(), requests: (await stats()).requests.users };

    const okta = await failure(c.create('users', { key: 'src:1', attributes: { 'profile.login': 'missing@example.com', 'profile.title': 'x' } }));
    expect(okta.kind).toBe('bad-request');
    expect(okta.message).toContain('missing mandatory profile.firstName (GivenName), profile.lastName (FamilyName), profile.email (Email), credentials.password.value (Password)');
    expect(okta.message).not.toContain('profile.login (');

    const scim = await failure(c.create('users', { key: 'src:2', attributes: { userName: 'missing2@example.com', 'name.givenName': 'Grace' } }));
    expect(scim.message).toContain('missing mandatory name.familyName (FamilyName), emails[0].value (Email), password (Password)');

    const notEmail = await failure(c.create('users', { key: 'src:3', attributes: userAttrs('not-an-email') }));
    expect(notEmail.message).toContain('profile.login (Username) must be in the form of an email address');

    const unknown = await failure(c.create('users', { key: 'src:4', attributes: { ...userAttrs('odd@example.com'), status: 'ACTIVE', 'emails[primary eq true].value': 'odd@example.com' } }));
    expect(unknown.message).toContain('status: is changed by enabling or disabling the user');
    expect(unknown.message).toContain('emails[primary eq true].value and profile.email both set profile.email');

    expect(liveUsers()).toBe(before.users);
    expect((await stats()).requests.users).toBe(before.requests);
  });

  it('creates an active user from Okta or SCIM paths, with the password set', async () => {
    const c = connector();
    const made = await c.create('users', { key: 'src:10', attributes: userAttrs('ada.create@example.com', { 'profile.title': 'Engineer' }) });
    expect(made.action).toBe('created');
    const u = await get(`/api/v1/users/${made.targetId}`);
    expect(u.status).toBe('ACTIVE');
    expect(u.profile).toEqual({ login: 'ada.create@example.com', email: 'ada.create@example.com', firstName: 'Ada', lastName: 'ada.create', title: 'Engineer' });
    expect(u.passwordChanged).toEqual(expect.any(String));

    const scim = await c.create('users', {
      key: 'src:11',
      enabled: false,
      attributes: { userName: 'grace@example.com', 'emails[0].value': 'grace@example.com', 'name.givenName': 'Grace', 'name.familyName': 'Hopper', password: PASSWORD, title: 'Admiral' },
    });
    const g = await get(`/api/v1/users/${scim.targetId}`);
    expect(g.status).toBe('STAGED');
    expect(g.profile).toEqual({ login: 'grace@example.com', email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', title: 'Admiral' });
  });

  it('a retried create adopts its own user, and refuses a stranger\'s with the same login', async () => {
    const c = connector();
    const attrs = userAttrs('retry@example.com', { 'profile.department': 'R&D' });
    const first = await c.create('users', { key: 'src:20', attributes: attrs });
    const count = liveUsers();
    // Same login in another case: Okta logins are case-insensitive.
    const again = await c.create('users', { key: 'src:20', attributes: { ...attrs, 'profile.login': 'Retry@Example.com' } });
    expect(again).toEqual({ targetId: first.targetId, action: 'adopted' });
    expect(liveUsers()).toBe(count);

    const stranger = await api('POST', '/api/v1/users?activate=true', {
      profile: { login: 'taken@example.com', email: 'taken@example.com', firstName: 'Someone', lastName: 'Else' },
    });
    expect(stranger.status).toBe(200);
    const before = await get(`/api/v1/users/${stranger.body.id}`);
    const err = await failure(c.create('users', { key: 'src:21', attributes: userAttrs('taken@example.com', { 'profile.lastName': 'Else' }) }));
    expect(err.kind).toBe('bad-request');
    expect(err.message).toContain('cannot create user "taken@example.com"');
    expect(err.message).toContain('Okta already has a user with this login that this identity did not create (it differs in profile.firstName)');
    expect(await get(`/api/v1/users/${stranger.body.id}`)).toEqual(before);
    expect(liveUsers()).toBe(count + 1);
  });

  it('with keyAttribute, adoption goes by the recorded key, not by equal attributes', async () => {
    const c = connector({ ...CUSTOM, keyAttribute: 'tigerKey' });
    const attrs = userAttrs('keyed@example.com');
    const first = await c.create('users', { key: 'hr:42', attributes: attrs });
    expect((await get(`/api/v1/users/${first.targetId}`)).profile.tigerKey).toBe('hr:42');
    expect(await c.create('users', { key: 'hr:42', attributes: attrs })).toEqual({ targetId: first.targetId, action: 'adopted' });
    const err = await failure(c.create('users', { key: 'hr:43', attributes: attrs }));
    expect(err.message).toContain('it differs in profile.tigerKey (the identity key)');
  });

  it('turns Okta\'s errors into per-object messages listing every errorCause', async () => {
    const c = connector();
    const err = await failure(c.create('users', { key: 'src:30', attributes: userAttrs('causes@example.com', { 'profile.nosuch': 'x', 'credentials.password.value': 'weak' }) }));
    expect(err.kind).toBe('bad-request');
    expect(err.message).toMatch(/^okta connector "okta-it": cannot create user "causes@example\.com": Okta refused POST \/api\/v1\/users as invalid \(E0000001 /);
    expect(err.message).toContain("Property name 'nosuch' is not defined in profile");
    expect(err.message).toContain('password: Password requirements were not met');

    const missing = await failure(c.updateDelta('users', '00uNoSuchUser0000000', { add: { 'profile.skills': ['x'] } }));
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toContain('cannot update user 00uNoSuchUser0000000');
    const gone = await failure(c.setEnabled('users', '00uNoSuchUser0000000', true));
    expect(gone.message).toContain('Okta has no such user (E0000007)');
  });
});

describe('okta user update', () => {
  it('a partial update of one attribute leaves every other attribute as it was', async () => {
    const c = connector();
    const made = await c.create('users', { key: 'src:40', attributes: userAttrs('partial@example.com', { 'profile.title': 'Engineer', 'profile.department': 'Platform', 'profile.city': 'Oslo' }) });
    const before = await get(`/api/v1/users/${made.targetId}`);
    expect(await c.updateDelta('users', made.targetId, { replace: { 'profile.title': 'Staff Engineer' } })).toEqual({ targetId: made.targetId, action: 'updated' });
    const after = await get(`/api/v1/users/${made.targetId}`);
    expect(after.profile).toEqual({ ...before.profile, title: 'Staff Engineer' });
    expect(after.status).toBe(before.status);

    await c.updateDelta('users', made.targetId, { replace: { 'profile.city': null, 'name.familyName': 'Lovelace' } });
    // Okta answers a cleared property as null.
    const cleared = await get(`/api/v1/users/${made.targetId}`);
    expect(cleared.profile).toEqual({ ...before.profile, city: null, title: 'Staff Engineer', lastName: 'Lovelace' });
    expect(await c.updateDelta('users', made.targetId, {})).toEqual({ targetId: made.targetId, action: 'unchanged' });
  });

  it('with updateMethod put, reads, merges and PUTs the whole profile: unnamed attributes stay', async () => {
    const c = connector({ updateMethod: 'put' });
    const made = await c.create('users', { key: 'src:41', attributes: userAttrs('put@example.com', { 'profile.title': 'Engineer', 'profile.department': 'Platform' }) });
    const before = await get(`/api/v1/users/${made.targetId}`);
    await c.updateDelta('users', made.targetId, { replace: { 'profile.department': 'Security' } });
    expect((await get(`/api/v1/users/${made.targetId}`)).profile).toEqual({ ...before.profile, department: 'Security' });
    // Clearing a required attribute: Okta refuses, the message names the field, nothing changes.
    const err = await failure(c.updateDelta('users', made.targetId, { replace: { 'profile.firstName': null } }));
    expect(err.message).toContain('firstName: The field cannot be left blank');
    expect((await get(`/api/v1/users/${made.targetId}`)).profile).toEqual({ ...before.profile, department: 'Security' });
    expect(await c.updateDelta('users', made.targetId, { replace: { 'profile.department': 'Security' } })).toEqual({ targetId: made.targetId, action: 'unchanged' });
  });

  it('refuses a bad delta before any request', async () => {
    const c = connector();
    const made = await c.create('users', { key: 'src:42', attributes: userAttrs('baddelta@example.com', { 'profile.title': 'T' }) });
    const requests = (await stats()).requests.users;
    const err = await failure(c.updateDelta('users', made.targetId, { replace: { active: false, 'profile.title': 'U' }, add: { 'profile.title': ['x'] } }));
    expect(err.message).toContain('active: is changed by enabling or disabling the user');
    expect(err.message).toContain('profile.title: both replaced and added to or removed from in one change');
    expect((await stats()).requests.users).toBe(requests);
    expect((await get(`/api/v1/users/${made.targetId}`)).profile.title).toBe('T');
  });
});

describe('okta multi-valued custom attributes', () => {
  it('[a;;b] values survive write → read → store → write, and add/remove touch single values', async () => {
    const c = connector(CUSTOM);
    const made = await c.create('users', { key: 'src:50', attributes: userAttrs('skills@example.com', { 'profile.skills': '[go;;rust\\;s]' }) });
    expect((await get(`/api/v1/users/${made.targetId}`)).profile.skills).toEqual(['go', 'rust;s']);

    // Read through the connector and mapped as a sync maps it: the store holds an array.
    const def = { ...testDefinition(), config: { ...CUSTOM }, mapping: { user: { skills: 'profile.skills', login: 'userName' } } };
    const mapper = createRecordMapper(def, oktaType.manifest);
    const read = await c.getById('users', made.targetId);
    const staged = mapper.toStaged([read!], 'full').objects[0]!;
    expect(staged.attrs).toMatchObject({ skills: ['go', 'rust;s'], login: 'skills@example.com' });

    // Written back from the store, as an array and in [a;;b] form: Okta holds the same list.
    const copy = await c.create('users', { key: 'src:51', attributes: userAttrs('skills.copy@example.com', { 'profile.skills': staged.attrs.skills }) });
    expect((await get(`/api/v1/users/${copy.targetId}`)).profile.skills).toEqual(['go', 'rust;s']);
    await c.updateDelta('users', copy.targetId, { replace: { 'profile.skills': formatMultiValued(staged.attrs.skills as string[]) } });
    expect((await get(`/api/v1/users/${copy.targetId}`)).profile.skills).toEqual(['go', 'rust;s']);

    const before = await get(`/api/v1/users/${made.targetId}`);
    await c.updateDelta('users', made.targetId, { add: { 'profile.skills': ['zig', 'go'] }, remove: { 'profile.skills': ['rust;s'] } });
    const after = await get(`/api/v1/users/${made.targetId}`);
    expect(after.profile).toEqual({ ...before.profile, skills: ['go', 'zig'] });

    const single = await failure(c.updateDelta('users', made.targetId, { add: { 'profile.title': ['x'] } }));
    expect(single.message).toContain('profile.title: is not multi-valued (declare it in config.customAttributes.users with multiValued: true)');
  });
});

describe('okta user lifecycle', () => {
  it('enables and disables through lifecycle operations, idempotently', async () => {
    const c = connector();
    const made = await c.create('users', { key: 'src:60', enabled: false, attributes: userAttrs('life@example.com') });
    const status = async () => (await get(`/api/v1/users/${made.targetId}`)).status;
    expect(await status()).toBe('STAGED');
    expect((await c.setEnabled('users', made.targetId, true)).action).toBe('enabled');
    expect(await status()).toBe('ACTIVE');
    expect((await c.setEnabled('users', made.targetId, true)).action).toBe('unchanged');
    expect((await c.setEnabled('users', made.targetId, false)).action).toBe('disabled');
    expect(await status()).toBe('DEPROVISIONED');
    expect((await c.setEnabled('users', made.targetId, false)).action).toBe('unchanged');
    expect((await c.setEnabled('users', made.targetId, true)).action).toBe('enabled');
    expect(await status()).toBe('ACTIVE');

    expect((await api('POST', `/api/v1/users/${made.targetId}/lifecycle/suspend`)).status).toBe(200);
    expect((await c.setEnabled('users', made.targetId, true)).action).toBe('enabled');
    expect(await status()).toBe('ACTIVE');

    // Disabling deactivates from any state, a suspended or never-activated user included.
    expect((await api('POST', `/api/v1/users/${made.targetId}/lifecycle/suspend`)).status).toBe(200);
    expect((await c.setEnabled('users', made.targetId, false)).action).toBe('disabled');
    expect(await status()).toBe('DEPROVISIONED');
    const staged = await c.create('users', { key: 'src:63', attributes: { ...userAttrs('life2@example.com'), Active: false } });
    expect((await get(`/api/v1/users/${staged.targetId}`)).status).toBe('STAGED');
    expect((await c.setEnabled('users', staged.targetId, false)).action).toBe('disabled');
    expect((await get(`/api/v1/users/${staged.targetId}`)).status).toBe('DEPROVISIONED');
  });

  it('deletes in Okta\'s two steps (deactivate, then delete); a second delete finds it gone and is done', async () => {
    const c = connector();
    const made = await c.create('users', { key: 'src:61', attributes: userAttrs('gone@example.com') });
    expect(await c.delete('users', made.targetId)).toEqual({ targetId: made.targetId, action: 'deleted' });
    expect((await api('GET', `/api/v1/users/${made.targetId}`)).status).toBe(404);
    const events = (await get(`/api/v1/logs?filter=${encodeURIComponent(`target.id eq "${made.targetId}"`)}`)) as unknown as Json[];
    expect(events.map((e) => e.eventType)).toEqual(expect.arrayContaining(['user.lifecycle.deactivate', 'user.lifecycle.delete.initiated']));
    expect(await c.delete('users', made.targetId)).toEqual({ targetId: made.targetId, action: 'deleted' });

    // Already deactivated: the first DELETE deletes, the second finds nothing.
    const staged = await c.create('users', { key: 'src:62', attributes: userAttrs('gone2@example.com') });
    await c.setEnabled('users', staged.targetId, false);
    await c.delete('users', staged.targetId);
    expect((await api('GET', `/api/v1/users/${staged.targetId}`)).status).toBe(404);
  });
});

describe('okta groups and memberships', () => {
  it('creates (adopting its own on retry), updates one attribute, refuses APP_GROUPs, deletes', async () => {
    const c = connector();
    const missing = await failure(c.create('groups', { key: 'g:0', attributes: { 'profile.description': 'no name' } }));
    expect(missing.message).toContain('missing mandatory profile.name (Name)');

    const made = await c.create('groups', { key: 'g:1', attributes: { 'profile.name': 'Tiger Engineers', 'profile.description': 'All engineers' } });
    expect(made.action).toBe('created');
    expect(await c.create('groups', { key: 'g:1', attributes: { 'profile.name': 'Tiger Engineers', 'profile.description': 'All engineers' } })).toEqual({ targetId: made.targetId, action: 'adopted' });
    const stranger = await failure(c.create('groups', { key: 'g:2', attributes: { 'profile.name': 'Tiger Engineers', 'profile.description': 'Other' } }));
    expect(stranger.message).toContain('Okta already has an OKTA_GROUP with this name that this identity did not create (it differs in profile.description)');

    await c.updateDelta('groups', made.targetId, { replace: { description: 'Engineers and SREs' } });
    const g = await get(`/api/v1/groups/${made.targetId}`);
    expect(g.profile).toEqual({ name: 'Tiger Engineers', description: 'Engineers and SREs' });
    expect(g.type).toBe('OKTA_GROUP');

    const appGroup = emu.state.groups.find((x) => x.type === 'APP_GROUP' && !x.deleted)!;
    const appBefore = await get(`/api/v1/groups/${appGroup.id}`);
    const groupRequests = (await stats()).requests.groups;
    const refused = await failure(c.updateDelta('groups', appGroup.id, { replace: { 'profile.description': 'x' } }));
    expect(refused.message).toContain(`cannot update group ${appGroup.id}: it is a APP_GROUP group, managed by its source app`);
    // Only the GET that learned the type: no PUT was sent.
    expect((await stats()).requests.groups).toBe(groupRequests + 1);
    expect(await get(`/api/v1/groups/${appGroup.id}`)).toEqual(appBefore);

    expect(await c.delete('groups', made.targetId)).toEqual({ targetId: made.targetId, action: 'deleted' });
    expect((await api('GET', `/api/v1/groups/${made.targetId}`)).status).toBe(404);
    expect((await c.delete('groups', made.targetId)).action).toBe('deleted');
    const everyone = emu.state.groups.find((x) => x.type === 'BUILT_IN')!;
    const builtIn = await failure(c.delete('groups', everyone.id));
    expect(builtIn.message).toContain('The BUILT_IN Everyone group cannot be deleted');
  });

  it('links and unlinks several members in one batch, with an outcome per child', async () => {
    const c = connector();
    const group = await c.create('groups', { key: 'g:10', attributes: { displayName: 'Tiger Batch' } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await c.create('users', { key: `m:${i}`, attributes: userAttrs(`member${i}@example.com`) })).targetId);
    const members = async () => ((await get(`/api/v1/groups/${group.targetId}/users`)) as unknown as Json[]).map((u) => u.id as string).sort();

    const linked = await c.link('memberships', group.targetId, [...ids, '00uNoSuchUser0000000']);
    expect(linked.slice(0, 5)).toEqual(ids.map((childId) => ({ childId, ok: true })));
    expect(linked[5]).toMatchObject({ childId: '00uNoSuchUser0000000', ok: false });
    expect(linked[5]!.error).toContain('E0000007');
    expect(await members()).toEqual([...ids].sort());
    // Linking again changes nothing.
    expect((await c.link('memberships', group.targetId, ids.slice(0, 2))).every((o) => o.ok)).toBe(true);

    const unlinked = await c.unlink('memberships', group.targetId, [ids[0]!, ids[1]!, ids[2]!, '00uNoSuchUser0000000']);
    expect(unlinked.every((o) => o.ok)).toBe(true);
    expect(await members()).toEqual([ids[3]!, ids[4]!].sort());

    const appGroup = emu.state.groups.find((x) => x.type === 'APP_GROUP' && !x.deleted)!;
    const refused = await c.link('memberships', appGroup.id, ids.slice(0, 2));
    expect(refused.every((o) => !o.ok && o.error!.includes('APP_GROUP group, managed by its source app'))).toBe(true);
  });
});
