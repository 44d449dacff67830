#!/usr/bin/env node
// The `tiger` CLI runs the TypeScript sources directly (tsx), so there is no build step to forget.
require('tsx/cjs');
require('../client/cli.ts')
  .main(process.argv)
  .catch((err) => {
    process.stderr.write(`tiger: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  });
