// The workflow bundle every worker holds twice (main heap and workflow sandbox): ASCII only, so V8
// stores it at one byte per character, and a source map of mappings without the sources' text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../worker/bundle';

const home = mkdtempSync(join(tmpdir(), 'tiger-bundle-'));
const saved = process.env.TIGER_HOME;
afterAll(() => {
  if (saved === undefined) delete process.env.TIGER_HOME;
  else process.env.TIGER_HOME = saved;
  rmSync(home, { recursive: true, force: true });
});

describe('loadBundle', () => {
  it('bundles ASCII code with a source map that maps to the .ts files but carries no sources', async () => {
    process.env.TIGER_HOME = home;
    const { code } = await loadBundle();
    expect(code).not.toMatch(/[\u0080-\uffff]/);
    // The workflows' own messages keep their dashes, as escapes.
    expect(code).toContain('\\u2014');
    const map = JSON.parse(Buffer.from(code.slice(code.lastIndexOf('base64,') + 7), 'base64').toString('utf8')) as {
      sources: string[];
      sourcesContent?: unknown[];
    };
    expect(map.sources.some((s) => s.endsWith(join('workflows', 'sync.ts')))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
    expect(code.length).toBeLessThan(1_200_000);
    // Cached: the second call reads the same bundle back.
    expect((await loadBundle()).code).toBe(code);
  }, 120_000);
});
