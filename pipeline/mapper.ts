// Mapping and filters are data compiled from the connector definition, applied to raw source
// records on their way to the store. Connectors never map; they return what the source said.
// Which classes exist, which store kind each lands as and its default mapping and path aliases
// are the connector's manifest's.
import { compileFilter, type RecordFilter } from '../config/filter';
import { compileMapping, type CompiledMapping } from '../config/mapping';
import type { ConnectorDefinition } from '../config/types';
import { linkKindOf, type Manifest } from '../connectors/framework/manifest';
import type { SourceLink, SourceRecord } from '../connectors/types';
import type { StagedLink, StagedObject, StagedPage } from '../store/types';

export interface RecordMapper {
  /** Full runs: records outside the filter are simply not seen (and so deleted at the end).
   *  Delta runs: a changed record that left the filter's scope is deleted now. */
  toStaged(records: SourceRecord[], mode: 'full' | 'delta'): StagedPage;
  toLink(link: SourceLink): StagedLink;
  /** The compiled mapping of one object class (coverage checks name its entries). */
  mappingOf(cls: string): CompiledMapping | undefined;
}

export function createRecordMapper(def: ConnectorDefinition, manifest: Manifest): RecordMapper {
  const classes = new Map<string, { kind: StagedObject['kind']; map: CompiledMapping; keep: RecordFilter }>();
  for (const [cls, spec] of Object.entries(manifest.objectClasses)) {
    const written = (def.mapping as Record<string, Record<string, string> | undefined>)[spec.kind];
    const mapping = spec.kind === 'group' ? withoutMembers(written) : written;
    const multiValued = multiValuedTargets(def, cls, { ...(spec.defaultMapping ?? {}), ...(mapping ?? {}) });
    const map = compileMapping(mapping, { ...(spec.defaultMapping ?? {}) }, { aliases: spec.pathAliases, multiValued });
    const keep = compileFilter((def.filters as Record<string, string[] | undefined>)[cls]);
    classes.set(cls, { kind: spec.kind, map, keep });
  }
  const toLink = (l: SourceLink): StagedLink => ({
    kind: linkKindOf(manifest, l.resource),
    parent: l.parentId,
    child: l.childId,
    childKind: l.childKind,
    attrs: l.raw ?? {},
  });
  return {
    toLink,
    mappingOf: (cls) => classes.get(cls)?.map,
    toStaged(records, mode) {
      const page: StagedPage = { objects: [], links: [], deletions: [], linkSets: [] };
      for (const rec of records) {
        if (rec.type === 'link') {
          page.links.push(toLink(rec));
          continue;
        }
        const c = classes.get(rec.resource);
        if (!c) throw new Error(`connector type ${manifest.type} returned an object of class "${rec.resource}", which its manifest does not declare`);
        if (!c.keep(rec.raw)) {
          if (mode === 'delta') page.deletions.push({ kind: c.kind, id: rec.id });
          continue;
        }
        page.objects.push({
          kind: c.kind,
          // The source's immutable id stays the external id whatever the mapping says, so links
          // (memberships name users by that id) always join.
          id: rec.id,
          attrs: c.map.map(rec.raw),
          updatedAt: rec.updatedAt ?? null,
        });
      }
      return page;
    },
  };
}

// Seed 000 maps `members: _embedded.users`; memberships come from their own resource instead
// (the group object does not embed its users), so the attribute would only ever be null.
function withoutMembers(m: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!m || !('members' in m)) return m;
  const { members: _members, ...rest } = m;
  return rest;
}

// Custom attributes a connector file declares multi-valued (`config.customAttributes.<class>`,
// seed 001: `[{name, multiValued: true}]`) are stored as arrays, whether the source sends an
// array or `[a;;b]` text: the store attributes whose mapping reads one of them as a plain path
// (`<name>`, or `profile.<name>` where custom attributes live in a profile, as Okta's do).
function multiValuedTargets(def: ConnectorDefinition, cls: string, mapping: Record<string, string>): string[] {
  const declared = (def.config?.customAttributes as Record<string, unknown> | undefined)?.[cls];
  if (!Array.isArray(declared)) return [];
  const paths = new Set<string>();
  for (const a of declared as { name?: unknown; multiValued?: unknown }[]) {
    if (a?.multiValued === true && typeof a.name === 'string') paths.add(a.name).add(`profile.${a.name}`);
  }
  return Object.entries(mapping).filter(([, source]) => paths.has(source.trim())).map(([target]) => target);
}
