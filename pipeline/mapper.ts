// Mapping and filters are data compiled from the connector definition, applied to raw source
// records on their way to the store. Connectors never map; they return what the source said.
import { compileFilter } from '../config/filter';
import { compileMapping } from '../config/mapping';
import type { ConnectorDefinition } from '../config/types';
import type { ObjectResource, SourceLink, SourceRecord } from '../connectors/types';
import type { StagedLink, StagedObject, StagedPage } from '../store/types';
import { LINK_KIND, OBJECT_KIND } from './kinds';

export type DefaultMappings = Partial<Record<'user' | 'group' | 'app', Record<string, string>>>;


export interface RecordMapper {
  /** Full runs: records outside the filter are simply not seen (and so deleted at the end).
   *  Delta runs: a changed record that left the filter's scope is deleted now. */
  toStaged(records: SourceRecord[], mode: 'full' | 'delta'): StagedPage;
  toLink(link: SourceLink): StagedLink;
}

export function createRecordMapper(def: ConnectorDefinition, defaults: DefaultMappings): RecordMapper {
  const mappers = {
    users: compileMapping(def.mapping.user, defaults.user ?? {}),
    groups: compileMapping(withoutMembers(def.mapping.group), defaults.group ?? {}),
    apps: compileMapping(def.mapping.app, defaults.app ?? {}),
  };
  const filters = {
    users: compileFilter(def.filters.users),
    groups: compileFilter(def.filters.groups),
    apps: compileFilter(def.filters.apps),
  };
  const toLink = (l: SourceLink): StagedLink => ({
    kind: LINK_KIND[l.resource],
    parent: l.parentId,
    child: l.childId,
    childKind: l.childKind,
    attrs: l.raw ?? {},
  });
  return {
    toLink,
    toStaged(records, mode) {
      const page: StagedPage = { objects: [], links: [], deletions: [], linkSets: [] };
      for (const rec of records) {
        if (rec.type === 'link') {
          page.links.push(toLink(rec));
          continue;
        }
        const resource: ObjectResource = rec.resource;
        if (!filters[resource](rec.raw)) {
          if (mode === 'delta') page.deletions.push({ kind: OBJECT_KIND[resource], id: rec.id });
          continue;
        }
        const obj: StagedObject = {
          kind: OBJECT_KIND[resource],
          // The source's immutable id stays the external id whatever the mapping says, so links
          // (memberships name users by that id) always join.
          id: rec.id,
          attrs: mappers[resource].map(rec.raw),
          updatedAt: rec.updatedAt ?? null,
        };
        page.objects.push(obj);
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
