// The payload codec on the real dev server: with TIGER_CODEC_KEYS set, a full sync and a webhook
// batch (whose signal names Okta user ids) leave nothing of an identity readable in the raw
// history a client WITHOUT the key sees; the codec server hands the originals back to a holder of
// the key, and after rotation the old key id still opens old histories.
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveWorkflowId, syncWorkflowId } from '../../runtime/ids';
import { refOf, requestSync, sendLiveEvents } from '../../runtime/requests';
import { listen } from '../../client/server';
import { ENCODING_ENCRYPTED } from '../../codec/aes-gcm';
import { tigerDataConverter } from '../../codec/data-converter';
import { parseCodecKeys } from '../../codec/keys';
import { createCodecServer } from '../../codec/server';
import { AesGcmCodec } from '../../codec/aes-gcm';
import { toJsonPayloads } from '../../codec/json-payloads';
import type { ConnectorDefinition } from '../../config/types';
import type { ExportData } from '../../store/types';
import { liveStateQuery } from '../../workflows/definitions';
import { startHarness, uniqueName, waitSummary, type Harness } from '../support/harness';
import { connectorYaml } from '../support/okta-expect';

const oldKey = `k1:${randomBytes(32).toString('base64')}`;
const newKey = `k2:${randomBytes(32).toString('base64')}`;
const name = uniqueName('codec-okta');
let h: Harness;
let sealed: Client;
let stored: ExportData;
let syncHistory: temporal.api.history.v1.IHistory;
let liveHistory: temporal.api.history.v1.IHistory;
const servers: Server[] = [];

beforeAll(async () => {
  // The worker takes its codec from the environment, as `tiger worker` does.
  process.env.TIGER_CODEC_KEYS = oldKey;
  h = await startHarness({ emulator: { users: 40, groups: 4, apps: 2, seed: 11 } });
  await h.startWorker();
  sealed = new Client({ connection: h.client.connection, namespace: 'default', dataConverter: tigerDataConverter(parseCodecKeys(oldKey)) });
  const def: ConnectorDefinition = await h.addConnector(connectorYaml(name));
  const req = await requestSync(sealed, refOf(def), 'full', 'cli');
  const summary = await waitSummary(sealed, syncWorkflowId(name), req.requestId);
  expect(summary.status).toBe('succeeded');
  stored = await h.store.exportData(name, { includeDeleted: false });
  const users = stored.users.slice(0, 3).map((u) => ({ resource: 'users' as const, id: u.id }));
  await sendLiveEvents(sealed, refOf(def), [{ eventId: `evt-${name}`, eventType: 'user.account.update_profile', targets: users }]);
  const live = sealed.workflow.getHandle(liveWorkflowId(name));
  for (let i = 0; i < 600 && (await live.query(liveStateQuery)).processed < 1; i++) await new Promise((r) => setTimeout(r, 100));
  expect((await live.query(liveStateQuery)).processed).toBe(1);
  // Raw: through the client without the codec, straight from the server.
  syncHistory = await h.client.workflow.getHandle(syncWorkflowId(name)).fetchHistory();
  liveHistory = await h.client.workflow.getHandle(liveWorkflowId(name)).fetchHistory();
});

afterAll(async () => {
  delete process.env.TIGER_CODEC_KEYS;
  for (const s of servers) s.close();
  await h?.close();
});

/** Every Payload in a history, found by shape (metadata + data) wherever the event puts it —
 *  except search attributes, which the server must index and so are never encoded (they hold the
 *  connector's name and type, no identity), and patch markers (below). */
function payloadsOf(value: unknown, out: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return out;
  // patched() markers are written by the SDK core, not through the data converter: their details
  // hold the patch id only (`push-after-sync`), never workflow data, and the raw check above
  // still covers them.
  if ((value as { markerName?: string }).markerName === 'core_patch') return out;
  if ('metadata' in value && 'data' in value && ArrayBuffer.isView((value as Payload).data)) {
    out.push(value as Payload);
    return out;
  }
  for (const [k, v] of Object.entries(value)) if (k !== 'searchAttributes') payloadsOf(v, out);
  return out;
}

function identityStrings(): string[] {
  const found: string[] = [];
  for (const u of stored.users) {
    const a = u.attributes as Record<string, unknown>;
    found.push(u.id, String(a.email), String(a.login));
  }
  return found;
}

async function startCodecServer(keys: string, token?: string): Promise<string> {
  const server = createCodecServer({ codec: new AesGcmCodec(parseCodecKeys(keys)), origins: ['http://127.0.0.1:8233'], token });
  servers.push(server);
  return `http://127.0.0.1:${await listen(server, 0)}`;
}

async function decodeVia(url: string, payloads: Payload[]): Promise<Payload[]> {
  const res = await fetch(`${url}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' }, body: JSON.stringify(toJsonPayloads(payloads)) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  return body.payloads.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(p.data, 'base64') }));
}

const text = (p: Payload) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8');

describe('payload codec on the real server', () => {
  it('leaves no email, login or external id in clear in the raw histories, and marks every payload encrypted', () => {
    expect(stored.users.length).toBe(40);
    for (const history of [syncHistory, liveHistory]) {
      const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
      for (const s of identityStrings()) expect(raw.includes(s), `"${s}" in clear in the raw history`).toBe(false);
    }
    for (const history of [syncHistory, liveHistory]) {
      const payloads = payloadsOf(history);
      expect(payloads.length).toBeGreaterThanOrEqual(3);
      for (const p of payloads) {
        expect(Buffer.from(p.metadata!.encoding!).toString()).toBe(ENCODING_ENCRYPTED);
        expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).toBe('k1');
      }
    }
  });

  it('decodes through the codec server to the originals (the live signal names the user ids)', async () => {
    const url = await startCodecServer(oldKey);
    const decoded = await decodeVia(url, payloadsOf(liveHistory));
    const all = decoded.map(text).join('\n');
    for (const u of stored.users.slice(0, 3)) expect(all).toContain(u.id);
    expect(decoded.every((p) => Buffer.from(p.metadata!.encoding!).toString() === 'json/plain')).toBe(true);
  });

  it('still opens histories written with a rotated-out key, and names a missing key id', async () => {
    const rotated = await startCodecServer(`${newKey},${oldKey}`);
    const decoded = await decodeVia(rotated, payloadsOf(liveHistory));
    expect(decoded.map(text).join('\n')).toContain(stored.users[0].id);
    const onlyNew = await startCodecServer(newKey);
    const res = await fetch(`${onlyNew}/decode`, { method: 'POST', body: JSON.stringify(toJsonPayloads(payloadsOf(liveHistory).slice(0, 1))) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(body.error).toContain('key id "k1"');
    expect(body.error).not.toContain(oldKey.slice(3));
  });
});
