// The Okta emulator's write endpoints, driven through Okta's own Node SDK and checked with raw
// GETs after every step; then the error bodies, the two-step delete, custom (string-array)
// attributes, the System Log and event hooks over raw HTTP.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as okta from '@okta/okta-sdk-nodejs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';

const TOKEN = 'emulator-writes-token';
const PASSWORD = 'Tiger-Sync-2026';
let emu: OktaEmulator;
let client: okta.Client;

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) {
  const res = await request(`${emu.url}${path}`, {
    method,
    headers: { authorization: `SSWS ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as Json };
}

const get = async (path: string) => {
  const res = await api('GET', path);
  expect(res.status, `GET ${path}`).toBe(200);
  return res.body;
};

function expectError(res: { status: number; body: Json }, status: number, code: string, summary: string, causes?: string[]) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    errorCode: code,
    errorSummary: summary,
    errorLink: code,
    errorId: expect.stringMatching(/^oae\w{22}$/),
    errorCauses: causes ? causes.map((errorSummary) => ({ errorSummary })) : expect.any(Array),
  });
}

/** Lets the clock move so "bumps lastUpdated" is a strict comparison. */
const tick = () => new Promise((r) => setTimeout(r, 5));

const logTypes = async (targetId: string) =>
  ((await get(`/api/v1/logs?filter=${encodeURIComponent(`target.id eq "${targetId}"`)}`)) as unknown as Json[]).map((e) => e.eventType);

const profileOf = (login: string, extra: Record<string, unknown> = {}) => ({
  login, email: login, firstName: 'Test', lastName: login.split('@')[0]!, ...extra,
});

beforeAll(async () => {
  // Seed 17 holds APP_GROUPs, LOCKED_OUT and PROVISIONED users, which the refusals below need.
  emu = await startOktaEmulator({ users: 80, groups: 40, apps: 3, seed: 17, apiToken: TOKEN, membershipsPerGroup: 8 });
  client = new okta.Client({ orgUrl: emu.url, token: TOKEN });
});

afterAll(async () => {
  await emu?.close();
});

describe('okta emulator writes through the official SDK', () => {
  it('creates, replaces, partially updates, deactivates and deletes a user', async () => {
    const login = 'sdk.user@example.com';
    const created = await client.userApi.createUser({
      body: { profile: profileOf(login, { department: 'Platform', title: 'Engineer' }), credentials: { password: { value: PASSWORD } } },
      activate: true,
    });
    expect(created.status).toBe('ACTIVE');
    const id = created.id!;
    let u = await get(`/api/v1/users/${id}`);
    expect(u).toMatchObject({ status: 'ACTIVE', profile: profileOf(login, { department: 'Platform', title: 'Engineer' }) });
    expect(u.credentials.password).toEqual({});
    expect((await get(`/api/v1/users/${encodeURIComponent(login)}`)).id).toBe(id);

    await tick();
    // PUT replaces the whole profile: department, left out, is gone.
    await client.userApi.replaceUser({ userId: id, user: { profile: profileOf(login, { title: 'Staff Engineer' }) } });
    const afterPut = await get(`/api/v1/users/${id}`);
    expect(afterPut.profile).toEqual(profileOf(login, { title: 'Staff Engineer' }));
    expect(Date.parse(afterPut.lastUpdated)).toBeGreaterThan(Date.parse(u.lastUpdated));

    await tick();
    // POST merges: only the given properties change, null clears one.
    await client.userApi.updateUser({ userId: id, user: { profile: { department: 'Security', title: null as unknown as string } } });
    u = await get(`/api/v1/users/${id}`);
    expect(u.profile).toEqual(profileOf(login, { title: null, department: 'Security' }));
    expect(Date.parse(u.lastUpdated)).toBeGreaterThan(Date.parse(afterPut.lastUpdated));

    await client.userApi.deactivateUser({ userId: id });
    expect((await get(`/api/v1/users/${id}`)).status).toBe('DEPROVISIONED');
    await client.userApi.deleteUser({ userId: id });
    expect((await api('GET', `/api/v1/users/${id}`)).status).toBe(404);
    await expect(client.userApi.getUser({ userId: id })).rejects.toMatchObject({ status: 404, errorCode: 'E0000007' });

    expect(await logTypes(id)).toEqual([
      'user.lifecycle.create', 'user.lifecycle.activate', 'user.account.update_profile', 'user.account.update_profile',
      'user.lifecycle.deactivate', 'user.lifecycle.delete.initiated',
    ]);
  });

  it('creates a staged user and activates it: PROVISIONED without a password, with the activation link', async () => {
    const created = await client.userApi.createUser({ body: { profile: profileOf('staged.sdk@example.com') }, activate: false });
    expect(created.status).toBe('STAGED');
    expect((await get(`/api/v1/users/${created.id}`)).activated).toBeNull();
    const token = await client.userApi.activateUser({ userId: created.id!, sendEmail: false });
    expect(token.activationToken).toMatch(/^\w{20}$/);
    expect(token.activationUrl).toBe(`${emu.url}/welcome/${token.activationToken}`);
    const u = await get(`/api/v1/users/${created.id}`);
    expect(u.status).toBe('PROVISIONED');
    expect(u.activated).not.toBeNull();
  });

  it('creates, replaces and deletes a group and adds and removes a member', async () => {
    const group = await client.groupApi.createGroup({ group: { profile: { name: 'SDK Writers', description: 'made by the SDK' } } });
    const gid = group.id!;
    let g = await get(`/api/v1/groups/${gid}`);
    expect(g).toMatchObject({ type: 'OKTA_GROUP', profile: { name: 'SDK Writers', description: 'made by the SDK' } });

    await tick();
    await client.groupApi.replaceGroup({ groupId: gid, group: { profile: { name: 'SDK Writers (renamed)', description: 'renamed' } } });
    const renamed = await get(`/api/v1/groups/${gid}`);
    expect(renamed.profile).toEqual({ name: 'SDK Writers (renamed)', description: 'renamed' });
    expect(Date.parse(renamed.lastUpdated)).toBeGreaterThan(Date.parse(g.lastUpdated));

    const user = await client.userApi.createUser({ body: { profile: profileOf('member.sdk@example.com') }, activate: false });
    await tick();
    await client.groupApi.assignUserToGroup({ groupId: gid, userId: user.id! });
    await client.groupApi.assignUserToGroup({ groupId: gid, userId: user.id! }); // idempotent
    const members = async () => ((await get(`/api/v1/groups/${gid}/users`)) as unknown as Json[]).map((m) => m.id);
    expect(await members()).toEqual([user.id]);
    g = await get(`/api/v1/groups/${gid}`);
    expect(Date.parse(g.lastMembershipUpdated)).toBeGreaterThan(Date.parse(renamed.lastMembershipUpdated));
    expect(((await get(`/api/v1/users/${user.id}/groups`)) as unknown as Json[]).map((x) => x.id)).toContain(gid);

    await client.groupApi.unassignUserFromGroup({ groupId: gid, userId: user.id! });
    expect(await members()).toEqual([]);
    await client.groupApi.deleteGroup({ groupId: gid });
    expectError(await api('GET', `/api/v1/groups/${gid}`), 404, 'E0000007', `Not found: Resource not found: ${gid} (UserGroup)`);

    expect(await logTypes(gid)).toEqual([
      'group.lifecycle.create', 'group.profile.update', 'group.user_membership.add', 'group.user_membership.remove', 'group.lifecycle.delete',
    ]);
  });
});

describe('okta emulator write errors in Okta\'s shapes', () => {
  it('names every missing required field and writes nothing', async () => {
    const users = emu.state.users.length;
    const events = emu.state.log.length;
    const res = await api('POST', '/api/v1/users?activate=true', { profile: { department: 'Nowhere' } });
    expectError(res, 400, 'E0000001', 'Api validation failed: login', [
      'login: The field cannot be left blank',
      'firstName: The field cannot be left blank',
      'lastName: The field cannot be left blank',
      'email: The field cannot be left blank',
    ]);
    expect(emu.state.users.length).toBe(users);
    expect(emu.state.log.length).toBe(events);
  });

  it('refuses a login not in email form, a bad email, a taken login and a weak password, all at once', async () => {
    const taken = emu.state.users.find((u) => !u.deleted)!.profile.login as string;
    const bad = await api('POST', '/api/v1/users', {
      profile: { login: 'not-an-email', email: 'also bad', firstName: 'A', lastName: 'B' },
      credentials: { password: { value: 'short' } },
    });
    expectError(bad, 400, 'E0000001', 'Api validation failed: login', [
      'login: Username must be in the form of an email address',
      'email: Does not match required pattern',
      expect.stringMatching(/^password: Password requirements were not met/) as unknown as string,
    ]);
    const dup = await api('POST', '/api/v1/users', { profile: profileOf(taken.toUpperCase()) });
    expectError(dup, 400, 'E0000001', 'Api validation failed: login', ['login: An object with this field already exists in the current organization']);
  });

  it('refuses a PUT that leaves a required field out and keeps the profile', async () => {
    const u = await api('POST', '/api/v1/users?activate=false', { profile: profileOf('put.refused@example.com') });
    const { email: _email, lastName: _lastName, ...partial } = profileOf('put.refused@example.com');
    const res = await api('PUT', `/api/v1/users/${u.body.id}`, { profile: partial });
    expectError(res, 400, 'E0000001', 'Api validation failed: lastName', [
      'lastName: The field cannot be left blank',
      'email: The field cannot be left blank',
    ]);
    expect((await get(`/api/v1/users/${u.body.id}`)).profile).toEqual(profileOf('put.refused@example.com'));
  });

  it('answers E0000007 for an unknown user, and deletes in two steps', async () => {
    expectError(await api('GET', '/api/v1/users/00uNoSuchUser0000000'), 404, 'E0000007', 'Not found: Resource not found: 00uNoSuchUser0000000 (User)', []);
    const u = (await api('POST', '/api/v1/users?activate=true', { profile: profileOf('two.step@example.com'), credentials: { password: { value: PASSWORD } } })).body;
    expect(u.status).toBe('ACTIVE');

    expect((await api('DELETE', `/api/v1/users/${u.id}`)).status).toBe(204);
    const deprovisioned = await get(`/api/v1/users/${u.id}`);
    expect(deprovisioned.status).toBe('DEPROVISIONED');
    expect(Date.parse(deprovisioned.lastUpdated)).toBeGreaterThanOrEqual(Date.parse(u.lastUpdated));

    const group = (await api('POST', '/api/v1/groups', { profile: { name: 'Two-step members' } })).body;
    expect((await api('PUT', `/api/v1/groups/${group.id}/users/${u.id}`)).status).toBe(204);
    const joined = await get(`/api/v1/groups/${group.id}`);
    await tick();

    expect((await api('DELETE', `/api/v1/users/${u.id}`)).status).toBe(204);
    expectError(await api('GET', `/api/v1/users/${u.id}`), 404, 'E0000007', `Not found: Resource not found: ${u.id} (User)`, []);
    // Deleting the user took it out of the group: the group says so.
    expect((await get(`/api/v1/groups/${group.id}/users`)) as unknown as Json[]).toEqual([]);
    expect(Date.parse((await get(`/api/v1/groups/${group.id}`)).lastMembershipUpdated)).toBeGreaterThan(Date.parse(joined.lastMembershipUpdated));
    expectError(await api('DELETE', `/api/v1/users/${u.id}`), 404, 'E0000007', `Not found: Resource not found: ${u.id} (User)`, []);
    // The login is free again once the user is gone.
    expect((await api('POST', '/api/v1/users?activate=false', { profile: profileOf('two.step@example.com') })).status).toBe(200);
  });

  it('applies Okta\'s lifecycle rules: each refused transition with its code', async () => {
    const active = (await api('POST', '/api/v1/users?activate=true', { profile: profileOf('rules@example.com'), credentials: { password: { value: PASSWORD } } })).body;
    const path = (a: string, id = active.id) => `/api/v1/users/${id}/lifecycle/${a}`;
    expectError(await api('POST', path('activate')), 403, 'E0000016', 'Activation failed because the user is already active', []);
    expectError(await api('POST', path('unsuspend')), 400, 'E0000001', 'Api validation failed: unsuspend');
    expectError(await api('POST', path('reactivate')), 403, 'E0000038', "This operation is not allowed in the user's current status.");
    expectError(await api('POST', path('unlock')), 403, 'E0000032', 'Unlock is not allowed for this user.', []);
    expectError(await api('POST', path('explode')), 404, 'E0000007', `Not found: Resource not found: ${path('explode')} (Path)`);

    expect((await api('POST', path('suspend'))).status).toBe(200);
    expect((await get(`/api/v1/users/${active.id}`)).status).toBe('SUSPENDED');
    expectError(await api('POST', path('suspend')), 400, 'E0000001', 'Api validation failed: suspend');
    expect((await api('POST', path('unsuspend'))).status).toBe(200);
    expect((await api('POST', path('deactivate'))).status).toBe(200);
    expectError(await api('POST', path('deactivate')), 403, 'E0000038', "This operation is not allowed in the user's current status.");
    expect((await api('POST', path('activate'))).status).toBe(200);
    expect((await get(`/api/v1/users/${active.id}`)).status).toBe('ACTIVE');

    const locked = emu.state.users.find((u) => u.status === 'LOCKED_OUT')!;
    expect((await api('POST', path('unlock', locked.id))).status).toBe(200);
    expect((await get(`/api/v1/users/${locked.id}`)).status).toBe('ACTIVE');
    const provisioned = emu.state.users.find((u) => u.status === 'PROVISIONED')!;
    expect((await api('POST', path('reactivate', provisioned.id))).status).toBe(200);
    expect((await get(`/api/v1/users/${provisioned.id}`)).status).toBe('PROVISIONED');

    expect(await logTypes(active.id)).toEqual([
      'user.lifecycle.create', 'user.lifecycle.activate', 'user.lifecycle.suspend', 'user.lifecycle.unsuspend',
      'user.lifecycle.deactivate', 'user.lifecycle.activate',
    ]);
    expect(await logTypes(locked.id)).toEqual(['user.account.unlock_by_admin']);
  });

  it('refuses group writes Okta refuses: blank or duplicate names, APP_GROUP and BUILT_IN edits and memberships', async () => {
    expectError(await api('POST', '/api/v1/groups', { profile: { description: 'no name' } }), 400, 'E0000001', 'Api validation failed: name', ['name: The field cannot be left blank']);
    const existing = emu.state.groups.find((g) => g.type === 'OKTA_GROUP' && !g.deleted)!;
    const dupName = String(existing.profile.name).toUpperCase();
    expectError(await api('POST', '/api/v1/groups', { profile: { name: dupName } }), 400, 'E0000001', 'Api validation failed: name', [
      'name: An object with this field already exists in the current organization',
    ]);
    const other = (await api('POST', '/api/v1/groups', { profile: { name: 'Rename Target' } })).body;
    expectError(await api('PUT', `/api/v1/groups/${other.id}`, { profile: { name: existing.profile.name } }), 400, 'E0000001', 'Api validation failed: name');
    expect((await get(`/api/v1/groups/${other.id}`)).profile.name).toBe('Rename Target');

    const appGroup = emu.state.groups.find((g) => g.type === 'APP_GROUP' && !g.deleted)!;
    const everyone = emu.state.groups.find((g) => g.type === 'BUILT_IN')!;
    const user = emu.state.users.find((u) => u.status === 'ACTIVE' && !emu.state.isMember(appGroup, u.index))!;
    const forbidden = 'You do not have permission to perform the requested action';
    for (const g of [appGroup, everyone]) {
      expectError(await api('PUT', `/api/v1/groups/${g.id}`, { profile: { name: 'Renamed' } }), 403, 'E0000006', forbidden);
      expect((await get(`/api/v1/groups/${g.id}`)).profile.name).toBe(g.profile.name);
      expectError(await api('PUT', `/api/v1/groups/${g.id}/users/${user.id}`), 403, 'E0000006', forbidden);
      expectError(await api('DELETE', `/api/v1/groups/${g.id}/users/${user.id}`), 403, 'E0000006', forbidden);
    }
    expect(emu.state.isMember(appGroup, user.index)).toBe(false);
    expectError(await api('DELETE', `/api/v1/groups/${everyone.id}`), 403, 'E0000006', forbidden);
    // An imported group may be deleted; it is the app's to re-import.
    expect((await api('DELETE', `/api/v1/groups/${appGroup.id}`)).status).toBe(204);
    expect((await api('GET', `/api/v1/groups/${appGroup.id}`)).status).toBe(404);
    // Creating a user into an APP_GROUP is refused before the user exists.
    const before = emu.state.users.length;
    const other2 = emu.state.groups.find((g) => g.type === 'APP_GROUP' && !g.deleted)!;
    expectError(await api('POST', '/api/v1/users', { profile: profileOf('into.app.group@example.com'), groupIds: [other2.id] }), 403, 'E0000006', forbidden);
    expect(emu.state.users.length).toBe(before);
  });
});

describe('okta emulator custom profile attributes', () => {
  it('refuses an undeclared attribute, then round-trips a declared string array', async () => {
    const login = 'custom.attrs@example.com';
    expectError(await api('POST', '/api/v1/users', { profile: profileOf(login, { entitlements: ['a', 'b'] }) }), 400, 'E0000001',
      'Api validation failed: entitlements', ["Property name 'entitlements' is not defined in profile"]);
    expect((await api('GET', `/api/v1/users/${login}`)).status).toBe(404);

    const declared = await api('POST', '/api/v1/meta/schemas/user/default', {
      definitions: { custom: { id: '#custom', type: 'object', properties: { entitlements: { title: 'Entitlements', type: 'array', items: { type: 'string' } } }, required: [] } },
    });
    expect(declared.status).toBe(200);
    expect(declared.body.definitions.custom.properties.entitlements).toMatchObject({ title: 'Entitlements', type: 'array', items: { type: 'string' } });
    const schema = await get('/api/v1/meta/schemas/user/default');
    expect(schema.definitions.custom.properties.entitlements.items).toEqual({ type: 'string' });
    expect(schema.definitions.base.required).toEqual(['login', 'firstName', 'lastName', 'email']);
    expect(schema.properties.profile.allOf).toEqual([{ $ref: '#/definitions/custom' }, { $ref: '#/definitions/base' }]);

    const values = ['crm:read', 'crm;write', 'wiki,edit'];
    const created = await api('POST', '/api/v1/users?activate=false', { profile: profileOf(login, { entitlements: values }) });
    expect(created.status).toBe(200);
    expect((await get(`/api/v1/users/${created.body.id}`)).profile.entitlements).toEqual(values);

    expectError(await api('POST', `/api/v1/users/${created.body.id}`, { profile: { entitlements: 'crm:read' } }), 400, 'E0000001',
      'Api validation failed: entitlements', ['entitlements: The value must be an array of strings']);
    expectError(await api('POST', `/api/v1/users/${created.body.id}`, { profile: { entitlements: ['ok', 7] } }), 400, 'E0000001',
      'Api validation failed: entitlements', ['entitlements: The value must be an array of strings']);
    expect((await get(`/api/v1/users/${created.body.id}`)).profile.entitlements).toEqual(values);

    // Through the SDK too: a partial update of the array alone.
    await client.userApi.updateUser({ userId: created.body.id, user: { profile: { entitlements: ['crm:admin'] } } });
    expect((await get(`/api/v1/users/${created.body.id}`)).profile).toEqual(profileOf(login, { entitlements: ['crm:admin'] }));

    // Removing the property from the schema removes its values.
    await api('POST', '/api/v1/meta/schemas/user/default', { definitions: { custom: { properties: { entitlements: null } } } });
    expect((await get(`/api/v1/users/${created.body.id}`)).profile).toEqual(profileOf(login));
  });

  it('refuses a bad declaration naming the property, and a type change', async () => {
    expectError(await api('POST', '/api/v1/meta/schemas/user/default', {
      definitions: { custom: { properties: { tags: { title: 'Tags', type: 'array' }, login: { title: 'Login', type: 'string' } } } },
    }), 400, 'E0000001', 'Api validation failed: tags.items.type', [
      'tags.items.type: an array property needs items.type, one of string, number, integer',
      'login: A base property cannot be declared as a custom property',
    ]);
    await api('POST', '/api/v1/meta/schemas/user/default', { definitions: { custom: { properties: { badge: { title: 'Badge', type: 'string' } } } } });
    expectError(await api('POST', '/api/v1/meta/schemas/user/default', { definitions: { custom: { properties: { badge: { title: 'Badge', type: 'integer' } } } } }),
      400, 'E0000001', 'Api validation failed: badge', ['badge: The type of an existing property cannot be changed (it is string)']);
    expectError(await api('GET', '/api/v1/meta/schemas/user/oscNoSuchSchema'), 404, 'E0000007', 'Not found: Resource not found: oscNoSuchSchema (UserSchema)');
  });

  it('declares a group attribute and stores it on a group', async () => {
    const res = await api('POST', '/api/v1/meta/schemas/group/default', {
      definitions: { custom: { properties: { owners: { title: 'Owners', type: 'array', items: { type: 'string' } } } } },
    });
    expect(res.body.definitions.custom.properties.owners.type).toBe('array');
    const g = await api('POST', '/api/v1/groups', { profile: { name: 'With owners', owners: ['a@example.com', 'b@example.com'] } });
    expect((await get(`/api/v1/groups/${g.body.id}`)).profile).toEqual({ name: 'With owners', description: null, owners: ['a@example.com', 'b@example.com'] });
    expectError(await api('POST', '/api/v1/groups', { profile: { name: 'Undeclared', colour: 'red' } }), 400, 'E0000001', 'Api validation failed: colour',
      ["Property name 'colour' is not defined in profile"]);
  });
});

describe('okta emulator writes reach event hooks', () => {
  it('delivers profile updates and group changes to a subscribed hook', async () => {
    const received: Json[] = [];
    const sink: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'GET') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ verification: req.headers['x-okta-verification-challenge'] }));
          return;
        }
        received.push(JSON.parse(Buffer.concat(chunks).toString()) as Json);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    try {
      const hook = await api('POST', '/api/v1/eventHooks', {
        name: 'writes hook',
        events: { type: 'EVENT_TYPE', items: ['user.account.update_profile', 'group.profile.update', 'group.lifecycle.delete'] },
        channel: { type: 'HTTP', version: '1.0.0', config: { uri: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`, headers: [] } },
      });
      expect((await api('POST', `/api/v1/eventHooks/${hook.body.id}/lifecycle/verify`)).body.verificationStatus).toBe('VERIFIED');

      const u = (await api('POST', '/api/v1/users?activate=false', { profile: profileOf('hooked@example.com') })).body;
      await api('PUT', `/api/v1/users/${u.id}`, { profile: profileOf('hooked@example.com', { title: 'Hooked' }) });
      const g = (await api('POST', '/api/v1/groups', { profile: { name: 'Hooked group' } })).body;
      await api('PUT', `/api/v1/groups/${g.id}`, { profile: { name: 'Hooked group 2' } });
      await api('DELETE', `/api/v1/groups/${g.id}`);

      await vi.waitFor(() => expect(received.flatMap((r) => r.data.events)).toHaveLength(3), { timeout: 5000 });
      const events = received.flatMap((r) => r.data.events as Json[]);
      expect(events.map((e) => [e.eventType, e.target[0].id])).toEqual([
        ['user.account.update_profile', u.id], ['group.profile.update', g.id], ['group.lifecycle.delete', g.id],
      ]);
      expect(events[1]!.target[0].displayName).toBe('Hooked group 2');
      await api('POST', `/api/v1/eventHooks/${hook.body.id}/lifecycle/deactivate`);
    } finally {
      await new Promise((r) => sink.close(r));
    }
  });
});
