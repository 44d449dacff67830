// The README's first command: `tiger dev` brings up Temporal (+UI), worker, webhook server and
// the Okta emulator, creates the demo connector and runs its first full sync.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

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
