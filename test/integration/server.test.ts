// Issue 6 items 6 and 13: the webhook/REST server on a real Temporal dev server and a real store.
// What reaches live/<name> is read back from the workflow's own history, not from the server.
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTigerServer, listen, reconnectingClient, type ServerDeps } from '../../client/server';
import { connectClient } from '../../runtime/temporal';
import { parseConnectorText } from '../../config/load';
import { typeSchemas } from '../../connectors/registry';
import { SqliteStore } from '../../store/sqlite';
import type { LiveEvent } from '../../workflows/types';

const HOOK_SECRET = 'hunter2-hook-secret-value';
let dir = '';
let store: SqliteStore;
let client: Client;
const servers: Server[] = [];
const workflows: string[] = [];
const lines: string[] = [];

const hookYaml = (name: string, extra = '') =>
  `name: ${name}\ntype: okta\n${extra}config:\n  domain: a.okta.com\n  apiToken: \${H5_UNSET_OKTA_TOKEN}\nwebhooks:\n  enabled: true\n  secret: \${H5_HOOK_SECRET}\n`;

async function addConnector(yaml: string): Promise<string> {
  const def = parseConnectorText(yaml, 'server-test.yaml', typeSchemas());
  await store.saveConnector({ name: def.name, type: def.type, enabled: def.enabled, definition: def });
  workflows.push(`live/${def.name}`);
  return def.name;
}

async function startServer(extra: Partial<ServerDeps> = {}): Promise<string> {
  const server = createTigerServer({ store, client: async () => client, log: (l) => lines.push(l), ...extra });
  servers.push(server);
  return `http://127.0.0.1:${await listen(server, 0)}`;
}

const delivery = (events: unknown[]) => JSON.stringify({ eventType: 'com.okta.event_hook', data: { events } });
const post = (url: string, body: string, auth = HOOK_SECRET) =>
  fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });

/** The LiveEvents signalled to live/<name>, read from its history. */
async function signalledEvents(name: string): Promise<LiveEvent[]> {
  const history = await client.workflow.getHandle(`live/${name}`).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const payload = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
    return payload ? (JSON.parse(Buffer.from(payload).toString('utf8')) as LiveEvent[]) : [];
  });
}

async function liveExists(name: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(`live/${name}`).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

beforeAll(async () => {
  // No worker polls this queue: signals stay in history, where the test reads them.
  process.env.TIGER_TASK_QUEUE = `server-test-${randomUUID()}`;
  process.env.H5_HOOK_SECRET = HOOK_SECRET;
  delete process.env.H5_UNSET_OKTA_TOKEN;
  dir = mkdtempSync(join(tmpdir(), 'tiger-server-'));
  store = new SqliteStore(join(dir, 'tiger.db'));
  await store.migrate();
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'default' });
});

afterAll(async () => {
  for (const s of servers) s.close();
  for (const id of workflows) await client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
  await client?.connection.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  // Whatever the server logged, no resolved reference value is in it.
  expect(lines.join('\n')).not.toContain(HOOK_SECRET);
});

describe('webhook deliveries', () => {
  it('signals valid target ids only: ".", "../x", "", "a/b" are dropped with a log line and never fail the batch', async () => {
    const name = await addConnector(hookYaml(`srv-ids-${randomUUID().slice(0, 8)}`));
    const url = `${await startServer()}/webhooks/okta/${name}`;
    const res = await post(url, delivery([
      { uuid: 'e1', eventType: 'user.account.update_profile', target: [{ id: '.', type: 'User' }] },
      { uuid: 'e2', eventType: 'user.account.update_profile', target: [{ id: '../x', type: 'User' }, { id: '00uGood1', type: 'User' }] },
      { uuid: 'e3', eventType: 'group.user_membership.add', target: [{ id: '', type: 'User' }, { id: 'a/b', type: 'UserGroup' }] },
      { uuid: 'e4', eventType: 'group.user_membership.add', target: [{ id: '00uGood2', type: 'User' }, { id: '00gGroup1', type: 'UserGroup' }] },
    ]));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, ignored: 2, dropped: 4 });
    expect(await signalledEvents(name)).toEqual([
      { eventId: 'e2', eventType: 'user.account.update_profile', targets: [{ resource: 'users', id: '00uGood1' }] },
      { eventId: 'e4', eventType: 'group.user_membership.add', targets: [{ resource: 'users', id: '00uGood2' }, { resource: 'groups', id: '00gGroup1' }] },
    ]);
    expect(lines.filter((l) => l.includes(`webhook ${name}: dropped target id`))).toHaveLength(4);
  });

  it('keeps the events of the seed-000 alias user.lifecycle.update (= user.account.update_profile)', async () => {
    const name = await addConnector(hookYaml(`srv-alias-${randomUUID().slice(0, 8)}`).replace('secret: ${H5_HOOK_SECRET}\n', 'secret: ${H5_HOOK_SECRET}\n  events:\n    - user.lifecycle.update\n'));
    const url = `${await startServer()}/webhooks/okta/${name}`;
    const res = await post(url, delivery([
      { uuid: 'p1', eventType: 'user.account.update_profile', target: [{ id: '00uAlias1', type: 'User' }] },
      { uuid: 'p2', eventType: 'user.lifecycle.create', target: [{ id: '00uAlias2', type: 'User' }] },
    ]));
    expect(await res.json()).toEqual({ accepted: 1, ignored: 1, dropped: 0 });
    expect((await signalledEvents(name)).map((e) => e.eventId)).toEqual(['p1']);
  });

  it('answers 404 for a disabled connector and signals nothing', async () => {
    const name = await addConnector(hookYaml(`srv-off-${randomUUID().slice(0, 8)}`, 'enabled: false\n'));
    const url = `${await startServer()}/webhooks/okta/${name}`;
    expect((await fetch(url, { headers: { 'x-okta-verification-challenge': 'v' } })).status).toBe(404);
    const res = await post(url, delivery([{ uuid: 'd1', eventType: 'user.account.update_profile', target: [{ id: '00uOff1', type: 'User' }] }]));
    expect(res.status).toBe(404);
    expect(await liveExists(name)).toBe(false);
  });

  it('answers 400 to malformed JSON without echoing the body', async () => {
    const name = await addConnector(hookYaml(`srv-json-${randomUUID().slice(0, 8)}`));
    const url = `${await startServer()}/webhooks/okta/${name}`;
    const res = await post(url, '{"data": hunter2-body-content');
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).error).toMatch(/^body: expected JSON/);
    expect(await liveExists(name)).toBe(false);
  });

  it('answers 413 to a body over the limit, declared or streamed', async () => {
    const name = await addConnector(hookYaml(`srv-big-${randomUUID().slice(0, 8)}`));
    const url = `${await startServer({ maxBodyBytes: 1024 })}/webhooks/okta/${name}`;
    const events = Array.from({ length: 100 }, (_, i) => ({ uuid: `b${i}`, eventType: 'user.account.update_profile', target: [{ id: `00uBig${i}`, type: 'User' }] }));
    const big = delivery(events);
    expect(big.length).toBeGreaterThan(1024);
    expect((await post(url, big)).status).toBe(413);
    // Without a content-length the server counts what arrives.
    const streamed = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } });
    const res = await fetch(url, { method: 'POST', headers: { authorization: HOOK_SECRET }, body: streamed, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await liveExists(name)).toBe(false);
  });

  it('refuses a wrong secret, resolving only the webhook secret (the unset apiToken reference is never needed)', async () => {
    const name = await addConnector(hookYaml(`srv-auth-${randomUUID().slice(0, 8)}`));
    const url = `${await startServer()}/webhooks/okta/${name}`;
    expect((await post(url, delivery([]), 'wrong')).status).toBe(401);
    const ok = await post(url, delivery([{ uuid: 'a1', eventType: 'user.account.update_profile', target: [{ id: '00uAuth1', type: 'User' }] }]));
    expect(ok.status).toBe(200);
  });
});

describe('server robustness', () => {
  it('cuts off a client that never finishes its headers', async () => {
    const base = new URL(await startServer({ timeouts: { headersMs: 300, requestMs: 300, checkEveryMs: 100 } }));
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(base.port), '127.0.0.1', () => socket.write('POST /webhooks/okta/x HTTP/1.1\r\nHost: a\r\n'));
      let got = '';
      socket.on('data', (d) => (got += d));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('connects to Temporal again after a failed first attempt instead of keeping the failure', async () => {
    const name = await addConnector(hookYaml(`srv-retry-${randomUUID().slice(0, 8)}`));
    let address = '127.0.0.1:1';
    const clients: Client[] = [];
    const url = `${await startServer({
      client: reconnectingClient(async () => {
        const c = await connectClient({ address, namespace: 'default' });
        clients.push(c);
        return c;
      }),
    })}/webhooks/okta/${name}`;
    const body = delivery([{ uuid: 'r1', eventType: 'user.account.update_profile', target: [{ id: '00uRetry1', type: 'User' }] }]);
    expect((await post(url, body)).status).toBe(503);
    address = inject('temporalAddress');
    expect((await post(url, body)).status).toBe(200);
    expect((await signalledEvents(name)).map((e) => e.eventId)).toEqual(['r1']);
    expect(clients).toHaveLength(1);
    for (const c of clients) await c.connection.close();
  });
});
