// Rules for run records that both engines share.
import type { RunStatus } from './types';

/** Only a final status closes a run; a held run waits for approval and is still open. */
export function finishedAt(status: RunStatus, now: string): string | null {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled' ? now : null;
}

export function unknownRun(runId: string): Error {
  return new Error(`unknown run ${JSON.stringify(runId)}: call beginRun first`);
}

/** A staged page may be applied only by the connector that staged it, and only while it exists. */
export function checkStage<T extends { connector: string }>(stage: T | undefined, stageKey: string, connector: string): asserts stage is T {
  if (!stage) {
    throw new Error(
      `unknown stage key ${JSON.stringify(stageKey)} for connector ${JSON.stringify(connector)}: ` +
        'stage the page (stagePage) before applying it, or it was dropped with its run',
    );
  }
  if (stage.connector !== connector) {
    throw new Error(
      `stage key ${JSON.stringify(stageKey)} belongs to connector ${JSON.stringify(stage.connector)}, ` +
        `not ${JSON.stringify(connector)}`,
    );
  }
}
