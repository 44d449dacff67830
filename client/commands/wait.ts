// Follows a sync request to its end through the workflow's `progress` query, drawing a progress
// bar on a terminal and a line every few seconds elsewhere.
import type { Client } from '@temporalio/client';
import { SingleBar, Presets } from 'cli-progress';
import { progressQuery, syncWorkflow } from '../../workflows/definitions';
import type { Progress, RunSummary } from '../../workflows/types';
import { readingNow } from '../../workflows/ui-text';
import { say } from '../output';

export async function waitForRequest(client: Client, workflowId: string, requestId: string, show: boolean): Promise<RunSummary> {
  const handle = client.workflow.getHandle<typeof syncWorkflow>(workflowId);
  const tty = show && process.stdout.isTTY;
  const bar = tty
    ? new SingleBar({ format: ' {resource} |{bar}| {value}/{total} resources · {records} records · {rate}/s', hideCursor: true }, Presets.shades_classic)
    : null;
  let started = false;
  let lastLine = 0;
  try {
    for (;;) {
      let p: Progress;
      try {
        p = await handle.query(progressQuery);
      } catch (err) {
        // Between continue-as-new runs a query can miss; ask again.
        if (/not found|closed|QueryFailed/i.test((err as Error).message)) {
          const done = await finishedSummary(client, workflowId, requestId);
          if (done) return done;
        }
        await sleep(500);
        continue;
      }
      const done = p.recent.find((r) => r.requestIds.includes(requestId));
      if (done) {
        if (bar && started) { bar.update(bar.getTotal(), {}); bar.stop(); }
        if (show) report(done);
        return done;
      }
      const run = p.run && p.run.requestIds.includes(requestId) ? p.run : undefined;
      if (run) {
        const fields = { resource: (readingNow(run) ?? 'deletions').padEnd(11), records: run.records, rate: run.ratePerSec };
        if (bar) {
          if (!started) { bar.start(run.resourceCount, run.resourceIndex, fields); started = true; }
          bar.update(run.resourceIndex, fields);
        } else if (show && Date.now() - lastLine > 3000) {
          lastLine = Date.now();
          say(`${run.mode} run ${run.runId.slice(0, 8)}: ${readingNow(run) ?? 'finishing'} (${run.resourceIndex + 1}/${run.resourceCount}), ${run.records} records, ${run.ratePerSec}/s`);
        }
        if (p.state === 'held' && show) say('run held: deletions above the threshold wait for `tiger connector approve-deletions`');
        if (p.state === 'held') return { runId: run.runId, requestIds: run.requestIds, mode: run.mode, trigger: run.trigger, status: 'held', counts: run.counts, finishedAtMs: Date.now() };
      } else if (show && p.run && Date.now() - lastLine > 3000) {
        lastLine = Date.now();
        say(`a ${p.run.mode} run is in progress; this request runs right after it`);
      }
      await sleep(500);
    }
  } finally {
    if (bar && started) bar.stop();
  }
}

async function finishedSummary(client: Client, workflowId: string, requestId: string): Promise<RunSummary | undefined> {
  try {
    const result = await client.workflow.getHandle<typeof syncWorkflow>(workflowId).result();
    return result.find((r) => r.requestIds.includes(requestId));
  } catch {
    return undefined;
  }
}

function report(s: RunSummary): void {
  const c = s.counts;
  say(`${s.mode} run ${s.status}: fetched ${c.fetched}, inserted ${c.inserted}, updated ${c.updated}, unchanged ${c.unchanged}, deleted ${c.deleted}${s.error ? ` — ${s.error}` : ''}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
