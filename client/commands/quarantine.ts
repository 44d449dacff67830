// `tiger connector quarantine list|retry|drop <target> [ids…]`: the objects a target refused,
// with its error. Every push retries them; `retry` marks them released and asks for a push now,
// `drop` forgets them (a later push that fails on them quarantines them again).
import { Command } from 'commander';
import type { ConnectorDefinition } from '../../config/types';
import type { QuarantineRecord } from '../../store/types';
import { CliContext, UsageError } from '../context';
import { printJson, printTable, say } from '../output';

export function quarantineCommand(ctx: CliContext): Command {
  const cmd = new Command('quarantine').description('objects a push target refused: list, retry or drop them');

  const rowsOf = async (target: string, ids: string[]): Promise<QuarantineRecord[]> => {
    const store = await ctx.store();
    if (!(await store.getConnector(target))) throw new UsageError(`no connector named "${target}" (see: tiger connector list)`);
    const rows = await store.listQuarantine(target, ids.length ? { sourceIds: ids } : {});
    const missing = ids.filter((id) => !rows.some((r) => r.sourceId === id));
    // Nothing is changed when one id is wrong: the operator sees every bad id at once.
    if (missing.length) throw new UsageError(`not quarantined in ${target}: ${missing.join(', ')} (see: tiger connector quarantine list ${target})`);
    return rows;
  };

  cmd
    .command('list <target>')
    .description('quarantined objects with the target’s error')
    .option('--json', 'machine-readable output')
    .action(async (target: string, o: { json?: boolean }) => {
      const rows = await rowsOf(target, []);
      if (o.json) return printJson(rows);
      printTable(rows.map((r) => ({ source: r.source, kind: r.kind, id: r.sourceId, status: r.status, attempts: r.attempts, lastFailed: r.lastFailedAt, error: r.error })),
        ['source', 'kind', 'id', 'status', 'attempts', 'lastFailed', 'error']);
    });

  cmd
    .command('retry <target> [ids...]')
    .description('release quarantined objects (all, or these ids) and start a push that retries them')
    .option('--json', 'machine-readable output')
    .action(async (target: string, ids: string[], o: { json?: boolean }) => {
      const rows = await rowsOf(target, ids);
      const store = await ctx.store();
      const released = rows.length ? await store.setQuarantineStatus(target, 'released', ids.length ? ids : undefined) : 0;
      const def = (await store.getConnector(target))!.definition as ConnectorDefinition;
      const sources = [...new Set(rows.map((r) => r.source))].sort();
      const requested: string[] = [];
      if (sources.length) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the Temporal client loads only when a push is asked for
        const { requestPush } = require('../../activities/push') as typeof import('../../activities/push');
        const client = await ctx.client();
        for (const source of sources) requested.push((await requestPush(client, { source, target, targetType: def.type }, { trigger: 'quarantine-retry' })).workflowId);
      }
      if (o.json) return printJson({ target, released, pushes: requested });
      say(`released ${released} quarantined object${released === 1 ? '' : 's'} of ${target}${requested.length ? `; push requested (${requested.join(', ')})` : ''}`);
    });

  cmd
    .command('drop <target> [ids...]')
    .description('forget quarantined objects (all, or these ids)')
    .option('--json', 'machine-readable output')
    .action(async (target: string, ids: string[], o: { json?: boolean }) => {
      await rowsOf(target, ids);
      const dropped = await (await ctx.store()).dropQuarantine(target, ids.length ? ids : undefined);
      if (o.json) return printJson({ target, dropped });
      say(`dropped ${dropped} quarantined object${dropped === 1 ? '' : 's'} of ${target}`);
    });

  return cmd;
}
