// The SCIM 2.0 connector type (seed 004's "SCIM 2.0", seed 003's push target): Users and Groups
// read in full and by meta.lastModified, each class with its own high-water mark (deltaScope
// 'class'); memberships read from groups' `members`; every write SCIM has.

import { defineConnector, type Connector, type OpenedDefinition } from '../framework/define';
import { GROUP_MAPPING, GROUP_PATHS, GROUP_PUSH_MAPPING, USER_MAPPING, USER_PATHS, USER_PUSH_MAPPING } from './classes';
import { scimConfigSchema, type ScimConfig, type ScimConfigInput } from './config';
import { openScim, type ScimHttpOptions } from './connector';

export const scimType = defineConnector({
  type: 'scim',
  configSchema: scimConfigSchema,
  deltaScope: 'class',
  objectClasses: {
    users: {
      kind: 'user',
      read: true,
      delta: 'watermark',
      get: true,
      write: ['create', 'update', 'delete', 'enable'],
      attributePaths: USER_PATHS,
      defaultMapping: USER_MAPPING,
      pushMapping: USER_PUSH_MAPPING,
    },
    groups: {
      kind: 'group',
      read: true,
      delta: 'watermark',
      get: true,
      write: ['create', 'update', 'delete'],
      attributePaths: GROUP_PATHS,
      defaultMapping: GROUP_MAPPING,
      pushMapping: GROUP_PUSH_MAPPING,
    },
  },
  linkClasses: {
    memberships: { kind: 'membership', parent: 'groups', children: ['users', 'groups'], read: true, delta: 'watermark', get: true, write: ['link', 'unlink'] },
  },
  open: (config, ctx) => openScim(ctx.def.name, config, ctx.http),
});

/** A SCIM connector opened through its type (config parsed, operations checked against the
 *  manifest). Tests call this directly to pass HTTP overrides. */
export function createScimConnector(def: OpenedDefinition, config: ScimConfig | ScimConfigInput, http?: ScimHttpOptions): Connector {
  return scimType.open(def, config, { http });
}
