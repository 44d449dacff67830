// Where local state lives: .tiger/ in the working directory, or $TIGER_HOME.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function tigerPaths(env: Record<string, string | undefined> = process.env) {
  const home = resolve(env.TIGER_HOME ?? '.tiger');
  return {
    home,
    sqlite: join(home, 'tiger.db'),
    temporalDb: join(home, 'temporal.db'),
    secrets: join(home, 'secrets.json'),
  };
}

/** The package's own folder (where package.json is), whether this module runs from the sources or
 *  from the compiled copy in dist/: examples, scripts and the workflow sources are found from it. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`tiger-sync: no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}
