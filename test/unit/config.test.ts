import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConnectorFile, parseConnectorText } from '../../config/load';
import { ConfigError, type ConfigIssue } from '../../config/types';

// Sample type schemas standing in for the ones connector modules provide.
const typeSchemas = {
  okta: z.object({ domain: z.string(), apiToken: z.string(), scimEndpoint: z.string().optional() }).strict(),
  'active-directory': z
    .object({
      host: z.string(),
      port: z.number().int().default(389),
      useSsl: z.boolean().default(false),
      baseDn: z.string(),
      bindDn: z.string(),
      bindPassword: z.string(),
      userSearchBase: z.string().optional(),
      userSearchFilter: z.string().optional(),
      groupSearchBase: z.string().optional(),
      groupSearchFilter: z.string().optional(),
    })
    .strict(),
  'entra-id': z.object({ tenantId: z.string(), clientId: z.string(), clientSecret: z.string(), scopes: z.array(z.string()) }),
};

// Seed 000, verbatim.
const SEED_000_YAML = `# okta-connector.yaml
name: okta-production
type: okta
enabled: true

config:
  domain: your-company.okta.com
  apiToken: \${OKTA_API_TOKEN}

  sync:
    mode: webhook
    interval: 5m
    resources:
      - users
      - groups
      - applications

  mapping:
    user:
      id: id
      email: profile.email
      firstName: profile.firstName
      lastName: profile.lastName
      status: status
    group:
      id: id
      name: profile.name
      members: _embedded.users

  filters:
    users:
      - status eq "ACTIVE"
    groups:
      - type.name eq "OKTA_GROUP"

webhooks:
  enabled: true
  secret: \${OKTA_WEBHOOK_SECRET}
  events:
    - user.lifecycle.create
    - user.lifecycle.update
    - user.lifecycle.deactivate
    - group.user_membership.add
    - group.user_membership.remove
`;

// Seed 004 (Active Directory example), verbatim.
const SEED_004_AD_JSON = `{
"type": "active-directory",
"name": "Corporate AD",
"config": {
"host": "dc01.company.com",
"port": 636,
"useSsl": true,
"baseDn": "DC=company,DC=com",
"bindDn": "CN=svc-identitymesh,OU=Service Accounts,DC=company,DC=com",
"bindPassword": "{{secret:ad-password}}",
"userSearchBase": "OU=Users,DC=company,DC=com",
"userSearchFilter": "(&(objectClass=user)(objectCategory=person))",
"groupSearchBase": "OU=Groups,DC=company,DC=com",
"groupSearchFilter": "(objectClass=group)",
"attributeMapping": {
"username": "sAMAccountName",
"email": "mail",
"firstName": "givenName",
"lastName": "sn",
"displayName": "displayName",
"employeeId": "employeeNumber"
}
}
}`;

const SEED_004_OKTA_JSON = `{
"type": "okta",
"name": "Okta Production",
"config": {
"domain": "company.okta.com",
"apiToken": "{{secret:okta-api-token}}",
"scimEndpoint": "https://company.okta.com/api/v1/scim/v2",
"attributeMapping": {
"username": "userName",
"email": "emails[0].value",
"firstName": "name.givenName",
"lastName": "name.familyName",
"displayName": "displayName",
"active": "active"
}
}
}`;

function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

const minimal = (extra = '') => `name: okta-test\ntype: okta\nconfig:\n  domain: a.okta.com\n  apiToken: \${T}\n${extra}`;

describe('seed 000 YAML', () => {
  it('normalizes the quick-start file with sync, mapping and filters under config', () => {
    const def = parseConnectorText(SEED_000_YAML, 'okta-connector.yaml', typeSchemas);
    expect(def).toEqual({
      name: 'okta-production',
      type: 'okta',
      enabled: true,
      config: { domain: 'your-company.okta.com', apiToken: '${OKTA_API_TOKEN}' },
      sync: {
        mode: 'webhook', interval: '5m', intervalMs: 300_000, resources: ['users', 'groups', 'memberships', 'apps', 'appUsers'],
        fullInterval: '24h', fullIntervalMs: 86_400_000,
      },
      mapping: {
        user: { id: 'id', email: 'profile.email', firstName: 'profile.firstName', lastName: 'profile.lastName', status: 'status' },
        group: { id: 'id', name: 'profile.name', members: '_embedded.users' },
      },
      filters: { users: ['status eq "ACTIVE"'], groups: ['type.name eq "OKTA_GROUP"'] },
      retryPolicy: { maxAttempts: 3, backoff: 'exponential' },
      webhooks: {
        enabled: true,
        secret: '${OKTA_WEBHOOK_SECRET}',
        events: [
          'user.lifecycle.create',
          'user.lifecycle.update',
          'user.lifecycle.deactivate',
          'group.user_membership.add',
          'group.user_membership.remove',
        ],
      },
      deletionThreshold: 0.2,
      deletionLimit: 500,
      approvalTimeout: '24h',
      approvalTimeoutMs: 86_400_000,
    });
  });

  it('accepts the common options at the top level too', () => {
    const text = minimal(
      'sync:\n  interval: 1h30m\n  resources: [users]\nmapping:\n  user:\n    email: profile.email\nfilters:\n  users: [\'status eq "ACTIVE"\']\nretryPolicy:\n  maxAttempts: 5\n  backoff: linear\ndeletion:\n  threshold: 0.5\n',
    );
    const def = parseConnectorText(text, 'top.yaml', typeSchemas);
    expect(def.sync).toEqual({ mode: 'polling', interval: '1h30m', intervalMs: 5_400_000, resources: ['users'], fullInterval: '24h', fullIntervalMs: 86_400_000 });
    expect(def.mapping).toEqual({ user: { email: 'profile.email' } });
    expect(def.filters).toEqual({ users: ['status eq "ACTIVE"'] });
    expect(def.retryPolicy).toEqual({ maxAttempts: 5, backoff: 'linear' });
    expect(def.deletionThreshold).toBe(0.5);
  });

  it('reads an unquoted {{secret:name}} as a string rather than a YAML flow mapping', () => {
    const def = parseConnectorText('name: a\ntype: okta\nconfig:\n  domain: d\n  apiToken: {{secret:okta-api-token}}  # from the vault\n', 'a.yaml', typeSchemas);
    expect(def.config.apiToken).toBe('{{secret:okta-api-token}}');
  });
});

describe('seed 004 JSON', () => {
  it('moves attributeMapping to mapping.user and slugs the display name', () => {
    const def = parseConnectorText(SEED_004_AD_JSON, 'corporate-ad.json', typeSchemas);
    expect(def.name).toBe('corporate-ad');
    expect(def.type).toBe('active-directory');
    expect(def.mapping).toEqual({
      user: { username: 'sAMAccountName', email: 'mail', firstName: 'givenName', lastName: 'sn', displayName: 'displayName', employeeId: 'employeeNumber' },
    });
    expect(def.config).not.toHaveProperty('attributeMapping');
    expect(def.config).toMatchObject({ host: 'dc01.company.com', port: 636, useSsl: true, bindPassword: '{{secret:ad-password}}' });
    expect(def.sync.resources).toEqual(['users', 'groups', 'memberships', 'apps', 'appUsers']);
  });

  it('keeps the index path of the Okta example and stores the config as written (defaults apply on resolution)', () => {
    const def = parseConnectorText(SEED_004_OKTA_JSON, 'okta', typeSchemas); // no extension: sniffed as JSON
    expect(def.name).toBe('okta-production');
    expect(def.mapping.user?.email).toBe('emails[0].value');
    const ad = parseConnectorText(
      JSON.stringify({ type: 'active-directory', name: 'ad', config: { host: 'h', baseDn: 'b', bindDn: 'c', bindPassword: '{{secret:p}}' } }),
      'ad.json',
      typeSchemas,
    );
    expect(ad.config).toEqual({ host: 'h', baseDn: 'b', bindDn: 'c', bindPassword: '{{secret:p}}' });
    expect(typeSchemas['active-directory'].parse(ad.config)).toMatchObject({ port: 389, useSsl: false });
  });

  it('checks a field holding a reference only once it is resolved, and keeps the reference', () => {
    const def = parseConnectorText(
      JSON.stringify({ type: 'active-directory', name: 'ad', config: { host: '${AD_HOST}', port: '${AD_PORT}', baseDn: 'b', bindDn: 'c', bindPassword: '{{secret:p}}' } }),
      'ad.json',
      typeSchemas,
    );
    expect(def.config.port).toBe('${AD_PORT}');
    expect(() =>
      parseConnectorText(JSON.stringify({ type: 'active-directory', name: 'ad', config: { host: 'h', port: 'abc', baseDn: 'b', bindDn: 'c', bindPassword: 'p' } }), 'ad.json', typeSchemas),
    ).toThrow(/config\.port/);
  });

  it('loads from disk by extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiger-config-'));
    const file = join(dir, 'entra.json');
    writeFileSync(file, JSON.stringify({ type: 'entra-id', name: 'Azure AD', config: { tenantId: 't', clientId: 'c', clientSecret: '{{secret:azure-client-secret}}', scopes: ['User.Read.All'] } }));
    const def = loadConnectorFile(file, typeSchemas);
    expect(def.name).toBe('azure-ad');
    expect(def.config.scopes).toEqual(['User.Read.All']);
    expect(issuesOf(() => loadConnectorFile(join(dir, 'missing.yaml'), typeSchemas))).toEqual([
      { file: join(dir, 'missing.yaml'), path: '', message: 'cannot read the connector file (ENOENT)' },
    ]);
  });
});

describe('defaults', () => {
  const def = parseConnectorText(minimal(), 'min.yaml', typeSchemas);
  it.each([
    ['enabled', def.enabled, true],
    ['sync.mode', def.sync.mode, 'polling'],
    ['sync.interval', def.sync.interval, '15m'],
    ['sync.intervalMs', def.sync.intervalMs, 900_000],
    ['sync.resources', def.sync.resources, ['users', 'groups', 'memberships', 'apps', 'appUsers']],
    ['retryPolicy.maxAttempts', def.retryPolicy.maxAttempts, 3],
    ['retryPolicy.backoff', def.retryPolicy.backoff, 'exponential'],
    ['webhooks', def.webhooks, { enabled: false, events: [] }],
    ['deletionThreshold', def.deletionThreshold, 0.2],
    ['mapping', def.mapping, {}],
    ['filters', def.filters, {}],
  ])('%s', (_field, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('expands resource aliases into canonical order without duplicates', () => {
    const resources = (list: string) => parseConnectorText(minimal(`sync:\n  resources: ${list}\n`), 'r.yaml', typeSchemas).sync.resources;
    expect(resources('[applications]')).toEqual(['apps', 'appUsers']);
    expect(resources('[apps, users]')).toEqual(['users', 'apps', 'appUsers']);
    expect(resources('[groups]')).toEqual(['groups', 'memberships']);
    expect(resources('[memberships, users, users]')).toEqual(['users', 'memberships']);
  });

  it('accepts deletionThreshold at the top level, up to 1', () => {
    expect(parseConnectorText(minimal('deletionThreshold: 0.05\n'), 'd.yaml', typeSchemas).deletionThreshold).toBe(0.05);
    expect(parseConnectorText(minimal('deletionThreshold: 1\n'), 'd.yaml', typeSchemas).deletionThreshold).toBe(1);
  });
});

describe('errors name file, path and expectation', () => {
  const cases: [string, string, string, RegExp][] = [
    ['bad duration', minimal('sync:\n  interval: 5 minutes\n'), 'sync.interval', /expected a duration like 5m or 1h, got "5 minutes"/],
    ['interval under a minute', minimal('sync:\n  interval: 30s\n'), 'sync.interval', /at least 1m/],
    ['numeric interval', minimal('sync:\n  interval: 300\n'), 'sync.interval', /expected a duration like 5m or 1h, got 300/],
    ['bad mode', minimal('sync:\n  mode: push\n'), 'sync.mode', /expected polling or webhook, got "push"/],
    ['unknown resource', minimal('sync:\n  resources: [users, roles]\n'), 'sync.resources[1]', /expected one of users, groups, memberships, apps, appUsers, applications, got "roles"/],
    ['empty resources', minimal('sync:\n  resources: []\n'), 'sync.resources', /non-empty list/],
    ['unknown type', 'name: x\ntype: workday\nconfig: {}\n', 'type', /expected a known connector type \(active-directory, entra-id, okta\), got "workday"/],
    ['missing name', 'type: okta\nconfig: {domain: d, apiToken: t}\n', 'name', /required: a connector name/],
    ['unsluggable name', 'name: "!!!"\ntype: okta\nconfig: {domain: d, apiToken: t}\n', 'name', /expected a name of lower-case letters/],
    ['type schema', 'name: x\ntype: okta\nconfig:\n  apiToken: t\n', 'config.domain', /expected string/],
    ['type schema unknown key', minimal('  tenant: x\n'), 'config', /Unrecognized key: "tenant"/],
    ['bad mapping path', minimal('  mapping:\n    user:\n      email: profile..email\n'), 'config.mapping.user.email', /invalid path "profile..email"/],
    ['non-string mapping', minimal('mapping:\n  user:\n    email: 3\n'), 'mapping.user.email', /expected a source path like profile.email, got 3/],
    ['unknown mapping kind', minimal('mapping:\n  users: {}\n'), 'mapping.users', /unknown field; expected one of user, group, app/],
    ['bad filter', minimal('filters:\n  users:\n    - status = "ACTIVE"\n'), 'filters.users[0]', /invalid SCIM filter "status = \\"ACTIVE\\""/],
    ['filters not a list', minimal('filters:\n  users: status eq "ACTIVE"\n'), 'filters.users', /expected a list of SCIM filter expressions/],
    ['bad backoff', minimal('retryPolicy:\n  backoff: random\n'), 'retryPolicy.backoff', /expected exponential or linear, got "random"/],
    ['bad maxAttempts', minimal('retryPolicy:\n  maxAttempts: 0\n'), 'retryPolicy.maxAttempts', /expected a whole number from 1 to 100, got 0/],
    ['bad enabled', minimal('enabled: yes\n'), 'enabled', /expected true or false, got "yes"/],
    ['threshold out of range', minimal('deletion:\n  threshold: 20\n'), 'deletion.threshold', /expected a fraction above 0 and at most 1/],
    ['threshold 0 (would hold every deletion)', minimal('deletionThreshold: 0\n'), 'deletionThreshold', /expected a fraction above 0 and at most 1 .*, got 0$/],
    ['both thresholds', minimal('deletionThreshold: 0.1\ndeletion:\n  threshold: 0.3\n'), 'deletion.threshold', /given both at deletionThreshold and deletion.threshold/],
    ['unknown top-level field', minimal('webhook:\n  enabled: true\n'), 'webhook', /unknown field; expected one of name, type/],
    ['sync in both places', minimal('  sync: {interval: 5m}\nsync: {interval: 1h}\n'), 'config.sync', /given both at sync and config.sync/],
    ['webhook mode without a secret', minimal('sync:\n  mode: webhook\n'), 'webhooks.secret', /required because sync.mode is "webhook"/],
    ['bad event', minimal('webhooks:\n  enabled: true\n  events: [""]\n'), 'webhooks.events[0]', /expected an event type/],
  ];
  it.each(cases)('%s', (_name, text, path, message) => {
    const issues = issuesOf(() => parseConnectorText(text, 'conn.yaml', typeSchemas));
    const issue = issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue!.file).toBe('conn.yaml');
    expect(issue!.message).toMatch(message);
  });

  it('reports every problem at once, each on its own line of the message', () => {
    let error: ConfigError | undefined;
    try {
      parseConnectorText(minimal('sync:\n  interval: 5 minutes\n  mode: push\nfilters:\n  users: ["status ~ 1"]\n'), 'conn.yaml', typeSchemas);
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.issues.map((i) => i.path).sort()).toEqual(['filters.users[0]', 'sync.interval', 'sync.mode']);
    expect(error?.message.split('\n')).toContain('conn.yaml: sync.interval: expected a duration like 5m or 1h, got "5 minutes"');
  });

  it('reports attributeMapping given alongside mapping.user', () => {
    const doc = JSON.parse(SEED_004_OKTA_JSON);
    doc.mapping = { user: { email: 'profile.email' } };
    const issues = issuesOf(() => parseConnectorText(JSON.stringify(doc), 'okta.json', typeSchemas));
    expect(issues).toEqual([{ file: 'okta.json', path: 'config.attributeMapping', message: 'given both at config.attributeMapping and mapping.user; keep one' }]);
  });

  it('never echoes a value held by a secret-looking field', () => {
    const text =
      'name: x\ntype: okta\nconfig: {domain: d, apiToken: hunter2-literal}\nwebhooks:\n  enabled: true\n  secret: [hunter3-literal]\nmapping:\n  user:\n    apiKey: 4242\n';
    const issues = issuesOf(() => parseConnectorText(text, 'conn.yaml', { okta: z.object({ domain: z.string(), apiToken: z.number() }) }));
    const message = new ConfigError(issues).message;
    expect([...new Set(issues.map((i) => i.path))].sort()).toEqual(['config.apiToken', 'mapping.user.apiKey', 'webhooks.secret']);
    expect(message).not.toMatch(/hunter|4242/);
    expect(message).toMatch(/mapping.user.apiKey: expected a source path like profile.email, got \(value hidden\)/);
  });

  it('keeps literal secrets out of parser errors', () => {
    const yaml = issuesOf(() => parseConnectorText('name: x\napiToken: s3cr3t: more\n', 'x.yaml', typeSchemas));
    expect(yaml[0].message).toMatch(/^invalid YAML at line 2, column \d+: /);
    expect(JSON.stringify(yaml)).not.toMatch(/s3cr3t/);
    const json = issuesOf(() => parseConnectorText('{"name": "x", "apiToken": s3cr3t}', 'x.json', typeSchemas));
    expect(json[0].message).toMatch(/^invalid JSON/);
    expect(JSON.stringify(json)).not.toMatch(/s3cr3t|3cr3t/);
  });

  it('rejects a document that is not an object', () => {
    expect(issuesOf(() => parseConnectorText('- a\n- b\n', 'list.yaml', typeSchemas))).toEqual([
      { file: 'list.yaml', path: '', message: 'expected an object with name, type and config, got a list' },
    ]);
  });
});
