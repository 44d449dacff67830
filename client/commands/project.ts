// `tiger connector project <source> --to <target>`: writes the source's stored users into an
// `active-directory` or `ldap` connector that has a `projection` section.
import { Command } from 'commander';
import type { ConnectorDefinition } from '../../config/types';
import type { ProjectSummary } from '../../workflows/project-types';
import { CliContext, ExitError, UsageError } from '../context';
import { lazy } from '../lazy';
import { printJson, say } from '../output';

const TARGET_TYPES = ['active-directory', 'ldap'];

export function projectCommand(ctx: CliContext): Command {
  return new Command('project')
    .argument('<source>', 'connector whose stored users are projected')
    .description('write a connector’s stored users and groups into a directory (creates, updates, moves, disables, members)')
    .requiredOption('--to <target>', 'an active-directory or ldap connector with a projection section')
    .option('--wait', 'wait for the projection to finish')
    .option('--json', 'machine-readable output')
    .action(async (source: string, o: { to: string; wait?: boolean; json?: boolean }) => {
      const store = await ctx.store();
      if (!(await store.getConnector(source))) throw new UsageError(`no connector named "${source}" (see: tiger connector list)`);
      const stored = await store.getConnector(o.to);
      if (!stored) throw new UsageError(`--to: no connector named "${o.to}" (see: tiger connector list)`);
      const def = stored.definition as ConnectorDefinition;
      if (!TARGET_TYPES.includes(def.type)) {
        throw new UsageError(`--to: ${o.to} is a ${def.type} connector; projection writes to ${TARGET_TYPES.join(' or ')} connectors`);
      }
      if (!def.config.projection) {
        throw new UsageError(`--to: connector ${o.to} has no config.projection section (targetContainer, …): add one and apply it`);
      }
      if (source === o.to) throw new UsageError('--to: a connector cannot be projected into itself');

      // Loaded here: it brings the Temporal client, which the other connector commands may not need.
      const { ProjectionBusyError, startProjection } = lazy.projection();
      let started: Awaited<ReturnType<typeof startProjection>>;
      try {
        started = await startProjection(await ctx.client(), { source, target: o.to, targetType: def.type });
      } catch (err) {
        if (err instanceof ProjectionBusyError) throw new ExitError(err.message, 1);
        throw err;
      }
      if (!o.wait) {
        if (o.json) return printJson({ workflowId: started.workflowId, runId: started.runId });
        say(`projection started: workflow ${started.workflowId}`);
        say(`watch: tiger connector logs ${o.to}`);
        return;
      }
      const summary = await started.result();
      if (o.json) printJson(summary);
      else report(summary);
      if (summary.status !== 'succeeded') throw new ExitError(`projection failed: ${summary.error ?? `see tiger connector logs ${o.to}`}`, 1);
      const { failed, groupsFailed } = summary.counts;
      if (failed > 0 || groupsFailed > 0) {
        const what = [failed ? `${failed} users` : '', groupsFailed ? `${groupsFailed} groups` : ''].filter(Boolean).join(' and ');
        throw new ExitError(`${what} could not be projected: see tiger connector logs ${o.to}`, 1);
      }
    });
}

function report(s: ProjectSummary): void {
  const c = s.counts;
  say(`projection ${s.source} → ${s.target} ${s.status}: users read ${c.read}, created ${c.created}, updated ${c.updated}, moved ${c.moved}, ` +
    `activated ${c.activated}, deactivated ${c.deactivated}, deleted ${c.deleted}, unchanged ${c.unchanged}, failed ${c.failed}; ` +
    `groups read ${c.groupsRead}, written ${c.groupsWritten}, unchanged ${c.groupsUnchanged}, failed ${c.groupsFailed}; ` +
    `members added ${c.membersAdded}, removed ${c.membersRemoved}${s.error ? ` — ${s.error}` : ''}`);
}
