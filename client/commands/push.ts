// `tiger connector push <source> --to <target> [--dry-run] [--json]`: runs push/<target> (or a
// dry run of it) and prints its plan — creates, updates with before/after, enables, disables,
// deletes, member adds and removes — read back from the store, where the run left it.
// `--approve` / `--reject` decide a push the guard holds (a Temporal Update, like approve-deletions).
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import type { ConnectorDefinition } from '../../config/types';
import type { PushPlan } from '../../pipeline/push-plan';
import type { PushSummary } from '../../workflows/push-types';
import { CliContext, ExitError, UsageError } from '../context';
import { taskQueue } from '../../runtime/ids';
import { printJson, say } from '../output';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on use: the Temporal client and the push modules are heavy */
const temporalClient = () => require('@temporalio/client') as typeof import('@temporalio/client');
const definitions = () => require('../../workflows/definitions') as typeof import('../../workflows/definitions');
const pushModule = () => require('../../activities/push') as typeof import('../../activities/push');
const planModule = () => require('../../pipeline/push-plan') as typeof import('../../pipeline/push-plan');
/* eslint-enable @typescript-eslint/no-require-imports */

interface PushOptions {
  to: string;
  dryRun?: boolean;
  json?: boolean;
  approve?: boolean;
  reject?: boolean;
  run?: string;
  batchSize?: string;
}

export function pushCommand(ctx: CliContext): Command {
  return new Command('push')
    .argument('<source>', 'connector whose stored identities are pushed')
    .description('push a connector’s stored users and groups into a writable target, printing the plan (creates, updates, disables, enables, deletes, members)')
    .requiredOption('--to <target>', 'the target connector (its type must be able to write)')
    .option('--dry-run', 'plan only: print what a push would change; nothing is sent to the target')
    .option('--approve', 'approve the removals of a push the guard holds')
    .option('--reject', 'reject them: the held push applies everything but disables, deletes and member removals')
    .option('--run <runId>', 'with --approve/--reject: the held push (default: the one held now)')
    .option('--batch-size <n>', 'identities per planned page (default 200)')
    .option('--json', 'machine-readable output')
    .action(async (source: string, o: PushOptions) => {
      const store = await ctx.store();
      if (!(await store.getConnector(source))) throw new UsageError(`no connector named "${source}" (see: tiger connector list)`);
      const stored = await store.getConnector(o.to);
      if (!stored) throw new UsageError(`--to: no connector named "${o.to}" (see: tiger connector list)`);
      if (source === o.to) throw new UsageError('--to: a connector cannot push into itself');
      if (o.approve && o.reject) throw new UsageError('--approve and --reject: give one');
      if (o.dryRun && (o.approve || o.reject)) throw new UsageError('--dry-run: a dry run is never held; --approve/--reject decide a real push');
      const batchSize = o.batchSize === undefined ? undefined : Number(o.batchSize);
      if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000)) throw new UsageError('--batch-size: expected a whole number from 1 to 5000');
      const def = stored.definition as ConnectorDefinition;
      const client = await ctx.client();

      if (o.approve || o.reject) return decide(client, o.to, { approved: !!o.approve, runId: o.run }, !!o.json);

      const options = batchSize ? { batchSize } : undefined;
      let summary: PushSummary;
      if (o.dryRun) {
        // A dry run has its own workflow id: it writes nothing, so it may run beside a real push.
        const handle = await client.workflow.start(definitions().pushWorkflow, {
          workflowId: `push-dry-run/${o.to}/${randomUUID().slice(0, 8)}`,
          taskQueue: taskQueue(),
          args: [{ source, target: o.to, dryRun: true, options }],
        });
        summary = await handle.result();
      } else {
        const { requestPush } = pushModule();
        const started = await requestPush(client, { source, target: o.to, targetType: def.type }, { trigger: 'cli' });
        summary = await waitForPush(client, started.workflowId, o.to, source, !!o.json);
      }
      const pages = await store.listPushPlanPages(summary.runId);
      const plan = planModule().mergePlans(pages.map((p) => p.plan as PushPlan));
      // A dry run's plan is read once, here; a real run's stays a day for `logs`-style review.
      if (summary.dryRun) await store.dropPushPlans(o.to, summary.runId);
      if (o.json) printJson({ ...summary, changes: plan });
      else printPlan(summary, plan);
      if (summary.status !== 'succeeded') throw new ExitError(`push failed: ${summary.error ?? `see tiger connector logs ${o.to}`}`, 1);
      if (summary.applied.quarantined > 0) {
        throw new ExitError(`${summary.applied.quarantined} objects were quarantined: tiger connector quarantine list ${o.to}`, 1);
      }
    });
}

/** Waits for push/<target>; a push the guard holds ends the wait with exit 3, as sync does. */
async function waitForPush(client: import('@temporalio/client').Client, workflowId: string, target: string, source: string, json: boolean): Promise<PushSummary> {
  const handle = client.workflow.getHandle(workflowId);
  // Polled rather than a pending result(): a long poll left open would keep the process alive
  // after a held push has been reported.
  for (;;) {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') return (await handle.result()) as PushSummary;
    const p = await handle.query(definitions().pushProgressQuery).catch(() => null);
    if (p?.phase === 'held' && p.held) {
      const message = `${p.held.reason}\napprove: tiger connector push ${source} --to ${target} --approve --run ${p.runId}\nreject:  tiger connector push ${source} --to ${target} --reject --run ${p.runId}`;
      if (json) printJson({ status: 'held', runId: p.runId, reason: p.held.reason, plan: p.plan });
      throw new ExitError(message, 3);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function decide(client: import('@temporalio/client').Client, target: string, d: { approved: boolean; runId?: string }, json: boolean): Promise<void> {
  const { WorkflowNotFoundError, WorkflowUpdateFailedError } = temporalClient();
  const { pushWorkflowId } = pushModule();
  const { approvePushUpdate, pushProgressQuery } = definitions();
  const handle = client.workflow.getHandle(pushWorkflowId(target));
  try {
    const runId = d.runId ?? (await handle.query(pushProgressQuery)).runId ?? undefined;
    const r = await handle.executeUpdate(approvePushUpdate, { args: [{ runId, approved: d.approved }] });
    if (json) printJson(r);
    else say(`${r.approved ? 'approved' : 'rejected'} the removals of push ${r.runId}`);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new UsageError(err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError) throw new UsageError(`connector ${target} has no push waiting for approval (no push is running)`);
    throw err;
  }
}

function printPlan(s: PushSummary, plan: PushPlan): void {
  const p = s.plan;
  say(`${s.dryRun ? 'dry run: ' : ''}push ${s.source} → ${s.target} ${s.status} (run ${s.runId}): ${p.creates} creates, ${p.updates} updates, ` +
    `${p.enables} enables, ${p.disables} disables, ${p.deletes} deletes, ${p.memberAdds} member adds, ${p.memberRemoves} member removes; ` +
    `${p.unchanged} unchanged, ${p.skipped} skipped${s.error ? ` — ${s.error}` : ''}`);
  for (const c of plan.creates) say(`  create  ${c.kind} ${c.sourceId}: ${Object.entries(c.attributes).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${show(v)}`).join(', ')}`);
  for (const u of plan.updates) say(`  update  ${u.kind} ${u.sourceId} (${u.targetId}): ${u.changes.map((c) => `${c.attribute}: ${show(c.before)} → ${show(c.after)}`).join(', ')}`);
  for (const e of plan.enables) say(`  enable  ${e.kind} ${e.sourceId} (${e.targetId})`);
  for (const d of plan.disables) say(`  disable ${d.kind} ${d.sourceId} (${d.targetId}): ${d.reason}`);
  for (const d of plan.deletes) say(`  delete  ${d.kind} ${d.sourceId} (${d.targetId}): ${d.reason}`);
  for (const m of plan.members) say(`  members group ${m.groupId}:${m.add.length ? ` + ${m.add.join(', ')}` : ''}${m.remove.length ? ` − ${m.remove.join(', ')}` : ''}`);
  if (s.dryRun) return say('nothing was sent to the target (dry run)');
  const a = s.applied;
  say(`applied: ${a.created} created, ${a.adopted} adopted, ${a.updated} updated, ${a.enabled} enabled, ${a.disabled} disabled, ${a.deleted} deleted, ` +
    `${a.membersAdded} members added, ${a.membersRemoved} removed, ${a.quarantined} quarantined${a.removalsWithheld ? `, ${a.removalsWithheld} removals withheld (rejected)` : ''}`);
}

const show = (v: unknown): string => (v === null || v === undefined ? '∅' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v));
