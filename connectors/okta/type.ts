// The Okta connector type: its manifest (object and link classes, what each can do) and how it
// opens. Deltas of every class come from one System Log watermark (deltaScope 'connector').

import { defineConnector, type OpenedDefinition } from '../framework/define';
import { OKTA_ATTRIBUTE_PATHS } from './attributes';
import { oktaConfigSchema, type OktaConfig, type OktaConfigInput } from './config';
import { openOkta, type OktaConnector, type OktaConnectorOptions } from './connector';
import { OKTA_EVENT_ALIASES, OKTA_EVENT_TYPES } from './event-types';
import { OKTA_GROUP_SCIM_ALIASES, OKTA_USER_SCIM_ALIASES } from './scim-aliases';

export const oktaType = defineConnector({
  type: 'okta',
  configSchema: oktaConfigSchema,
  deltaScope: 'connector',
  eventTypes: { known: OKTA_EVENT_TYPES, aliases: OKTA_EVENT_ALIASES },
  webhooks: 'okta-event-hook',
  objectClasses: {
    users: {
      kind: 'user',
      read: true,
      delta: 'events',
      get: true,
      write: ['create', 'update', 'delete', 'enable'],
      attributePaths: OKTA_ATTRIBUTE_PATHS.users,
      defaultMapping: { login: 'profile.login', email: 'profile.email', firstName: 'profile.firstName', lastName: 'profile.lastName', status: 'status' },
      pathAliases: OKTA_USER_SCIM_ALIASES,
      // `active` is not an attribute here: a push enables and disables through setEnabled. Okta
      // requires a password (seed 001): a push adds `credentials.password.value` in its mapping.
      pushMapping: { 'profile.login': 'login', 'profile.email': 'email', 'profile.firstName': 'firstName', 'profile.lastName': 'lastName' },
      // Okta limits each endpoint family on its own (api.ts oktaBucket): users ∥ groups and
      // their members ∥ apps and their users.
      lane: 'users',
    },
    groups: {
      kind: 'group',
      read: true,
      delta: 'events',
      get: true,
      write: ['create', 'update', 'delete'],
      attributePaths: OKTA_ATTRIBUTE_PATHS.groups,
      defaultMapping: { name: 'profile.name', description: 'profile.description', type: 'type' },
      pathAliases: OKTA_GROUP_SCIM_ALIASES,
      pushMapping: { 'profile.name': 'name', 'profile.description': 'description' },
      lane: 'groups',
    },
    apps: {
      kind: 'app',
      read: true,
      delta: 'events',
      get: true,
      attributePaths: OKTA_ATTRIBUTE_PATHS.apps,
      defaultMapping: { name: 'name', label: 'label', status: 'status' },
      lane: 'apps',
    },
  },
  linkClasses: {
    memberships: { kind: 'membership', parent: 'groups', children: ['users'], read: true, delta: 'events', get: true, write: ['link', 'unlink'] },
    appUsers: { kind: 'appUser', parent: 'apps', children: ['users'], read: true, delta: 'events', get: true },
  },
  open: (config, ctx) => openOkta(ctx.def.name, config, ctx.http),
});

/** An Okta connector opened through its type (config parsed, operations checked against the
 *  manifest). Tests call this directly to pass HTTP overrides. */
export function createOktaConnector(def: OpenedDefinition, config: OktaConfig | OktaConfigInput, opts: OktaConnectorOptions = {}): OktaConnector {
  return oktaType.open(def, config, { http: opts.httpOptions }) as OktaConnector;
}
