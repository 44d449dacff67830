// The directory connector types, `active-directory` and `ldap`: one manifest shape, two profiles.
// Deltas of every class come from one USN / modifyTimestamp watermark (deltaScope 'connector');
// a paged search lives in one process, so batches prefer the worker that read the last one.

import { ConnectorError } from '../errors';
import { defineConnector, type Connector, type OpenedDefinition } from '../framework/define';
import type { LinkClassSpec, ObjectClassSpec } from '../framework/manifest';
import { openDirectory } from './connector';
import { ldapConfigSchema, type LdapConfig, type LdapConfigInput } from './schema';

const WRITES = ['create', 'update', 'delete', 'enable'] as const;

function directoryClasses(user: Record<string, string>): { objectClasses: Record<string, ObjectClassSpec>; linkClasses: Record<string, LinkClassSpec> } {
  return {
    objectClasses: {
      users: { kind: 'user', read: true, delta: 'watermark', get: true, write: WRITES, defaultMapping: user },
      groups: { kind: 'group', read: true, delta: 'watermark', get: true, write: ['create', 'update', 'delete'], defaultMapping: { name: 'cn', description: 'description', dn: 'dn' } },
    },
    linkClasses: {
      memberships: { kind: 'membership', parent: 'groups', children: ['users', 'groups'], read: true, delta: 'watermark', get: true, write: ['link', 'unlink'] },
    },
  };
}

const LDAP_USER = { username: 'uid', email: 'mail', firstName: 'givenName', lastName: 'sn', displayName: 'cn', active: 'active', dn: 'dn' };

export const ldapType = defineConnector({
  type: 'ldap',
  configSchema: ldapConfigSchema,
  affinity: true,
  ...directoryClasses(LDAP_USER),
  open: (config, ctx) => openDirectory(ctx.def, config),
});

export const adType = defineConnector({
  type: 'active-directory',
  configSchema: ldapConfigSchema,
  affinity: true,
  ...directoryClasses({ ...LDAP_USER, username: 'sAMAccountName', userPrincipalName: 'userPrincipalName' }),
  open: (config, ctx) => openDirectory(ctx.def, config),
});

/** A directory connector opened through its type (config parsed, operations checked against the
 *  manifest). Tests call this directly. */
export function createLdapConnector(def: OpenedDefinition, config: LdapConfig | LdapConfigInput): Connector {
  if (def.type !== 'active-directory' && def.type !== 'ldap') throw new ConnectorError('config', `${def.name}: type ${def.type} is not a directory type`, { connector: def.name });
  return (def.type === 'active-directory' ? adType : ldapType).open(def, config);
}
