// The real Temporal dev server (the binary found or built by scripts/install-temporal.sh, handed to
// @temporalio/testing as an existing path) with the Tiger* search attributes, on a SQLite file.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEV_SERVER_FAST_ARGS, temporalBinary } from '../../client/devserver';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

export function startLocalTemporal(dbFilename: string): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinary() },
      searchAttributes: SEARCH_ATTRIBUTES,
      dbFilename,
      extraArgs: DEV_SERVER_FAST_ARGS,
    },
  });
}
