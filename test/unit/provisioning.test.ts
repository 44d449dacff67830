// A target's `provisioning` section: stored as written when valid, refused naming the field when not
// (nothing stored), read back from stored definitions by provisioningOf.
import { describe, expect, it } from 'vitest';
import { parseConnectorText } from '../../config/load';
import { provisioningOf } from '../../config/provisioning';
import { ConfigError, type ConfigIssue } from '../../config/types';
import { typeSchemas } from '../../connectors/registry';

const types = typeSchemas();
const target = (provisioning: unknown) =>
  JSON.stringify({ name: 'dir', type: 'ldap', config: { host: 'h', baseDn: 'dc=x', bindDn: 'cn=a,dc=x', bindPassword: '${P}' }, provisioning });

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConnectorText(text, 'dir.json', types);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected the file to be refused');
}

describe('provisioning section', () => {
  it('is kept as written and read back by provisioningOf', () => {
    const p = { from: 'okta-prod', after: 'sync', scope: { filter: 'department eq "eng"', groups: ['Engineering'] }, mapping: { user: { 'name.givenName': 'firstName' }, group: { displayName: 'name' } }, deleteOnRemoval: true };
    const def = parseConnectorText(target(p), 'dir.json', types);
    expect(provisioningOf(def)).toEqual(p);
    expect(provisioningOf(parseConnectorText(target(undefined), 'dir.json', types))).toBeUndefined();
  });

  it('refuses each bad field by its path', () => {
    const issues = issuesOf(target({ from: 'dir', after: 'always', scope: { filter: 'department eq', groups: [], owner: 'x' }, mapping: { user: { a: 3 }, app: {} }, deleteOnRemoval: 'yes', extra: 1 }));
    const at = (path: string) => issues.find((i) => i.path === path)?.message;
    expect(at('provisioning.from')).toBe('a connector cannot push into itself');
    expect(at('provisioning.after')).toMatch(/expected "sync"/);
    expect(at('provisioning.scope.filter')).toMatch(/invalid SCIM filter/);
    expect(at('provisioning.scope.groups')).toMatch(/non-empty list/);
    expect(at('provisioning.scope.owner')).toMatch(/unknown field/);
    expect(at('provisioning.mapping.user')).toMatch(/target attribute → store attribute/);
    expect(at('provisioning.mapping.app')).toMatch(/unknown field; expected user or group/);
    expect(at('provisioning.deleteOnRemoval')).toMatch(/true or false/);
    expect(at('provisioning.extra')).toMatch(/unknown field/);
  });

  it('needs a source name', () => {
    expect(issuesOf(target({ after: 'sync' })).map((i) => i.path)).toEqual(['provisioning.from']);
    expect(issuesOf(target('okta')).map((i) => i.path)).toEqual(['provisioning']);
  });
});
