// The processes of the production topology, as an operator starts them: the Temporal server and
// UI through scripts/temporal-server.sh, and `tiger worker` / `tiger server` / `tiger emulator`
// as separate processes. Everything started here is remembered and stopped by stopAll().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';

export const root = join(__dirname, '..', '..');
export const FRONTEND = '127.0.0.1:7333';
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

const started: ChildProcess[] = [];

/** True when scripts/temporal-server.sh finds the server and the UI running and serving. */
export function temporalServerRunning(): boolean {
  return spawnSync('bash', [join(root, 'scripts/temporal-server.sh'), 'status'], { cwd: root, env: scriptEnv(), stdio: 'ignore', timeout: 60_000 }).status === 0;
}

/** The server's process id, from the pid file the script keeps. */
export function temporalServerPid(): number {
  return Number(readFileSync(join(root, '.tiger/production/temporal.pid'), 'utf8'));
}

// The script keeps its state under TIGER_HOME; the test points TIGER_HOME at a scratch dir for
// the tiger processes, which must not move the server's pid files.
function scriptEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TIGER_HOME;
  return env;
}

/** Runs scripts/temporal-server.sh with a subcommand; returns its seconds, throws with its output. */
export function temporalServer(cmd: 'up' | 'down' | 'status'): number {
  const t0 = Date.now();
  const r = spawnSync('bash', [join(root, 'scripts/temporal-server.sh'), cmd], { cwd: root, env: scriptEnv(), encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`temporal-server.sh ${cmd} exited ${r.status ?? r.signal}: ${r.stderr.slice(-3000)}${r.stdout.slice(-1000)}`);
  return (Date.now() - t0) / 1000;
}

export interface Tiger {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of re in stdout. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** `tiger <args>` as its own process group, so a SIGKILL takes the whole process down. */
export function tiger(args: string[], env: Record<string, string>): Tiger {
  const child = spawn(process.execPath, [join(root, 'bin/tiger.js'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    waitFor(re, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setInterval(check, 100);
        const deadline = Date.now() + timeoutMs;
        function check() {
          const m = re.exec(out);
          if (m) {
            clearInterval(timer);
            resolve(m);
          } else if (child.exitCode !== null || Date.now() > deadline) {
            clearInterval(timer);
            reject(new Error(`tiger ${args.join(' ')}: no ${re} (exit ${child.exitCode}): ${out.slice(-2000)}`));
          }
        }
      });
    },
  };
}

export function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
  return exited;
}

export async function stopAll(): Promise<void> {
  await Promise.all(
    started.map(async (c) => {
      const done = kill(c, 'SIGTERM');
      const timer = setTimeout(() => void kill(c, 'SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    }),
  );
}

/** A fresh PostgreSQL database for one run's identity store; returns its URL and a dropper. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new PgClient(PG_ADMIN);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    async drop() {
      const c = new PgClient(PG_ADMIN);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
