// Seed 004's Microsoft Entra ID file, as written, through the real config check and the real
// connector build (references resolved the way activities resolve them). No request is made.
import { describe, expect, it } from 'vitest';
import { build } from '../../activities/connector-cache';
import { parseConnectorText } from '../../config/load';
import { ConfigError } from '../../config/types';
import { entraConfigSchema } from '../../connectors/entra';
import { typeSchemas } from '../../connectors/registry';

// Seed 004 (Microsoft Entra ID example), verbatim.
const SEED_004_ENTRA_JSON = `{
"type": "entra-id",
"name": "Azure AD",
"config": {
"tenantId": "12345678-1234-1234-1234-123456789abc",
"clientId": "87654321-4321-4321-4321-cba987654321",
"clientSecret": "{{secret:azure-client-secret}}",
"scopes": [
"User.Read.All",
"Group.Read.All",
"Directory.Read.All"
],
"attributeMapping": {
"username": "userPrincipalName",
"email": "mail",
"firstName": "givenName",
"lastName": "surname",
"displayName": "displayName",
"employeeId": "employeeId"
}
}
}`;

const SECRET = 'Zq8~not-a-real-secret-value';
const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('seed 004 Entra JSON', () => {
  it('is accepted as written and opens an entra-id connector once the secret is supplied', async () => {
    const def = parseConnectorText(SEED_004_ENTRA_JSON, 'azure-ad.json', typeSchemas());
    expect(def.name).toBe('azure-ad');
    expect(def.type).toBe('entra-id');
    expect(def.mapping.user).toEqual({ username: 'userPrincipalName', email: 'mail', firstName: 'givenName', lastName: 'surname', displayName: 'displayName', employeeId: 'employeeId' });
    expect(def.config).not.toHaveProperty('attributeMapping');
    // Stored as written: the reference, never the secret.
    expect(def.config.clientSecret).toBe('{{secret:azure-client-secret}}');
    expect(def.sync.resources).toEqual(['users', 'groups', 'memberships', 'apps', 'appUsers']);

    const loaded = build(def, { TIGER_SECRET_AZURE_CLIENT_SECRET: SECRET });
    expect(loaded.connector.type).toBe('entra-id');
    expect(Object.keys(loaded.connector.manifest.objectClasses)).toEqual(['users', 'groups', 'apps']);
    expect(loaded.connector.manifest.deltaScope).toBe('class');
    await loaded.connector.close();
  });

  it('takes the secret from ${ENV} too, and the azure-ad type name of seed 000', async () => {
    const doc = JSON.parse(SEED_004_ENTRA_JSON);
    doc.type = 'azure-ad';
    doc.config.clientSecret = '${AZURE_CLIENT_SECRET}';
    const def = parseConnectorText(JSON.stringify(doc), 'azure.json', typeSchemas());
    expect(def.type).toBe('azure-ad');
    const loaded = build(def, { AZURE_CLIENT_SECRET: SECRET });
    expect(loaded.connector.manifest.type).toBe('entra-id');
    await loaded.connector.close();
  });

  it('refuses a literal clientSecret and an unresolved reference, naming the field and never the value', () => {
    const doc = JSON.parse(SEED_004_ENTRA_JSON);
    doc.config.clientSecret = SECRET;
    const refused = issuesOf(() => parseConnectorText(JSON.stringify(doc), 'azure.json', typeSchemas()));
    expect(refused.map((i) => i.path)).toContain('config.clientSecret');
    expect(JSON.stringify(refused)).not.toContain(SECRET);

    const def = parseConnectorText(SEED_004_ENTRA_JSON, 'azure-ad.json', typeSchemas());
    expect(() => build(def, {})).toThrow(/azure-client-secret/);
  });

  it('fills in the public cloud, the page size and the seed permissions', () => {
    const c = entraConfigSchema.parse({ tenantId: 't', clientId: 'c', clientSecret: 's' });
    expect(c).toMatchObject({
      authority: 'https://login.microsoftonline.com',
      graphUrl: 'https://graph.microsoft.com',
      pageSize: 999,
      scopes: ['User.Read.All', 'Group.Read.All', 'Directory.Read.All'],
      select: {},
    });
    expect(entraConfigSchema.parse({ tenantId: 't', clientId: 'c', clientSecret: 's', graphUrl: 'http://127.0.0.1:4545/', authority: 'https://login.microsoftonline.us' })).toMatchObject({
      graphUrl: 'http://127.0.0.1:4545',
      authority: 'https://login.microsoftonline.us',
    });
  });

  it.each([
    [{ pageSize: 1000 }, 'config.pageSize', /1 to 999/],
    [{ pageSize: 0 }, 'config.pageSize', /1 to 999/],
    [{ graphUrl: 'http://graph.example.com' }, 'config.graphUrl', /only for 127\.0\.0\.1\/localhost/],
    [{ authority: 'https://login.microsoftonline.com/common' }, 'config.authority', /host only/],
    [{ select: { users: ['employee Type'] } }, 'config.select.users[0]', /select\.users entries must be Graph property names/],
    [{ select: { devices: ['id'] } }, 'config.select', /users, groups and apps/],
    [{ scopes: 'User.Read.All' }, 'config.scopes', /list of Graph permission names/],
    [{ tenant: 'x' }, 'config', /unknown field config\.tenant/],
  ])('refuses %j naming %s', (extra, path, message) => {
    const doc = JSON.parse(SEED_004_ENTRA_JSON);
    Object.assign(doc.config, extra);
    const issues = issuesOf(() => parseConnectorText(JSON.stringify(doc), 'azure.json', typeSchemas()));
    const hit = issues.find((i) => i.path === path);
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it('names a missing seed field', () => {
    const doc = JSON.parse(SEED_004_ENTRA_JSON);
    delete doc.config.tenantId;
    const issues = issuesOf(() => parseConnectorText(JSON.stringify(doc), 'azure.json', typeSchemas()));
    expect(issues.find((i) => i.path === 'config.tenantId')?.message).toMatch(/tenantId is required/);
  });
});
