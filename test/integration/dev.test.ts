// The README's first command: `tiger dev` brings up Temporal (+UI), worker, webhook server and
// the Okta emulator, creates the demo connector and runs its first full sync.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'tiger-dev-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('tiger dev syncs the demo connector and prints the UI link and next commands', async () => {
  const base = 21000 + Math.floor(Math.random() * 2000) * 4;
  const args = ['dev', '--exit-after-sync', '--temporal-port', String(base), '--ui-port', String(base + 1), '--server-port', String(base + 2), '--okta-port', String(base + 3), '--users', '300', '--groups', '12', '--apps', '3'];
  const env: NodeJS.ProcessEnv = { ...process.env, TIGER_HOME: join(dir, '.tiger') };
  for (const k of ['OKTA_API_TOKEN', 'OKTA_DOMAIN', 'OKTA_WEBHOOK_SECRET', 'TIGER_API_TOKEN', 'TEMPORAL_ADDRESS', 'TIGER_TASK_QUEUE']) delete env[k];
  const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'tiger.js'), ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (c) => resolve({ code: c ?? -1, out }));
  });
  expect(out).toMatch(/full run succeeded: fetched \d+, inserted [1-9]\d*/);
  expect(code).toBe(0);
  expect(out).toContain(`http://127.0.0.1:${base + 1}/namespaces/default/workflows?query=TigerConnector%3D%22okta-production%22`);
  expect(out).toContain('npx tiger connector status okta-production');
  // Throwaway credentials go to .tiger/dev.env for other terminals, never to the screen.
  const devEnv = readFileSync(join(dir, '.tiger', 'dev.env'), 'utf8');
  const secret = /OKTA_WEBHOOK_SECRET="([^"]+)"/.exec(devEnv)![1];
  expect(out).not.toContain(secret);
});

/** Pids of processes whose command line mentions `needle` (our own temporal.db path). */
function processesWith(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

it('Ctrl-C stops the Temporal dev server even while an activity hangs', async () => {
  const home = join(dir, 'hang', '.tiger');
  const base = 21000 + Math.floor(Math.random() * 2000) * 4;
  const args = ['dev', '--temporal-port', String(base), '--ui-port', String(base + 1), '--server-port', String(base + 2), '--okta-port', String(base + 3), '--users', '20000', '--groups', '12', '--apps', '3'];
  const env: NodeJS.ProcessEnv = { ...process.env, TIGER_HOME: home };
  for (const k of ['OKTA_API_TOKEN', 'OKTA_DOMAIN', 'OKTA_WEBHOOK_SECRET', 'TIGER_API_TOKEN', 'TEMPORAL_ADDRESS', 'TIGER_TASK_QUEUE']) delete env[k];
  mkdirSync(join(dir, 'hang'), { recursive: true });
  const child = spawn(process.execPath, [join(root, 'bin', 'tiger.js'), ...args], { cwd: join(dir, 'hang'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  const temporalDb = join(home, 'temporal.db');
  try {
    await vi.waitFor(() => expect(out).toContain('first full sync of okta-production'), { timeout: 120_000, interval: 200 });
    expect(processesWith(temporalDb).length).toBeGreaterThan(0);
    // From now on every Okta request the sync makes hangs for ten minutes.
    const okta = `http://127.0.0.1:${base + 3}`;
    const token = /OKTA_API_TOKEN="([^"]+)"/.exec(readFileSync(join(home, 'dev.env'), 'utf8'))![1];
    const headers = { authorization: `SSWS ${token}`, 'content-type': 'application/json' };
    const requests = async () => {
      const stats = (await (await fetch(`${okta}/__emulator/stats`, { headers })).json()) as { requests: Record<string, number> };
      return Object.values(stats.requests).reduce((a, b) => a + b, 0);
    };
    expect((await fetch(`${okta}/__emulator/knobs`, { method: 'POST', headers, body: JSON.stringify({ latencyMs: 600_000 }) })).status).toBe(200);
    const before = await requests();
    await vi.waitFor(async () => expect(await requests()).toBeGreaterThan(before), { timeout: 60_000, interval: 200 });

    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 90_000))]);
    expect(code, out.slice(-2000)).not.toBe('still running');
    expect(processesWith(temporalDb)).toEqual([]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of processesWith(temporalDb)) process.kill(pid, 'SIGKILL');
  }
}, 300_000);
