// Workflow code is bundled once and cached in .tiger/ (keyed by the sources' mtime), so restarting
// a worker — as the crash test does — takes a second, not the bundler's ten.
import { bundleWorkflowCode } from '@temporalio/worker';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, tigerPaths } from '../runtime/paths';

/** Part of the cache stamp: a bundle cached in an older form is rebuilt. */
const BUNDLE_FORMAT = 'format:2';

export async function loadBundle(): Promise<{ code: string }> {
  // Always the TypeScript sources, also when this module runs from dist/: the bundler compiles them.
  const dir = join(packageRoot(), 'workflows');
  const stamp = readdirSync(dir)
    .map((f) => `${f}:${statSync(join(dir, f)).mtimeMs}`)
    .sort()
    .concat(BUNDLE_FORMAT)
    .join('|');
  const cacheDir = tigerPaths().home;
  const file = join(cacheDir, 'workflow-bundle.js');
  const stampFile = `${file}.stamp`;
  if (existsSync(file) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    return { code: readFileSync(file, 'utf8') };
  }
  const bundled = await bundleWorkflowCode({ workflowsPath: join(dir, 'index.ts'), logger: quietLogger, webpackConfigHook: slim });
  const code = bundled.code.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, code);
  writeFileSync(stampFile, stamp);
  return { code };
}

/** The bundle lives in every worker's main heap and in its workflow sandbox. Its source map keeps
 *  the mappings (workflow stack traces still name .ts files and lines) but not a copy of every
 *  bundled source, which was half of it. Characters beyond ASCII (dashes in comments
 *  and messages) are written as \u escapes: one such character makes V8 store the whole bundle
 *  at two bytes per character. */
const slim: WebpackConfigHook = (config) => ({ ...config, devtool: 'inline-nosources-source-map' });

type WebpackConfigHook = NonNullable<Parameters<typeof bundleWorkflowCode>[0]['webpackConfigHook']>;

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
