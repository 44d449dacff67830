// `tiger connector …`: the commands of seed 000, with --json on every read command and exit codes
// a script can trust (0 ok, 1 failed, 2 bad input, 3 run held for approval).
import type { Client } from '@temporalio/client';
import { Command } from 'commander';
import type { NormalizedConnector } from '../../config/normalize';
import { redact } from '../../config/references';
import { ConfigError, type ConnectorDefinition } from '../../config/types';
import { CliContext, ExitError, UsageError } from '../context';
import { scheduleId, syncWorkflowId } from '../../runtime/ids';
import { lazy } from '../lazy';
import { printJson, printTable, say } from '../output';
import { objectWhyCommand } from './object-why';
import { projectCommand } from './project';
import { pushCommand } from './push';
import { quarantineCommand } from './quarantine';

// What talks to Temporal (its client library alone takes most of a second to load) is imported
// by the actions that need it, so `connector list`, `get`, `logs` and `export` start fast.

export function connectorCommands(ctx: CliContext): Command {
  const cmd = new Command('connector').description('create, sync and inspect connectors');

  const definitionOf = async (name: string): Promise<ConnectorDefinition> => {
    const stored = await (await ctx.store()).getConnector(name);
    if (!stored) throw new UsageError(`no connector named "${name}" (see: tiger connector list)`);
    return stored.definition as ConnectorDefinition;
  };

  cmd
    .command('list')
    .description('list connectors')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const store = await ctx.store();
      const rows = await Promise.all(
        (await store.listConnectors()).map(async (c) => {
          const def = c.definition as ConnectorDefinition;
          const [last] = await store.listRuns(c.name, 1);
          return {
            name: c.name,
            type: c.type,
            enabled: c.enabled,
            mode: def.sync.mode,
            interval: def.sync.interval,
            lastRun: last ? `${last.mode} ${last.status} ${last.finishedAt ?? last.startedAt}` : null,
          };
        }),
      );
      if (o.json) return printJson(rows);
      // An empty table, not a sentence, so `tiger connector list | tail -n +2` stays a list.
      printTable(rows, ['name', 'type', 'enabled', 'mode', 'interval', 'lastRun']);
      if (rows.length === 0) process.stderr.write('no connectors yet: tiger connector create -f <file.yaml>\n');
    });

  const createOrApply = (verb: 'create' | 'apply') =>
    cmd
      .command(verb)
      .description(verb === 'create' ? 'create a connector from a YAML or JSON file' : 'create or update a connector from a file')
      .requiredOption('-f, --file <path>', 'connector file (YAML as in the quick start, or JSON)')
      .option('--json', 'machine-readable output')
      .action(async (o: { file: string; json?: boolean }) => {
        let loaded: NormalizedConnector;
        try {
          loaded = lazy.configLoad().loadConnectorFileWithWarnings(o.file, lazy.registry().typeSchemas());
        } catch (err) {
          if (err instanceof ConfigError) throw new UsageError(`invalid connector file, nothing was stored:\n${err.message}`);
          throw err;
        }
        const { definition: def, warnings } = loaded;
        // Warnings never block; they go to stderr so --json output stays one document.
        for (const w of warnings) process.stderr.write(`warning: ${w.file}: ${w.path}: ${w.message}\n`);
        // Temporal first: a connector without its schedule would silently never sync.
        const client = await ctx.client();
        const store = await ctx.store();
        const existing = await store.getConnector(def.name);
        if (existing && verb === 'create') {
          throw new UsageError(`connector "${def.name}" already exists (use: tiger connector apply -f ${o.file})`);
        }
        const { storeWithSchedule } = lazy.connectorApply();
        const schedule = await storeWithSchedule(store, client, def, existing);
        const graphSubscriptions = await ensureGraphSubscriptions(client, def);
        const result = {
          name: def.name, type: def.type, action: existing ? 'updated' : 'created', schedule: scheduleId(def.name), every: def.sync.interval,
          scheduleAction: schedule, enabled: def.enabled, warnings, ...(graphSubscriptions ? { graphSubscriptions } : {}),
        };
        if (o.json) return printJson(result);
        if (graphSubscriptions) say(`${graphSubscriptions} keeps the Graph change-notification subscriptions renewed`);
        say(`connector ${def.name} (${def.type}) ${result.action}; ${scheduleId(def.name)} runs every ${def.sync.interval}${def.enabled ? '' : ' (paused: connector disabled)'}`);
        say(`next: tiger connector sync ${def.name} --wait`);
      });
  createOrApply('create');
  createOrApply('apply');

  /** Connectors whose type receives Graph notifications get graph-subscriptions/<name>. */
  const ensureGraphSubscriptions = async (client: Client, def: ConnectorDefinition): Promise<string | null> => {
    if (lazy.registry().connectorType(def.type).manifest.webhooks !== 'graph-notifications') return null;
    const { graphSubscriptionPlan, nudgeGraphSubscriptions, startGraphSubscriptions } = lazy.graphSubscriptions();
    const plan = graphSubscriptionPlan(def);
    if (plan === 'start') return startGraphSubscriptions(client, def);
    if (plan === 'no-url') process.stderr.write(`warning: connector ${def.name}: webhooks.enabled is true but config.notificationUrl is not set: no Graph subscriptions are made\n`);
    // A workflow from an earlier apply ends now and deletes its subscriptions.
    await nudgeGraphSubscriptions(client, def.name);
    return null;
  };

  cmd
    .command('refresh <name>')
    .description('drop cached OAuth tokens and resolved secrets on every worker, fetch a new token, show its expiry')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { json?: boolean }) => {
      const def = await definitionOf(name);
      const { refreshConnector, refreshLines } = lazy.refresh();
      const result = await refreshConnector(ctx, def);
      if (o.json) return printJson(result);
      for (const line of refreshLines(result)) say(line);
    });

  cmd
    .command('get <name>')
    .description('show a connector definition (secrets stay references)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { json?: boolean }) => {
      const def = redact(await definitionOf(name));
      if (o.json) return printJson(def);
      say(JSON.stringify(def, null, 2));
    });

  cmd
    .command('delete <name>')
    .description('delete a connector and its schedule (synced identities are kept)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { json?: boolean }) => {
      await definitionOf(name);
      const { deleteSchedule } = lazy.schedules();
      const scheduleDeleted = await deleteSchedule(await ctx.client(), name);
      await (await ctx.store()).deleteConnector(name);
      if (o.json) return printJson({ name, deleted: true, scheduleDeleted });
      say(`connector ${name} deleted${scheduleDeleted ? ` with ${scheduleId(name)}` : ''}`);
    });

  cmd
    .command('sync <name>')
    .description('start a sync now, or queue one more after the running one')
    .option('--full', 'full sync (reconciles deletions) instead of delta')
    .option('--wait', 'wait for the run and show progress')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { full?: boolean; wait?: boolean; json?: boolean }) => {
      const def = await definitionOf(name);
      if (!def.enabled) throw new UsageError(`connector ${name} is disabled (enabled: false)`);
      const client = await ctx.client();
      const { refOf, requestSync } = lazy.requests();
      const req = await requestSync(client, refOf(def), o.full ? 'full' : 'delta', 'cli');
      if (!o.wait) {
        if (o.json) return printJson(req);
        say(`sync requested: workflow ${req.workflowId}, request ${req.requestId}`);
        say(`watch: tiger connector status ${name}  ·  Temporal UI: TigerConnector="${name}"`);
        return;
      }
      const { waitForRequest } = lazy.wait();
      const summary = await waitForRequest(client, syncWorkflowId(name), req.requestId, !o.json);
      if (o.json) printJson(summary);
      if (summary.status === 'held') throw new ExitError(`run held for approval: tiger connector approve-deletions ${name}`, 3);
      if (summary.status !== 'succeeded') throw new ExitError(`sync failed: ${summary.error ?? 'see tiger connector logs ' + name}`, 1);
    });

  cmd
    .command('status <name>')
    .description('connector state, current run, last runs and stored counts')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { json?: boolean }) => {
      const def = await definitionOf(name);
      const { connectorStatus } = lazy.status();
      await connectorStatus(ctx, def, !!o.json);
    });

  cmd
    .command('logs <name>')
    .description('sync history and run log')
    .option('-n, --limit <n>', 'entries', '50')
    .option('--run <runId>', 'only this run')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { limit: string; run?: string; json?: boolean }) => {
      await definitionOf(name);
      const store = await ctx.store();
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit <= 0) throw new UsageError('--limit: expected a positive whole number');
      const entries = (await store.listLogs(name, { limit, runId: o.run })).reverse();
      if (o.json) return printJson(entries);
      for (const e of entries) say(`${e.at}  ${e.level.padEnd(5)}  ${e.runId ? e.runId.slice(0, 13).padEnd(13) : '-'.padEnd(13)}  ${e.message}`);
    });

  cmd
    .command('test <name>')
    .description('test the connection (status, usersFound, groupsFound, latency)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { json?: boolean }) => {
      await definitionOf(name);
      const { testConnection } = lazy.testConnection();
      const result = await testConnection(await ctx.client(), name);
      if (o.json) printJson(result);
      else {
        say(`${result.status === 'success' ? 'ok' : 'FAILED'}: ${result.message}`);
        const d = result.details;
        say(`type ${d.connectorType} · users ${d.usersFound} · groups ${d.groupsFound} · latency ${d.latency} ms`);
      }
      if (result.status !== 'success') throw new ExitError('connection test failed', 1);
    });

  cmd
    .command('test-webhook <name>')
    .description('send a sample Okta event or Graph notification through the webhook server, workflow and store')
    .option('--user <id>', 'user id to name in the event (default: one from the store)')
    .option('--server <url>', 'webhook server', process.env.TIGER_SERVER_URL ?? 'http://127.0.0.1:8787')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { user?: string; server: string; json?: boolean }) => {
      const def = await definitionOf(name);
      const { testWebhook } = lazy.testWebhook();
      const result = await testWebhook(ctx, def, o);
      if (o.json) printJson(result);
      else say(result.message);
      if (!result.ok) throw new ExitError('webhook test failed', 1);
    });

  cmd
    .command('export <name>')
    .description('print the stored identities as JSON {users, groups, memberships, apps, appUsers}')
    .option('--json', 'JSON output (the only format)')
    .option('--include-deleted', 'include soft-deleted objects and links')
    .action(async (name: string, o: { includeDeleted?: boolean }) => {
      await definitionOf(name);
      printJson(await (await ctx.store()).exportData(name, { includeDeleted: !!o.includeDeleted }));
    });

  cmd
    .command('approve-deletions <name>')
    .description('let a held full run delete what it did not see (or --reject)')
    .option('--reject', 'keep everything; the run ends without deletions')
    .option('--run <id>', 'the held run (default: the one held now)')
    .action(async (name: string, o: { reject?: boolean; run?: string }) => {
      await definitionOf(name);
      const { decideDeletions } = lazy.approve();
      const decided = await decideDeletions(await ctx.client(), name, { approved: !o.reject, runId: o.run });
      say(`${decided.approved ? 'approved' : 'rejected'} deletions of run ${decided.runId}`);
    });

  cmd.addCommand(projectCommand(ctx));
  cmd.addCommand(pushCommand(ctx));
  cmd.addCommand(quarantineCommand(ctx));
  cmd.addCommand(objectWhyCommand(ctx));

  return cmd;
}
