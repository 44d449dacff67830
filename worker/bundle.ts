// Workflow code is bundled once and cached in .tiger/ (keyed by the sources' mtime), so restarting
// a worker — as the crash test does — takes a second, not the bundler's ten.
import { bundleWorkflowCode } from '@temporalio/worker';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, tigerPaths } from '../runtime/paths';

export async function loadBundle(): Promise<{ code: string }> {
  // Always the TypeScript sources, also when this module runs from dist/: the bundler compiles them.
  const dir = join(packageRoot(), 'workflows');
  const stamp = readdirSync(dir)
    .map((f) => `${f}:${statSync(join(dir, f)).mtimeMs}`)
    .sort()
    .join('|');
  const cacheDir = tigerPaths().home;
  const file = join(cacheDir, 'workflow-bundle.js');
  const stampFile = `${file}.stamp`;
  if (existsSync(file) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    return { code: readFileSync(file, 'utf8') };
  }
  const { code } = await bundleWorkflowCode({ workflowsPath: join(dir, 'index.ts'), logger: quietLogger });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, code);
  writeFileSync(stampFile, stamp);
  return { code };
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
