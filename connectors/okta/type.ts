// The Okta connector type: its manifest (object and link classes, what each can do) and how it
// opens. Deltas of every class come from one System Log watermark (deltaScope 'connector').

import { defineConnector, type OpenedDefinition } from '../framework/define';
import { OKTA_ATTRIBUTE_PATHS } from './attributes';
import { oktaConfigSchema, type OktaConfig, type OktaConfigInput } from './config';
import { openOkta, type OktaConnector, type OktaConnectorOptions } from './connector';
import { OKTA_EVENT_ALIASES, OKTA_EVENT_TYPES } from './event-types';

export const oktaType = defineConnector({
  type: 'okta',
  configSchema: oktaConfigSchema,
  deltaScope: 'connector',
  eventTypes: { known: OKTA_EVENT_TYPES, aliases: OKTA_EVENT_ALIASES },
  objectClasses: {
    users: {
      kind: 'user',
      read: true,
      delta: 'events',
      get: true,
      attributePaths: OKTA_ATTRIBUTE_PATHS.users,
      defaultMapping: { login: 'profile.login', email: 'profile.email', firstName: 'profile.firstName', lastName: 'profile.lastName', status: 'status' },
    },
    groups: {
      kind: 'group',
      read: true,
      delta: 'events',
      get: true,
      attributePaths: OKTA_ATTRIBUTE_PATHS.groups,
      defaultMapping: { name: 'profile.name', description: 'profile.description', type: 'type' },
    },
    apps: {
      kind: 'app',
      read: true,
      delta: 'events',
      get: true,
      attributePaths: OKTA_ATTRIBUTE_PATHS.apps,
      defaultMapping: { name: 'name', label: 'label', status: 'status' },
    },
  },
  linkClasses: {
    memberships: { kind: 'membership', parent: 'groups', children: ['users'], read: true, delta: 'events', get: true },
    appUsers: { kind: 'appUser', parent: 'apps', children: ['users'], read: true, delta: 'events', get: true },
  },
  open: (config, ctx) => openOkta(ctx.def.name, config, ctx.http),
});

/** An Okta connector opened through its type (config parsed, operations checked against the
 *  manifest). Tests call this directly to pass HTTP overrides. */
export function createOktaConnector(def: OpenedDefinition, config: OktaConfig | OktaConfigInput, opts: OktaConnectorOptions = {}): OktaConnector {
  return oktaType.open(def, config, { http: opts.httpOptions }) as OktaConnector;
}
