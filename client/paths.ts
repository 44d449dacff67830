// Where local state lives: .tiger/ in the working directory, or $TIGER_HOME.
import { join, resolve } from 'node:path';

export function tigerPaths(env: Record<string, string | undefined> = process.env) {
  const home = resolve(env.TIGER_HOME ?? '.tiger');
  return {
    home,
    sqlite: join(home, 'tiger.db'),
    temporalDb: join(home, 'temporal.db'),
    secrets: join(home, 'secrets.json'),
  };
}
