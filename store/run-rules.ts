// Rules for run records that both engines share.
import type { RunStatus } from './types';

/** Only a final status closes a run; a held run waits for approval and is still open. */
export function finishedAt(status: RunStatus, now: string): string | null {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled' ? now : null;
}

export function unknownRun(runId: string): Error {
  return new Error(`unknown run ${JSON.stringify(runId)}: call beginRun first`);
}
