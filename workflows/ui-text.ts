// What an operator reads in the Temporal UI: one-line activity summaries ("fetch users · batch 12
// · 55,000 records read before it", "apply batch 11 · 20,000 records") and the workflow's current details (Temporal user metadata). Text only,
// built from counters the workflow already holds — never from record data.
import type { Progress } from './types';

/** 1234567 → "1,234,567" without Intl, whose output depends on the worker's locale. */
export function thousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export const summaries = {
  fetch: (resource: string, batch: number, readSoFar: number) => `fetch ${resource} · batch ${batch} · ${thousands(readSoFar)} records read before it`,
  fetchChanges: (batch: number, readSoFar: number) => `fetch changes · batch ${batch} · ${thousands(readSoFar)} records read before it`,
  apply: (stageKey: string, records: number) => `apply batch ${stageKey.split('/').pop()} · ${thousands(records)} records`,
};

/** What a run is reading now, in words: its lanes' classes side by side, or its one class; null
 *  once every class is read (deleting, finishing). */
export function readingNow(run: NonNullable<Progress['run']>): string | null {
  return run.reading?.join(' ∥ ') ?? run.resource;
}

/** The workflow's current details (Markdown in the UI). */
export function progressDetails(p: Progress): string {
  if (p.held) {
    return [
      `**held for approval** (run ${p.held.runId}): ${p.held.reason}`,
      `approve or reject with \`tiger connector approve-deletions ${p.connector} [--reject]\` before ${new Date(p.held.deadlineMs).toISOString()} (then rejected)`,
    ].join('\n\n');
  }
  const run = p.run;
  if (!run) return p.pending.length > 0 ? `idle · ${p.pending.length} request(s) waiting` : 'idle · waiting for a request';
  const now = readingNow(run);
  const where = now ? `${now} (${run.resourceIndex + 1}/${run.resourceCount})` : 'all resources';
  const c = run.counts;
  return [
    `**${run.mode}** run (${run.trigger}) · ${p.phase} · ${where}`,
    `${thousands(run.records)} records read · ${thousands(run.ratePerSec)}/s · ${thousands(c.inserted)} inserted, ${thousands(c.updated)} updated, ${thousands(c.unchanged)} unchanged, ${thousands(c.deleted)} deleted · ${run.pages} batches`,
  ].join('\n\n');
}
