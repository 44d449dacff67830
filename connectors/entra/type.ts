// The entra-id connector type (seed 004's "Microsoft Entra ID"; seed 000 calls it azure-ad):
// users, groups and apps (service principals) read in full and from Graph delta links, one per
// class (deltaScope 'class'); memberships (nested groups included) and app role assignments as
// links. Read only.

import { defineConnector, type Connector, type OpenedDefinition } from '../framework/define';
import { APP_MAPPING, APP_PATHS, GROUP_MAPPING, GROUP_PATHS, USER_MAPPING, USER_PATHS } from './classes';
import { entraConfigSchema, type EntraConfig, type EntraConfigInput } from './config';
import { openEntra, type EntraHttpOptions } from './connector';

export const entraType = defineConnector({
  type: 'entra-id',
  configSchema: entraConfigSchema,
  deltaScope: 'class',
  webhooks: 'graph-notifications',
  objectClasses: {
    users: { kind: 'user', read: true, delta: 'token', get: true, attributePaths: USER_PATHS, defaultMapping: USER_MAPPING },
    groups: { kind: 'group', read: true, delta: 'token', get: true, attributePaths: GROUP_PATHS, defaultMapping: GROUP_MAPPING },
    // No delta link covers app role assignments: a delta run re-reads apps and app users whole
    // (delta.ts). Declared as deltas so a delta run of every class stays a delta run.
    apps: { kind: 'app', read: true, delta: 'watermark', get: true, attributePaths: APP_PATHS, defaultMapping: APP_MAPPING },
  },
  linkClasses: {
    memberships: { kind: 'membership', parent: 'groups', children: ['users', 'groups'], read: true, delta: 'token', get: true },
    appUsers: { kind: 'appUser', parent: 'apps', children: ['users', 'groups'], read: true, delta: 'watermark', get: true },
  },
  open: (config, ctx) => openEntra(ctx.def.name, config, ctx.http),
});

/** An entra-id connector opened through its type (config parsed, operations checked against the
 *  manifest). Tests call this directly to pass HTTP overrides. */
export function createEntraConnector(def: OpenedDefinition, config: EntraConfig | EntraConfigInput, http?: EntraHttpOptions): Connector {
  return entraType.open(def, config, { http });
}
