// The sync cases' source: `tiger emulator okta` in its own process (so its CPU is not the case's),
// started the way a user starts it, with the org size of the bench. The emulator's CPU seconds are
// read from /proc so a profile can say how much of a run the source itself cost.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

export interface OrgSize {
  users: number;
  groups: number;
  perGroup: number;
}

export interface OktaEmulator {
  url: string;
  pid: number;
  /** User + system CPU seconds the emulator has used so far (Linux /proc; NaN elsewhere). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startOktaEmulator(org: OrgSize, opts: { port: number; token: string; nodeArgs?: string[] }): Promise<OktaEmulator> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), 'bin/tiger.js', 'emulator', 'okta', '--port', String(opts.port), '--users', String(org.users), '--groups', String(org.groups), '--apps', '20', '--members-per-group', String(org.perGroup), '--seed', '1', '--token', opts.token],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('okta emulator:') && resolve());
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${opts.port}`,
    pid: child.pid!,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function cpuSecondsOf(pid: number): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
