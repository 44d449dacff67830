// Connector types known to tiger-sync: how each validates its `config` section, what it maps by
// default, and how it is built from a reference-resolved configuration.
import type { ZodType } from 'zod';
import type { ConnectorDefinition, ConnectorTypes } from '../config/types';
import type { DefaultMappings } from '../pipeline/mapper';
import { createLdapConnector } from './ldap';
import { ldapConfigSchema } from './ldap/schema';
import { createOktaConnector, oktaConfigSchema } from './okta';
import { OKTA_ATTRIBUTE_PATHS } from './okta/attributes';
import { OKTA_EVENT_ALIASES, OKTA_EVENT_TYPES } from './okta/event-types';
import type { Connector } from './types';

export interface ConnectorType {
  configSchema: ZodType;
  /** What the config check knows of the source (see config/types.ts ConnectorTypeRules). */
  eventTypes?: { known: readonly string[]; aliases: Readonly<Record<string, string>> };
  attributePaths?: Partial<Record<'users' | 'groups' | 'apps', readonly string[]>>;
  defaultMapping: DefaultMappings;
  create(def: ConnectorDefinition, config: Record<string, unknown>): Connector;
}

const ldapDefaults: DefaultMappings = {
  user: { username: 'uid', email: 'mail', firstName: 'givenName', lastName: 'sn', displayName: 'cn', active: 'active', dn: 'dn' },
  group: { name: 'cn', description: 'description', dn: 'dn' },
};

export const CONNECTOR_TYPES: Record<string, ConnectorType> = {
  okta: {
    configSchema: oktaConfigSchema,
    eventTypes: { known: OKTA_EVENT_TYPES, aliases: OKTA_EVENT_ALIASES },
    attributePaths: OKTA_ATTRIBUTE_PATHS,
    defaultMapping: {
      user: {
        login: 'profile.login',
        email: 'profile.email',
        firstName: 'profile.firstName',
        lastName: 'profile.lastName',
        status: 'status',
      },
      group: { name: 'profile.name', description: 'profile.description', type: 'type' },
      app: { name: 'name', label: 'label', status: 'status' },
    },
    create: (def, config) => createOktaConnector(def, config as never),
  },
  'active-directory': {
    configSchema: ldapConfigSchema,
    defaultMapping: {
      ...ldapDefaults,
      user: { ...ldapDefaults.user, username: 'sAMAccountName', userPrincipalName: 'userPrincipalName' },
    },
    create: (def, config) => createLdapConnector(def, config as never),
  },
  ldap: {
    configSchema: ldapConfigSchema,
    defaultMapping: ldapDefaults,
    create: (def, config) => createLdapConnector(def, config as never),
  },
};

/** What the config module checks a connector file against, per type. */
export const typeSchemas = (): ConnectorTypes =>
  Object.fromEntries(
    Object.entries(CONNECTOR_TYPES).map(([k, v]) => [k, { configSchema: v.configSchema, eventTypes: v.eventTypes, attributePaths: v.attributePaths }]),
  );

export function connectorType(type: string): ConnectorType {
  const t = CONNECTOR_TYPES[type];
  if (!t) throw new Error(`unknown connector type "${type}" (known: ${Object.keys(CONNECTOR_TYPES).join(', ')})`);
  return t;
}
