// Heartbeats shared by the activities. Outside an activity (the plain-loop benchmark, unit tests
// calling activity functions directly) there is nothing to heartbeat, and that is fine.
import { Context } from '@temporalio/activity';

export function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not inside an activity
  }
}

/** Keeps telling Temporal this worker is alive while `fn` runs. A source may make us wait longer
 *  than the heartbeat timeout (a 429 until X-Rate-Limit-Reset, a slow directory write); the work
 *  stays bounded by the clients' own timeouts and the start-to-close timeout, and a killed worker
 *  stops heartbeating at once. */
export async function keepAlive<T>(fn: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => heartbeat(), 5000);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/** A per-page progress heartbeat that starts once the batch has run for `afterMs`. Most batches end
 *  sooner, and each heartbeat is a round trip and a write on the Temporal server: two hundred
 *  batches of a sync would cost two hundred of them for progress nobody could have watched.
 *  Liveness does not depend on it (keepAlive). */
export function pageHeartbeat(afterMs = 1000): (details: unknown) => void {
  const started = Date.now();
  return (details) => {
    if (Date.now() - started >= afterMs) heartbeat(details);
  };
}
