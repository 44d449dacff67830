// `tiger connector why <name> <kind> <id>`: the per-object audit of a connector's copy — the run
// that last changed the object (inserted it, changed its attributes or revived it) and the one
// that last saw it, and for each stored attribute the mapping entry that produced it, read from the
// definition that changing run began with (the current one when the run pinned none).
import { Command } from 'commander';
import type { ConnectorDefinition } from '../../config/types';
import type { ObjectKind, RunRecord } from '../../store/types';
import { CliContext, UsageError } from '../context';
import { lazy } from '../lazy';
import { printJson, say } from '../output';

const KINDS = ['user', 'group', 'app'] as const;

export interface MappingUsed {
  attribute: string;
  value: unknown;
  /** The source path or rule; null when no entry maps it (kept from an older mapping). */
  from: string | null;
  origin: 'file' | 'type default' | null;
}

/** Which entry of the definition's mapping (the file's, else the type's default) wrote each
 *  attribute, in the order the object stores them. */
export function mappingUsed(def: ConnectorDefinition, kind: ObjectKind, attributes: Record<string, unknown>): MappingUsed[] {
  const written = (def.mapping as Record<string, Record<string, string> | undefined>)[kind] ?? {};
  const manifest = lazy.registry().connectorType(def.type).manifest;
  const defaults = Object.values(manifest.objectClasses).find((c) => c.kind === kind)?.defaultMapping ?? {};
  return Object.entries(attributes).map(([attribute, value]) => {
    if (Object.hasOwn(written, attribute)) return { attribute, value, from: written[attribute], origin: 'file' as const };
    if (Object.hasOwn(defaults, attribute)) return { attribute, value, from: defaults[attribute], origin: 'type default' as const };
    return { attribute, value, from: null, origin: null };
  });
}

const describeRun = (id: string | null, r: RunRecord | null) =>
  id === null ? 'unknown (written before runs were recorded per object)' : r ? `${id} (${r.mode} ${r.trigger} run, ${r.status}, started ${r.startedAt})` : `${id} (run record dropped)`;

export function objectWhyCommand(ctx: CliContext): Command {
  return new Command('why')
    .description('which run last changed a stored object, and which mapping entry produced each attribute')
    .argument('<name>', 'the connector')
    .argument('<kind>', `the object kind: ${KINDS.join(', ')}`)
    .argument('<id>', 'the external id (as `connector export` shows it)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, kind: string, id: string, o: { json?: boolean }) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`kind: expected one of ${KINDS.join(', ')}, got "${kind}"`);
      const store = await ctx.store();
      const stored = await store.getConnector(name);
      if (!stored) throw new UsageError(`no connector named "${name}" (see: tiger connector list)`);
      const audit = await store.getObjectAudit(name, kind as ObjectKind, id);
      if (!audit) throw new UsageError(`connector ${name} has no ${kind} with external id "${id}"`);
      const changed = audit.changedRun ? await store.getRun(audit.changedRun) : null;
      const seen = audit.lastSeenRun ? await store.getRun(audit.lastSeenRun) : null;
      const pinned = audit.changedRun ? ((await store.getRunDefinition(audit.changedRun)) as ConnectorDefinition | null) : null;
      const mapping = mappingUsed(pinned ?? (stored.definition as ConnectorDefinition), audit.kind, audit.attributes);
      if (o.json) {
        printJson({ ...audit, changedBy: changed, lastSeenBy: seen, mappingFrom: pinned ? 'run' : 'current', mapping });
        return;
      }
      say(`${kind} ${id} of ${name}${audit.deletedAt ? ` (deleted ${audit.deletedAt})` : ''}`);
      say(`  last changed ${audit.updatedAt} by run ${describeRun(audit.changedRun, changed)}`);
      say(`  last seen by run ${describeRun(audit.lastSeenRun, seen)}`);
      say(`  mapping of ${pinned ? 'the definition that run began with' : 'the current definition'}:`);
      for (const m of mapping) say(`    ${m.attribute} = ${JSON.stringify(m.value)} ← ${m.from === null ? '(no mapping entry now)' : `${m.from} (${m.origin})`}`);
    });
}
