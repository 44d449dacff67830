// The real Temporal dev server (`temporal server start-dev`, SQLite file, UI), found or built by
// scripts/install-temporal.sh. Used by `tiger dev` and by the tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { packageRoot } from '../runtime/paths';

export function temporalBinary(): string {
  const script = join(packageRoot(), 'scripts', 'install-temporal.sh');
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** Flags shared by `tiger dev` and the tests: fast SQLite settings suit a dev server, not production. */
export const DEV_SERVER_FAST_ARGS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off'];

export function devServerArgs(o: { dbFile: string; port: number; uiPort: number; headless?: boolean }): string[] {
  return [
    'server', 'start-dev',
    '--db-filename', o.dbFile,
    '--ip', '127.0.0.1',
    '--port', String(o.port),
    ...(o.headless ? ['--headless'] : ['--ui-port', String(o.uiPort)]),
    ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=Keyword`]),
    ...DEV_SERVER_FAST_ARGS,
    '--log-level', 'error',
  ];
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevServer(o: { dbFile: string; port: number; uiPort: number; headless?: boolean; logFile?: NodeJS.WritableStream }): Promise<DevServer> {
  const bin = temporalBinary();
  // Its own process group, so stop() reaches everything it started and a Ctrl-C meant for
  // `tiger dev` does not kill it before the worker has let go of it.
  const child = spawn(bin, devServerArgs(o), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  // Last resort when tiger itself exits without stop() (an uncaught error, process.exit).
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  let output = '';
  child.stdout?.on('data', (d) => { output += d; o.logFile?.write(d); });
  child.stderr?.on('data', (d) => { output += d; o.logFile?.write(d); });
  const address = `127.0.0.1:${o.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal server start-dev exited (${child.exitCode}): ${output.slice(-2000)}`);
    try {
      const c = await Connection.connect({ address, connectTimeout: '1s' });
      await c.workflowService.getSystemInfo({});
      await c.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        killGroup('SIGKILL');
        throw new Error(`temporal dev server did not answer on ${address} within 60 s: ${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    address,
    uiUrl: o.headless ? null : `http://127.0.0.1:${o.uiPort}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        killGroup('SIGTERM');
        setTimeout(() => killGroup('SIGKILL'), 5000).unref();
      }),
  };
}
