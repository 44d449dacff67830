// Connector types known to tiger-sync, each declared once with defineConnector. Everything else
// (config checks, default mappings, capabilities) is read from their manifests.
import type { ConnectorTypes } from '../config/types';
import type { ConnectorType } from './framework/define';
import { linkClassesOf, type Manifest } from './framework/manifest';
import { entraType } from './entra';
import { adType, ldapType } from './ldap';
import { oktaType } from './okta';
import { scimType } from './scim';
import { workdayType } from './workday';
import { restType } from './rest';
import { sqlType } from './sql';

export const CONNECTOR_TYPES: Readonly<Record<string, ConnectorType>> = {
  okta: oktaType,
  'active-directory': adType,
  ldap: ldapType,
  scim: scimType,
  workday: workdayType,
  rest: restType,
  sql: sqlType,
  'entra-id': entraType,
  // Seed 000's name for the same connector.
  'azure-ad': entraType,
};

/** What the config module checks a connector file against, per type: its config schema, the
 *  classes it can read, their attribute paths and the event types it sends. */
export const typeSchemas = (): ConnectorTypes =>
  Object.fromEntries(
    Object.entries(CONNECTOR_TYPES).map(([k, t]) => {
      const m = t.manifest;
      const attributePaths = Object.fromEntries(
        Object.entries(m.objectClasses).flatMap(([cls, c]) => (c.attributePaths ? [[cls, c.attributePaths]] : [])),
      );
      const pathAliases = Object.fromEntries(
        Object.entries(m.objectClasses).flatMap(([cls, c]) => (c.pathAliases ? [[cls, c.pathAliases]] : [])),
      );
      return [k, { configSchema: t.configSchema, eventTypes: m.eventTypes, attributePaths, pathAliases, classes: classGroups(m) }];
    }),
  );

export function connectorType(type: string): ConnectorType {
  const t = CONNECTOR_TYPES[type];
  if (!t) throw new Error(`unknown connector type "${type}" (known: ${Object.keys(CONNECTOR_TYPES).join(', ')})`);
  return t;
}

/** Each readable class with the readable link classes under it, objects first. */
function classGroups(m: Manifest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [cls, c] of Object.entries(m.objectClasses)) {
    if (c.read) out[cls] = [cls, ...linkClassesOf(m, cls).filter((l) => m.linkClasses[l].read)];
  }
  for (const [cls, c] of Object.entries(m.linkClasses)) if (c.read) out[cls] = [cls];
  return out;
}
