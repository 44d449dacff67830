// Issue 8 item 4: Graph change notifications end to end on the real Temporal dev server, the real
// store, the webhook server and the Graph emulator. Subscriptions are made by the
// graph-subscriptions workflow; the emulator validates the notificationUrl and posts real
// deliveries; what changes in the store comes from live/<name> re-reading Graph by id.
import { WorkflowNotFoundError } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../client/context';
import { testWebhook } from '../../client/commands/test-webhook';
import { createTigerServer, listen } from '../../client/server';
import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph';
import { graphSubscriptionsWorkflowId, startGraphSubscriptions } from '../../runtime/graph-subscriptions';
import { graphSubscriptionsStateQuery } from '../../workflows/definitions';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { runTiger } from '../support/tiger-cli';

const HOOK_SECRET = 'gn-client-state-4f1e9c';
let h: Harness;
let emu: GraphEmulator;
let server: Server;
let base = '';
const lines: string[] = [];
const workflows: string[] = [];
const schedules: string[] = [];

const connectorYaml = (name: string, o: { url?: boolean } = {}) => `name: ${name}
type: entra-id
config:
  tenantId: ${emu.tenantId}
  clientId: ${emu.clientId}
  clientSecret: \${GN_ENTRA_SECRET}
  authority: ${emu.url}
  graphUrl: ${emu.url}
${o.url === false ? '' : `  notificationUrl: ${base}/webhooks/graph/${name}\n`}webhooks:
  enabled: true
  secret: \${GN_HOOK_SECRET}
`;

async function graphApi<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const tok = await fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.clientId, client_secret: emu.clientSecret, scope: 'https://graph.microsoft.com/.default' }).toString(),
  });
  const { access_token } = (await tok.json()) as { access_token: string };
  const res = await fetch(`${emu.url}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

interface Sub { id: string; resource: string; notificationUrl: string; expirationDateTime: string; clientState: string | null }
const subsOf = async (name: string) =>
  (await graphApi<{ value: Sub[] }>('GET', '/subscriptions')).body.value.filter((s) => s.notificationUrl.endsWith(`/webhooks/graph/${name}`));

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const notification = (name: string, id: string, clientState: string) =>
  JSON.stringify({ value: [{ subscriptionId: 's-1', changeType: 'updated', clientState, resource: `Users/${id}`, resourceData: { '@odata.type': '#Microsoft.Graph.User', id }, tenantId: emu.tenantId }] });

async function liveExists(name: string): Promise<boolean> {
  try {
    await h.client.workflow.getHandle(`live/${name}`).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

beforeAll(async () => {
  h = await startHarness();
  emu = await startGraphEmulator({ users: 30, groups: 4, apps: 1, bigGroupMembers: 0, seed: 11, notificationDelayMs: 20 });
  process.env.GN_ENTRA_SECRET = emu.clientSecret;
  process.env.GN_HOOK_SECRET = HOOK_SECRET;
  server = createTigerServer({ store: h.store, client: async () => h.client, log: (l) => lines.push(l) });
  base = `http://127.0.0.1:${await listen(server, 0)}`;
  await h.startWorker();
});

afterAll(async () => {
  for (const id of workflows) await h?.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
  for (const id of schedules) await h?.client.schedule.getHandle(id).delete().catch(() => undefined);
  server?.close();
  await h?.close();
  await emu?.close();
  expect(lines.join('\n')).not.toContain(HOOK_SECRET);
});

describe('Graph change notifications', () => {
  it('answers the validation challenge: 200, text/plain, the token echoed', async () => {
    const def = await h.addConnector(connectorYaml(uniqueName('gn-valid')));
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 5f0c';
    const started = Date.now();
    const res = await fetch(`${base}/webhooks/graph/${def.name}?validationToken=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(token);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The Okta route does not serve an entra-id connector, nor the Graph route an unknown one.
    expect((await fetch(`${base}/webhooks/okta/${def.name}`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${base}/webhooks/graph/nope-${def.name}?validationToken=x`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses a forged clientState with 401 and signals nothing', async () => {
    const def = await h.addConnector(connectorYaml(uniqueName('gn-forged')));
    const user = String(emu.admin.snapshot().users[0]!.id);
    const url = `${base}/webhooks/graph/${def.name}`;
    for (const state of ['wrong-state', '', HOOK_SECRET.slice(0, -1)]) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: notification(def.name, user, state) });
      expect(res.status).toBe(401);
    }
    // One forged item in an otherwise good batch refuses the batch.
    const mixed = JSON.parse(notification(def.name, user, HOOK_SECRET)) as { value: unknown[] };
    mixed.value.push({ ...(mixed.value[0] as object), clientState: 'forged' });
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mixed) })).status).toBe(401);
    expect(await liveExists(def.name)).toBe(false);
    expect(lines.filter((l) => l.includes(`webhook ${def.name}: rejected a Graph notification`))).toHaveLength(4);
  });

  describe('with subscriptions made by graph-subscriptions/<name>', () => {
    const name = uniqueName('gn-live');

    it('the workflow creates a users and a groups subscription at the notificationUrl, validated by Graph', async () => {
      const def = await h.addConnector(connectorYaml(name));
      workflows.push(graphSubscriptionsWorkflowId(name), `live/${name}`);
      const summary = await h.sync(name, 'full');
      expect(summary.status).toBe('succeeded');
      await startGraphSubscriptions(h.client, def, { lifetimeMs: 60 * 60_000 });
      const subs = await until('two subscriptions', async () => {
        const s = await subsOf(name);
        return s.length === 2 && s;
      });
      expect(subs.map((s) => s.resource).sort()).toEqual(['groups', 'users']);
      for (const s of subs) {
        expect(s.notificationUrl).toBe(`${base}/webhooks/graph/${name}`);
        expect(s.clientState).toBe(HOOK_SECRET);
        expect(Date.parse(s.expirationDateTime) - Date.now()).toBeGreaterThan(50 * 60_000);
      }
    });

    it('a user changed in Graph is re-read through live/<name> and lands in the store', async () => {
      const snap = emu.admin.snapshot();
      const id = String(snap.users[3]!.id);
      expect((await h.store.exportData(name, { includeDeleted: false })).users.find((u) => u.id === id)).toBeDefined();
      emu.admin.updateUser(id, { mail: 'notified.change@contoso.com', jobTitle: 'Changed by notification' });
      await emu.admin.flushNotifications();
      const delivery = emu.admin.deliveries().find((d) => JSON.stringify(d.value).includes(id));
      expect(delivery?.status).toBe(202);
      const user = await until('the changed user in the store', async () => {
        const u = (await h.store.exportData(name, { includeDeleted: false })).users.find((x) => x.id === id);
        return u?.attributes.email === 'notified.change@contoso.com' && u;
      });
      expect(user.attributes.email).toBe('notified.change@contoso.com');
      const runs = await h.store.listRuns(name, 10);
      expect(runs.some((r) => r.mode === 'live' && r.status === 'succeeded')).toBe(true);
    });

    it('deleted users (soft: an "updated" change; permanent: "deleted") are re-read as gone and deleted from the store', async () => {
      const soft = String(emu.admin.snapshot().users[5]!.id);
      const hard = String(emu.admin.snapshot().users[6]!.id);
      emu.admin.deleteUser(soft);
      emu.admin.deleteUser(hard, { permanent: true });
      await emu.admin.flushNotifications();
      const delivered = emu.admin.deliveries().filter((d) => d.status === 202).map((d) => JSON.stringify(d.value));
      expect(delivered.some((v) => v.includes(`"changeType":"deleted"`) && v.includes(`Users/${hard}`))).toBe(true);
      expect(delivered.some((v) => v.includes(`Users/${soft}`))).toBe(true);
      await until('both deleted users gone from the store', async () => {
        const ids = new Set((await h.store.exportData(name, { includeDeleted: false })).users.map((u) => u.id));
        return !ids.has(soft) && !ids.has(hard);
      });
      const stored = (await h.store.exportData(name, { includeDeleted: false })).users.map((u) => u.id).sort();
      expect(stored).toEqual(emu.admin.snapshot().users.map((u) => String(u.id)).sort());
    });

    it('tiger connector test-webhook sends a Graph notification through the whole path', async () => {
      const def = (await h.store.getConnector(name))!.definition as Parameters<typeof testWebhook>[1];
      const ctx = { store: async () => h.store } as unknown as CliContext;
      const r = await testWebhook(ctx, def, { server: base, user: String(emu.admin.snapshot().users[7]!.id) });
      expect(r).toMatchObject({ ok: true, status: 202 });
      expect(r.message).toMatch(/live run .* succeeded/);
    });
  });

  it('renews before expiry, and recreates a subscription Graph answers 404 for', async () => {
    const name = uniqueName('gn-renew');
    const def = await h.addConnector(connectorYaml(name));
    workflows.push(graphSubscriptionsWorkflowId(name));
    // 12 s lifetimes renewed 8 s before expiry: a round every ~4 s.
    await startGraphSubscriptions(h.client, def, { lifetimeMs: 12_000, renewMarginMs: 8_000 });
    const first = await until('two subscriptions', async () => {
      const s = await subsOf(name);
      return s.length === 2 && s;
    });
    const users = first.find((s) => s.resource === 'users')!;
    const renewed = await until('a renewal of the same subscription', async () => {
      const s = (await subsOf(name)).find((x) => x.id === users.id);
      return s && Date.parse(s.expirationDateTime) > Date.parse(users.expirationDateTime) && s;
    }, 30_000);
    expect(renewed.id).toBe(users.id);

    // Graph forgets the users subscription: the next renewal gets 404 and makes a new one.
    expect((await graphApi('DELETE', `/subscriptions/${users.id}`)).status).toBe(204);
    const recreated = await until('a new users subscription', async () => {
      const s = (await subsOf(name)).find((x) => x.resource === 'users');
      return s && s.id !== users.id && s;
    }, 30_000);
    expect((await subsOf(name)).map((s) => s.resource).sort()).toEqual(['groups', 'users']);
    const state = await h.client.workflow.getHandle(graphSubscriptionsWorkflowId(name)).query(graphSubscriptionsStateQuery);
    expect(state.subscriptions.find((s) => s.resource === 'users')?.id).toBe(recreated.id);
    expect(state.lastError).toBeNull();
    const logs = await h.store.listLogs(name, { limit: 50 });
    expect(logs.some((l) => l.message.includes(`the users subscription ${users.id} was gone (404 on renewal)`) && l.message.includes(`recreated the users subscription ${recreated.id}`))).toBe(true);
  });

  it('tiger connector apply starts graph-subscriptions/<name>; applying webhooks off ends it and deletes the subscriptions', async () => {
    const name = uniqueName('gn-apply');
    workflows.push(graphSubscriptionsWorkflowId(name));
    schedules.push(`schedule/${name}`);
    const file = join(h.dir, `${name}.yaml`);
    writeFileSync(file, connectorYaml(name));
    const on = await runTiger(h, ['connector', 'apply', '-f', file]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toContain(`${graphSubscriptionsWorkflowId(name)} keeps the Graph change-notification subscriptions renewed`);
    await until('two subscriptions', async () => (await subsOf(name)).length === 2);
    writeFileSync(file, connectorYaml(name).replace('webhooks:\n  enabled: true', 'webhooks:\n  enabled: false'));
    const off = await runTiger(h, ['connector', 'apply', '-f', file]);
    expect(off.code, off.stderr).toBe(0);
    const why = await h.client.workflow.getHandle(graphSubscriptionsWorkflowId(name)).result();
    expect(why).toBe(`connector ${name} has webhooks.enabled: false`);
    expect(await subsOf(name)).toEqual([]);
    for (const out of [on, off]) expect(out.stdout + out.stderr).not.toContain(emu.clientSecret);
  });
});
