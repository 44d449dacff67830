// `tiger connector test-webhook`: one sample delivery (an Okta event hook or a Graph change
// notification, as the type's manifest says) through the whole path — webhook
// server (secret check), signal to live/<name>, re-fetch from the source, store — and a check
// that a live run recorded it.
import { request } from 'undici';
import { loadSecrets, resolveReferences } from '../../config/references';
import type { ConnectorDefinition } from '../../config/types';
import { connectorType } from '../../connectors/registry';
import type { CliContext } from '../context';
import { UsageError } from '../context';
import { sampleNotification } from '../webhooks/graph';
import { sampleDelivery } from '../webhooks/okta';

export async function testWebhook(
  ctx: CliContext,
  def: ConnectorDefinition,
  o: { user?: string; server: string },
): Promise<{ ok: boolean; message: string; status?: number; userId?: string }> {
  const kind = connectorType(def.type).manifest.webhooks;
  if (!kind) throw new UsageError(`test-webhook supports connectors that receive webhooks (okta, entra-id); this one is ${def.type}`);
  if (!def.webhooks.enabled) throw new UsageError(`connector ${def.name} has webhooks.enabled: false`);
  const store = await ctx.store();
  const userId = o.user ?? (await store.exportData(def.name, { includeDeleted: false })).users[0]?.id;
  if (!userId) throw new UsageError('no user in the store to name in the sample event: sync first or pass --user <id>');
  const env = process.env;
  const secret = def.webhooks.secret ? resolveReferences(def.webhooks.secret, { env, secrets: loadSecrets({ env }) }, `connector ${def.name} webhooks.secret`) : '';
  const since = Date.now();
  const graph = kind === 'graph-notifications';
  const url = `${o.server.replace(/\/$/, '')}/webhooks/${graph ? 'graph' : 'okta'}/${encodeURIComponent(def.name)}`;
  const res = await request(url, {
    method: 'POST',
    headers: graph ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', authorization: secret },
    body: JSON.stringify(graph ? sampleNotification(userId, secret) : sampleDelivery(userId)),
  }).catch((err: Error) => {
    throw new Error(`cannot reach the webhook server at ${o.server} (${err.message}); is \`tiger dev\` or \`tiger server\` running?`);
  });
  const body = await res.body.text();
  const accepted = graph ? 202 : 200;
  if (res.statusCode !== accepted) return { ok: false, status: res.statusCode, message: `webhook server answered ${res.statusCode}: ${body}` };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const live = (await store.listRuns(def.name, 10)).find((r) => r.mode === 'live' && Date.parse(r.startedAt) >= since - 1000 && r.status !== 'running');
    if (live) {
      const ok = live.status === 'succeeded';
      return { ok, status: accepted, userId, message: `webhook accepted; live run ${live.runId} ${live.status}: re-fetched user ${userId} (updated ${live.counts.updated}, unchanged ${live.counts.unchanged})` };
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { ok: false, status: accepted, userId, message: 'webhook accepted, but no live run finished within 30 s: is a worker running?' };
}
