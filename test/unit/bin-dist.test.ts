// bin/tiger.js runs the compiled dist/ only while it is current: a dist/ that is missing, or older
// than any source file, is never run (an edit would be silently ignored); the sources run through
// tsx instead. Checked on a copy of the launcher with stand-in entry points that say which ran.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(__dirname, '..', '..');
let pkg: string;

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), 'tiger-bin-'));
  mkdirSync(join(pkg, 'bin'));
  copyFileSync(join(repo, 'bin', 'tiger.js'), join(pkg, 'bin', 'tiger.js'));
  symlinkSync(join(repo, 'node_modules'), join(pkg, 'node_modules'));
  mkdirSync(join(pkg, 'client'));
  mkdirSync(join(pkg, 'store'));
  writeFileSync(join(pkg, 'client', 'cli.ts'), "export async function main(): Promise<void> { process.stdout.write('sources'); }\n");
  writeFileSync(join(pkg, 'store', 'sqlite.ts'), 'export const x: number = 1;\n');
  mkdirSync(join(pkg, 'dist', 'client'), { recursive: true });
  writeFileSync(join(pkg, 'dist', 'client', 'cli.js'), "exports.main = async () => { process.stdout.write('dist'); };\n");
});

afterAll(() => rmSync(pkg, { recursive: true, force: true }));

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const stamp = (d: Date) => {
  writeFileSync(join(pkg, 'dist', '.build-stamp'), '');
  utimesSync(join(pkg, 'dist', '.build-stamp'), d, d);
};
const touch = (file: string, d: Date) => utimesSync(join(pkg, file), d, d);
const tiger = (env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'tiger.js')], { env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe('bin/tiger.js', () => {
  it('runs the sources when dist/ was never built', () => {
    rmSync(join(pkg, 'dist', '.build-stamp'), { force: true });
    expect(tiger()).toBe('sources');
  });

  it('runs dist/ when it was built after every source file', () => {
    touch('client/cli.ts', at(10));
    touch('store/sqlite.ts', at(10));
    stamp(at(20));
    expect(tiger()).toBe('dist');
  });

  it('runs the sources again as soon as any source file (in any source folder) is newer than the build', () => {
    stamp(at(20));
    touch('store/sqlite.ts', at(30));
    expect(tiger()).toBe('sources');
    touch('store/sqlite.ts', at(10));
    expect(tiger()).toBe('dist');
  });

  it('runs the sources when TIGER_FROM_SOURCES=1, whatever dist/ holds', () => {
    stamp(at(20));
    expect(tiger({ TIGER_FROM_SOURCES: '1' })).toBe('sources');
  });
});
