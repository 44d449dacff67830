// Starts the real Temporal dev server once (the binary found or built by
// scripts/install-temporal.sh, handed to @temporalio/testing as an existing path) and tells the
// test files where it is.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalTemporal } from './local-temporal';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'tiger-temporal-'));
  const env = await startLocalTemporal(join(dir, 'temporal.db'));
  project.provide('temporalAddress', env.address);
  return async () => {
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  };
}
