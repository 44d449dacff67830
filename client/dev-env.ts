// `tiger dev` generates throwaway credentials (emulator token, webhook secret, REST token) and
// writes them to .tiger/dev.env (mode 0600) so `tiger` commands in another terminal of the same
// folder can use them. Variables already set in the environment win; nothing here is printed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { tigerPaths } from '../runtime/paths';

const file = () => join(tigerPaths().home, 'dev.env');

export function loadDevEnv(env: Record<string, string | undefined> = process.env): void {
  const path = file();
  if (!existsSync(path)) return;
  for (const [k, v] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) {
    if (env[k] === undefined) env[k] = v;
  }
}

export function writeDevEnv(values: Record<string, string>): void {
  const body = Object.entries(values)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join('\n');
  writeFileSync(file(), `# written by tiger dev: throwaway local credentials\n${body}\n`, { mode: 0o600 });
}
