// `tiger mesh …`: the identity mesh. `apply` validates and stores a mesh file; `run` starts (or
// queues) mesh/<name>; `show`/`why` answer where a person's attributes come from; `review` lists
// ambiguous matches; `link`/`unlink` are the operator's decisions, kept by every later run.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { MeshDefinition } from '../../config/mesh';
import { ConfigError } from '../../config/types';
import type { IdentityStore, MeshLink } from '../../store/types';
import { CliContext, ExitError, UsageError } from '../context';
import { printJson, printTable, say } from '../output';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on use: the Temporal client and the activities are heavy */
const meshConfig = () => require('../../config/mesh') as typeof import('../../config/mesh');
const meshActivities = () => require('../../activities/mesh') as typeof import('../../activities/mesh');
/* eslint-enable @typescript-eslint/no-require-imports */

export function meshCommands(ctx: CliContext): Command {
  const mesh = new Command('mesh').description('the identity mesh: persons correlated across sources');

  mesh
    .command('apply')
    .description('validate a mesh file (YAML/JSON) and store it')
    .requiredOption('-f, --file <file>', 'the mesh file')
    .option('--json', 'machine-readable output')
    .action(async (o: { file: string; json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(o.file, 'utf8');
      } catch (err) {
        throw new UsageError(`${o.file}: cannot read the mesh file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      }
      let def: MeshDefinition;
      try {
        def = meshConfig().parseMeshText(text, o.file);
      } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(`invalid mesh file, nothing was stored:\n${err.message}`);
        throw err;
      }
      const store = await ctx.store();
      const missing: string[] = [];
      for (const [i, s] of def.sources.entries()) {
        if (!(await store.getConnector(s.connector))) missing.push(`${o.file}: sources[${i}].connector: no connector named "${s.connector}" (see: tiger connector list)`);
      }
      if (missing.length) throw new UsageError(`invalid mesh file, nothing was stored:\n${missing.join('\n')}`);
      const stored = await store.saveMesh({ name: def.name, definition: def });
      if (o.json) printJson(stored);
      else say(`mesh ${def.name} stored: ${def.sources.length} sources, ${def.correlation.length} correlation rules, ${Object.keys(def.attributes).length} attributes; lifecycle from ${def.lifecycle.source}`);
    });

  mesh
    .command('run')
    .option('--mesh <name>', MESH_OPTION)
    .description('correlate the accounts changed since the last run (or all of them with --full)')
    .option('--full', 're-correlate every account of every source')
    .option('--wait', 'wait for the run and print its counts')
    .action(async (o: { mesh?: string; full?: boolean; wait?: boolean }) => {
      const store = await ctx.store();
      const name = (await pickMesh(store, o.mesh)).name;
      const client = await ctx.client();
      const { workflowId } = await meshActivities().requestMesh(client, name, { requestId: `cli/${Date.now()}`, full: !!o.full, trigger: 'cli' });
      if (!o.wait) return say(`mesh ${name}: run requested (${workflowId})`);
      const summary = (await client.workflow.getHandle(workflowId).result()) as import('../../workflows/mesh-types').MeshSummary;
      const c = summary.counts;
      say(`mesh ${name} ${summary.status}: ${c.accounts} accounts read, ${c.founded} persons founded, ${c.linked} linked, ${c.review} in review, ${c.persons} persons changed`);
      if (summary.status !== 'succeeded') throw new ExitError(summary.error ?? 'mesh run failed', 1);
    });

  mesh
    .command('show')
    .argument('<person>', 'the person id')
    .option('--mesh <name>', MESH_OPTION)
    .description('a person: linked accounts, and every attribute with its source, rule and run')
    .option('--json', 'machine-readable output')
    .action(async (personId: string, o: { mesh?: string; json?: boolean }) => {
      const store = await ctx.store();
      const name = (await pickMesh(store, o.mesh)).name;
      const [person] = await store.getMeshPersons(name, [personId]);
      if (!person) throw new UsageError(`mesh ${name} has no person "${personId}"`);
      const links = (await store.listMeshLinksOf(name, [personId])).filter((l) => l.status === 'linked');
      if (o.json) return printJson({ ...person, accounts: links.map(accountView) });
      say(`person ${person.personId} (${person.state})`);
      say('accounts:');
      printTable(links.map(accountView), ['source', 'account', 'rule', 'run']);
      say('attributes:');
      printTable(
        Object.entries(person.attributes).map(([attribute, value]) => ({ attribute, value: JSON.stringify(value), ...person.provenance[attribute] })),
        ['attribute', 'value', 'source', 'account', 'rule', 'run'],
      );
    });

  mesh
    .command('why')
    .arguments('<person> <attribute>')
    .option('--mesh <name>', MESH_OPTION)
    .description('one line: where a person attribute comes from')
    .action(async (personId: string, attribute: string, o: { mesh?: string }) => {
      const store = await ctx.store();
      const name = (await pickMesh(store, o.mesh)).name;
      const [person] = await store.getMeshPersons(name, [personId]);
      if (!person) throw new UsageError(`mesh ${name} has no person "${personId}"`);
      const p = person.provenance[attribute];
      if (!p) throw new ExitError(`${personId} has no ${attribute}: no linked account of its sources has a value`, 1);
      say(`${attribute} = ${JSON.stringify(person.attributes[attribute])} from ${p.source} account ${p.account} (linked by rule ${p.rule}), set by run ${p.run}`);
    });

  mesh
    .command('review')
    .option('--mesh <name>', MESH_OPTION)
    .description('ambiguous matches waiting for an operator (tiger mesh link|unlink decides)')
    .option('--all', 'decided ones too')
    .option('--json', 'machine-readable output')
    .action(async (o: { mesh?: string; all?: boolean; json?: boolean }) => {
      const store = await ctx.store();
      const name = (await pickMesh(store, o.mesh)).name;
      const rows = await store.listMeshReviews(name, o.all ? {} : { status: 'open' });
      if (o.json) return printJson(rows);
      printTable(rows.map((r) => ({ account: `${r.connector}/${r.accountId}`, rule: r.rule, reason: r.reason, candidates: r.candidates.join(' '), status: r.status })), ['account', 'rule', 'reason', 'candidates', 'status']);
    });

  mesh
    .command('link')
    .arguments('<account> <person>')
    .option('--mesh <name>', MESH_OPTION)
    .description('link <connector>/<account id> to a person (kept: correlation never moves it)')
    .action(async (account: string, personId: string, o: { mesh?: string }) => decide(ctx, o.mesh, account, personId, 'link'));

  mesh
    .command('unlink')
    .arguments('<account> <person>')
    .option('--mesh <name>', MESH_OPTION)
    .description('unlink an account from a person (kept: correlation leaves the account alone)')
    .action(async (account: string, personId: string, o: { mesh?: string }) => decide(ctx, o.mesh, account, personId, 'unlink'));

  return mesh;
}

const MESH_OPTION = 'the mesh (default: the only one stored)';

async function pickMesh(store: IdentityStore, name: string | undefined): Promise<MeshDefinition> {
  if (name !== undefined) {
    const m = await store.getMesh(name);
    if (!m) throw new UsageError(`--mesh: no mesh named "${name}" (see: tiger mesh apply -f FILE)`);
    return m.definition as MeshDefinition;
  }
  const all = await store.listMeshes();
  if (all.length !== 1) throw new UsageError(all.length === 0 ? 'no mesh is stored (see: tiger mesh apply -f FILE)' : `--mesh: required, ${all.length} meshes are stored (${all.map((m) => m.name).join(', ')})`);
  return all[0].definition as MeshDefinition;
}

const accountView = (l: MeshLink) => ({ source: l.connector, account: l.accountId, rule: l.rule ?? 'manual', run: l.runId });

/** The decision is a link row with rule `manual` (or status `detached`), which correlation keeps;
 *  the persons involved are recomputed at once so `show` is right before the next run. */
async function decide(ctx: CliContext, meshName: string | undefined, account: string, personId: string, what: 'link' | 'unlink'): Promise<void> {
  const store = await ctx.store();
  const def = await pickMesh(store, meshName);
  const name = def.name;
  const slash = account.indexOf('/');
  if (slash <= 0) throw new UsageError(`<account>: expected <connector>/<account id>, got ${JSON.stringify(account)}`);
  const connector = account.slice(0, slash);
  const accountId = account.slice(slash + 1);
  if (!def.sources.some((s) => s.connector === connector)) throw new UsageError(`<account>: "${connector}" is not a source of mesh ${name}`);
  if ((await store.getObjects(connector, 'user', [accountId], { includeDeleted: true })).length === 0) throw new UsageError(`<account>: ${connector} has no user "${accountId}"`);
  if ((await store.getMeshPersons(name, [personId])).length === 0) throw new UsageError(`<person>: mesh ${name} has no person "${personId}"`);
  const [before] = await store.getMeshLinks(name, [{ connector, accountId }]);
  if (what === 'unlink' && before?.personId !== personId) throw new UsageError(`${account} is not linked to ${personId}`);
  const runId = `manual/${new Date().toISOString()}`;
  await store.saveMeshLinks([what === 'link'
    ? { mesh: name, connector, accountId, personId, status: 'linked', rule: 'manual', runId }
    : { mesh: name, connector, accountId, personId: null, status: 'detached', rule: 'manual', runId }]);
  const review = (await store.listMeshReviews(name)).find((r) => r.connector === connector && r.accountId === accountId);
  if (review) await store.saveMeshReviews([{ ...review, status: what === 'link' ? 'linked' : 'detached' }]);
  const { recomputePersons } = meshActivities();
  await recomputePersons(store, def, [...new Set([personId, ...(before?.personId ? [before.personId] : [])])], runId);
  say(what === 'link' ? `${account} linked to ${personId} (manual; kept by later runs)` : `${account} unlinked from ${personId} (kept: no rule links it again)`);
}
