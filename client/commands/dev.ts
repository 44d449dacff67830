// `tiger dev`: the whole system on embedded defaults — Temporal dev server + UI, a worker, the
// webhook/REST server, the Okta emulator with demo data, the demo connector and its first full
// sync. State lives in .tiger/; Ctrl-C stops everything.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { loadConnectorFile } from '../../config/load';
import { typeSchemas } from '../../connectors/registry';
import { startOktaEmulator } from '../../emulators/okta';
import { openStore } from '../../store';
import { loadBundle } from '../../worker/bundle';
import { startWorker } from '../../worker/worker';
import { writeDevEnv } from '../dev-env';
import { startDevServer } from '../devserver';
import { syncWorkflowId } from '../../runtime/ids';
import { say } from '../output';
import { packageRoot, tigerPaths } from '../../runtime/paths';
import { refOf, requestSync } from '../../runtime/requests';
import { upsertSchedule } from '../schedules';
import { createTigerServer, listen } from '../server';
import { connectClient } from '../../runtime/temporal';
import { waitForRequest } from './wait';

const num = (v: string) => Number(v);

export function devCommand(): Command {
  return new Command('dev')
    .description('run everything locally: Temporal + UI, worker, webhook server, Okta emulator, demo connector')
    .option('--temporal-port <n>', 'Temporal frontend port', num, 7233)
    .option('--ui-port <n>', 'Temporal UI port', num, 8233)
    .option('--server-port <n>', 'webhook/REST server port', num, 8787)
    .option('--okta-port <n>', 'Okta emulator port', num, 8900)
    .option('--users <n>', 'demo users', num, 2000)
    .option('--groups <n>', 'demo groups', num, 120)
    .option('--apps <n>', 'demo apps', num, 12)
    .option('--seed <n>', 'demo data seed', num, 42)
    .option('--exit-after-sync', 'stop after the first sync (for scripts and CI)')
    .action(runDev);
}

async function runDev(o: {
  temporalPort: number; uiPort: number; serverPort: number; oktaPort: number;
  users: number; groups: number; apps: number; seed: number; exitAfterSync?: boolean;
}): Promise<void> {
  // Ctrl-C is ours: the worker is shut down gracefully below, not by the runtime's own handler.
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
  const paths = tigerPaths();
  mkdirSync(paths.home, { recursive: true });
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  // Each part gets a bounded time: a worker waiting on a hung activity must not keep the
  // Temporal dev server (stopped last) running after tiger dev is gone.
  const stopAll = async () => {
    for (const { name, stop } of stops.reverse()) {
      const outcome = await withTimeout(stop().catch(() => undefined), STOP_TIMEOUT_MS);
      if (outcome === TIMED_OUT) say(`tiger dev: ${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s; going on`);
    }
  };
  let interrupted = false;
  const interrupt = new Promise<void>((resolve) => {
    const on = () => {
      if (interrupted) {
        // A second Ctrl-C: stop waiting. The dev server's process group is killed on exit.
        say('tiger dev: stopping now');
        process.exit(130);
      }
      interrupted = true;
      resolve();
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });

  try {
    say('tiger dev: starting the Temporal dev server (state in .tiger/) …');
    const temporal = await startDevServer({
      dbFile: paths.temporalDb, port: o.temporalPort, uiPort: o.uiPort,
      logFile: createWriteStream(join(paths.home, 'temporal.log'), { flags: 'a' }),
    });
    stops.push({ name: 'the Temporal dev server', stop: () => temporal.stop() });
    process.env.TEMPORAL_ADDRESS = temporal.address;

    const token = process.env.OKTA_API_TOKEN ?? `dev-${randomBytes(12).toString('hex')}`;
    const emulator = await startOktaEmulator({ port: o.oktaPort, users: o.users, groups: o.groups, apps: o.apps, seed: o.seed, apiToken: token });
    stops.push({ name: 'the Okta emulator', stop: () => emulator.close() });
    // The demo connector file reads these; real deployments export them or use {{secret:…}}.
    process.env.OKTA_DOMAIN = emulator.url;
    process.env.OKTA_API_TOKEN = token;
    process.env.OKTA_WEBHOOK_SECRET ??= randomBytes(24).toString('hex');
    process.env.TIGER_API_TOKEN ??= randomBytes(24).toString('hex');
    writeDevEnv({
      OKTA_DOMAIN: emulator.url,
      OKTA_API_TOKEN: token,
      OKTA_WEBHOOK_SECRET: process.env.OKTA_WEBHOOK_SECRET,
      TIGER_API_TOKEN: process.env.TIGER_API_TOKEN,
      TIGER_SERVER_URL: `http://127.0.0.1:${o.serverPort}`,
      TEMPORAL_ADDRESS: temporal.address,
    });

    const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqliteFile: paths.sqlite });
    stops.push({ name: 'the store', stop: () => store.close() });
    const client = await connectClient({ address: temporal.address, namespace: 'default' });
    stops.push({ name: 'the Temporal client', stop: () => client.connection.close() });

    const worker = await startWorker({
      target: { address: temporal.address, namespace: 'default' },
      store,
      client: async () => client,
      workflowBundle: await loadBundle(),
    });
    stops.push({ name: 'the worker', stop: () => worker.shutdown() });

    const server = createTigerServer({ store, client: async () => client, log: (l) => say(`  [server] ${l}`) });
    const serverPort = await listen(server, o.serverPort);
    stops.push({ name: 'the webhook server', stop: () => new Promise((r) => server.close(r)) });

    const def = loadConnectorFile(join(packageRoot(), 'examples', 'okta-connector.yaml'), typeSchemas());
    await store.saveConnector({ name: def.name, type: def.type, enabled: def.enabled, definition: def });
    await upsertSchedule(client, def);
    await registerEventHook(emulator.url, token, `http://127.0.0.1:${serverPort}/webhooks/okta/${def.name}`, process.env.OKTA_WEBHOOK_SECRET);

    say(`tiger dev: Okta emulator ${emulator.url} (${o.users} users, ${o.groups} groups, ${o.apps} apps); webhook server http://127.0.0.1:${serverPort}`);
    say(`tiger dev: first full sync of ${def.name} …`);
    const req = await requestSync(client, refOf(def), 'full', 'dev');
    const summary = await Promise.race([waitForRequest(client, syncWorkflowId(def.name), req.requestId, true), interrupt.then(() => null)]);
    if (summary && summary.status !== 'succeeded') process.exitCode = 1;

    const ui = `${temporal.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`TigerConnector="${def.name}"`)}`;
    say('');
    say(`Temporal UI:   ${ui}`);
    say(`REST API:      POST http://127.0.0.1:${serverPort}/api/v1/connectors/test (bearer token: TIGER_API_TOKEN in .tiger/dev.env)`);
    say('Next, in another terminal (same folder):');
    say(`  npx tiger connector status ${def.name}`);
    say(`  npx tiger connector logs ${def.name}`);
    say(`  npx tiger connector test ${def.name}`);
    say(`  npx tiger connector sync ${def.name} --wait`);
    say(`  npx tiger connector test-webhook ${def.name}`);
    say(`  npx tiger connector export ${def.name} --json > export.json`);
    if (o.exitAfterSync || interrupted) return;
    say('Ctrl-C stops everything.');
    await interrupt;
  } finally {
    say('tiger dev: stopping …');
    await stopAll();
    // Whatever a hung activity still holds open must not keep the process alive.
    if (interrupted) setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
  }
}

const STOP_TIMEOUT_MS = 15_000;
const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function registerEventHook(oktaUrl: string, token: string, uri: string, secret: string | undefined): Promise<void> {
  const headers = { authorization: `SSWS ${token}`, 'content-type': 'application/json', accept: 'application/json' };
  const res = await request(`${oktaUrl}/api/v1/eventHooks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: 'tiger-sync dev',
      events: { type: 'EVENT_TYPE', items: ['user.lifecycle.create', 'user.account.update_profile', 'user.lifecycle.deactivate', 'group.user_membership.add', 'group.user_membership.remove'] },
      channel: { type: 'HTTP', version: '1.0.0', config: { uri, headers: [], authScheme: { type: 'HEADER', key: 'Authorization', value: secret } } },
    }),
  });
  const hook = (await res.body.json()) as { id: string };
  const verify = await request(`${oktaUrl}/api/v1/eventHooks/${hook.id}/lifecycle/verify`, { method: 'POST', headers });
  await verify.body.dump();
  if (verify.statusCode !== 200) say(`  warning: event hook verification answered ${verify.statusCode}`);
}
