import { defineConfig } from 'vitest/config';

// `npm run test:production`: the scale-out tests on the production topology (Temporal Server on
// PostgreSQL via scripts/temporal-server.sh, `tiger worker` processes). Kept out of `npm test`,
// which runs against the dev server; .ci/run runs both.
export default defineConfig({
  test: {
    include: ['test/production/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 25 * 60_000,
    // The first `temporal-server.sh up` on a machine builds the server with Go (minutes).
    hookTimeout: 30 * 60_000,
    reporters: ['default'],
  },
});
