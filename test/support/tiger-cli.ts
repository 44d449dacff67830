// Runs the real `tiger` CLI as a child process (bin/tiger.js, as a user would), in the harness's
// directory and against its Temporal server.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Harness } from './harness';

const root = join(__dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTiger(h: Harness, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'tiger.js'), ...args], {
      cwd: h.dir,
      env: { ...process.env, TEMPORAL_ADDRESS: h.address, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
