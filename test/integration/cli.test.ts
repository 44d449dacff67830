// The `tiger` CLI as an operator runs it: a real process against the real Temporal server, a
// worker, the webhook/REST server and the Okta emulator.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTigerServer, listen } from '../../client/server';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { runTiger } from '../support/tiger-cli';
import { connectorYaml, snapshot } from '../support/okta-expect';

let h: Harness;
let serverUrl = '';
let closeServer: () => void = () => undefined;
const root = join(__dirname, '..', '..');
const name = uniqueName('cli-okta');
const SECRET_TOKEN = 'emulator-token';

const tiger = (args: string[], env: NodeJS.ProcessEnv = {}) => runTiger(h, args, { TIGER_SERVER_URL: serverUrl, ...env });

beforeAll(async () => {
  h = await startHarness({ emulator: { users: 300, groups: 15, apps: 3, seed: 5 } });
  await h.startWorker();
  process.env.CLI_HOOK_SECRET = 'cli-hook-secret';
  process.env.TIGER_API_TOKEN = 'rest-api-token';
  const server = createTigerServer({ store: h.store, client: async () => h.client });
  serverUrl = `http://127.0.0.1:${await listen(server, 0)}`;
  closeServer = () => server.close();
});
afterAll(async () => {
  closeServer();
  await h?.close();
});

describe('tiger connector', () => {
  it('rejects an invalid file with exit code 2, naming file and field, and stores nothing', async () => {
    const bad = join(h.dir, 'bad.yaml');
    writeFileSync(bad, connectorYaml(name).replace('interval: 15m', 'interval: 15 minutes'));
    const r = await tiger(['connector', 'create', '-f', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml');
    expect(r.stderr).toContain('sync.interval');
    expect(await h.store.getConnector(name)).toBeNull();
  });

  it('creates a connector with its schedule, and never prints a secret', async () => {
    const file = join(h.dir, 'okta.yaml');
    writeFileSync(file, connectorYaml(name, 'webhooks:\n  enabled: true\n  secret: ${CLI_HOOK_SECRET}\n  events:\n    - user.account.update_profile\n'));
    const r = await tiger(['connector', 'create', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`schedule/${name}`);
    const again = await tiger(['connector', 'create', '-f', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const desc = await h.client.schedule.getHandle(`schedule/${name}`).describe();
    expect(desc.action.type).toBe('startWorkflow');
    const get = await tiger(['connector', 'get', name, '--json']);
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout).config.apiToken).toBe('${OKTA_API_TOKEN}');
    expect(get.stdout).not.toContain(SECRET_TOKEN);
    expect(get.stdout).not.toContain('cli-hook-secret');
    const list = JSON.parse((await tiger(['connector', 'list', '--json'])).stdout);
    expect(list.map((c: { name: string }) => c.name)).toContain(name);
  });

  it('sync --wait runs a full sync; status, logs and export report it', async () => {
    const r = await tiger(['connector', 'sync', name, '--full', '--wait', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('succeeded');
    const snap = await snapshot(h.emulator!.url);
    expect(summary.counts.inserted).toBe(snap.users.length + snap.groups.length + snap.apps.length + snap.memberships.length + snap.appUsers.length);

    const status = JSON.parse((await tiger(['connector', 'status', name, '--json'])).stdout);
    expect(status.stored.user).toBe(snap.users.length);
    expect(status.lastRuns[0].status).toBe('succeeded');
    expect(status.schedule.nextRuns.length).toBeGreaterThan(0);

    const logs = JSON.parse((await tiger(['connector', 'logs', name, '--json'])).stdout);
    expect(logs.some((l: { message: string }) => l.message.startsWith('run succeeded'))).toBe(true);

    const exported = JSON.parse((await tiger(['connector', 'export', name, '--json'])).stdout);
    expect(Object.keys(exported).sort()).toEqual(['appUsers', 'apps', 'groups', 'memberships', 'users']);
    expect(exported.users.map((u: { id: string }) => u.id).sort()).toEqual(snap.users.map((u) => u.id).sort());
  });

  it('test reports the seed-004 shape, by CLI and by REST', async () => {
    const r = await tiger(['connector', 'test', name, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    const snap = await snapshot(h.emulator!.url);
    expect(result).toMatchObject({ status: 'success', details: { connectorType: 'okta', groupsFound: snap.groups.length } });
    expect(result.details.usersFound).toBeGreaterThan(0);
    expect(typeof result.details.latency).toBe('number');

    const unauthorized = await fetch(`${serverUrl}/api/v1/connectors/test`, { method: 'POST', body: JSON.stringify({ connectorId: name }) });
    expect(unauthorized.status).toBe(401);
    const res = await fetch(`${serverUrl}/api/v1/connectors/test`, {
      method: 'POST',
      headers: { authorization: 'Bearer rest-api-token', 'content-type': 'application/json' },
      body: JSON.stringify({ connectorId: name }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'success', message: expect.any(String), details: { connectorType: 'okta' } });
  });

  it('test-webhook sends a sample event through server, workflow and store', async () => {
    const r = await tiger(['connector', 'test-webhook', name, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
  });

  it('exits quietly with 0 when the reader of its output goes away (| head)', async () => {
    const full = await tiger(['connector', 'export', name, '--json']);
    // More than a pipe buffer, so the writer really meets a closed pipe.
    expect(full.stdout.length).toBeGreaterThan(128 * 1024);
    const cmd = `"${process.execPath}" "${join(root, 'bin', 'tiger.js')}" connector export ${name} --json | head -c 100 >/dev/null; echo "tiger-exit=\${PIPESTATUS[0]}" >&2`;
    const r = await new Promise<{ stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', cmd], { cwd: h.dir, env: { ...process.env, TEMPORAL_ADDRESS: h.address }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', () => resolve({ stderr }));
    });
    expect(r.stderr).toBe('tiger-exit=0\n');
  });

  it('tells which name a display name was stored under, and prints warnings (also in --json) without blocking', async () => {
    const display = `CLI Display ${name.slice(-6)}`;
    const slug = display.toLowerCase().replace(/ /g, '-');
    const file = join(h.dir, 'display.yaml');
    writeFileSync(file, connectorYaml(JSON.stringify(display), 'filters:\n  groups:\n    - type.name eq "OKTA_GROUP"\n'));
    const r = await tiger(['connector', 'create', '-f', file, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.name).toBe(slug);
    expect(result.warnings.map((w: { path: string }) => w.path)).toEqual(['name', 'filters.groups[0]']);
    expect(r.stderr).toContain(`is stored as ${slug}`);
    expect(r.stderr).toContain('warning: ');
    expect(r.stderr).toContain('type.name does not occur on okta groups');
    expect(await h.store.getConnector(slug)).not.toBeNull();
    expect((await tiger(['connector', 'delete', slug])).code).toBe(0);
  });

  it('refuses a literal credential with exit 2, without a stack or the value, and stores nothing', async () => {
    const file = join(h.dir, 'literal.yaml');
    const literal = uniqueName('cli-literal');
    writeFileSync(file, connectorYaml(literal).replace('${OKTA_API_TOKEN}', 'hunter2-literal-token'));
    const r = await tiger(['connector', 'create', '-f', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config.apiToken');
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await h.store.getConnector(literal)).toBeNull();
  });

  it('apply whose schedule cannot be written keeps the previous definition and says so (exit 1)', async () => {
    const before = (await h.store.getConnector(name))!.definition as { sync: { interval: string } };
    const file = join(h.dir, 'apply.yaml');
    writeFileSync(file, connectorYaml(name, 'webhooks:\n  enabled: true\n  secret: ${CLI_HOOK_SECRET}\n').replace('interval: 15m', 'interval: 45m'));
    // A namespace Temporal does not have: the connection works, writing the schedule fails.
    const r = await tiger(['connector', 'apply', '-f', file], { TEMPORAL_NAMESPACE: `missing-${name}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`could not update schedule/${name}`);
    expect(r.stderr).toContain('the previous definition');
    expect(((await h.store.getConnector(name))!.definition as { sync: { interval: string } }).sync.interval).toBe(before.sync.interval);

    const fresh = uniqueName('cli-nosched');
    writeFileSync(file, connectorYaml(fresh));
    const created = await tiger(['connector', 'create', '-f', file], { TEMPORAL_NAMESPACE: `missing-${name}` });
    expect(created.code).toBe(1);
    expect(created.stderr).toContain('nothing was stored');
    expect(await h.store.getConnector(fresh)).toBeNull();
  });

  it('lists no connectors as an empty table or [] with exit 0', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tiger-empty-'));
    const env = { TIGER_HOME: join(home, '.tiger'), DATABASE_URL: '' };
    const table = await tiger(['connector', 'list'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe('NAME  TYPE  ENABLED  MODE  INTERVAL  LASTRUN\n');
    const json = await tiger(['connector', 'list', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it('fails with a non-zero exit code for an unknown connector', async () => {
    const r = await tiger(['connector', 'status', 'no-such-connector']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no connector named "no-such-connector"');
  });

  it('delete removes the connector and its schedule', async () => {
    const r = await tiger(['connector', 'delete', name]);
    expect(r.code).toBe(0);
    expect(await h.store.getConnector(name)).toBeNull();
    await expect(h.client.schedule.getHandle(`schedule/${name}`).describe()).rejects.toThrow();
  });
});
