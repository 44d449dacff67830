// Issue 6 items 11 and 12: input that would be stored and then do harm or nothing is refused at
// create time (naming the field, never quoting a secret), and configs that silently do nothing
// earn a warning. Checked against the real connector types of the registry.
import { describe, expect, it } from 'vitest';
import { parseConnectorText, parseConnectorTextWithWarnings } from '../../config/load';
import { ConfigError, type ConfigIssue } from '../../config/types';
import { typeSchemas } from '../../connectors/registry';

const types = typeSchemas();

function issuesOf(text: string, file = 'conn.yaml'): ConfigIssue[] {
  try {
    parseConnectorText(text, file, types);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected the file to be refused');
}

function issueAt(text: string, path: string, file = 'conn.yaml'): string {
  const issues = issuesOf(text, file);
  const found = issues.find((i) => i.path === path);
  expect(found, JSON.stringify(issues)).toBeDefined();
  return found!.message;
}

const okta = (extra = '', name = 'okta-test') => `name: ${JSON.stringify(name)}\ntype: okta\nconfig:\n  domain: a.okta.com\n  apiToken: \${T}\n${extra}`;
const ldap = (config: Record<string, unknown>) =>
  JSON.stringify({ name: 'dir', type: 'ldap', config: { host: 'h', baseDn: 'dc=x', bindDn: 'cn=a,dc=x', bindPassword: '{{secret:ldap-pw}}', ...config } });

describe('connector names', () => {
  it.each([
    ['a slash', 'okta/prod'],
    ['a parent step', '../okta'],
    ['a double dot inside', 'okta..prod'],
    ['more than 63 characters', 'a'.repeat(64)],
    ['a display name over 63 characters', `Corporate ${'A'.repeat(60)}`],
  ])('refuses a name with %s', (_why, name) => {
    expect(issueAt(okta('', name), 'name')).toMatch(/no "\/" or "\.\.", at most 63 characters/);
  });

  it('slugs a seed-004 display name and says which name it stored', () => {
    const { definition, warnings } = parseConnectorTextWithWarnings(okta('', 'Corporate AD'), 'c.yaml', types);
    expect(definition.name).toBe('corporate-ad');
    expect(warnings).toEqual([{ file: 'c.yaml', path: 'name', message: expect.stringContaining('is stored as corporate-ad') }]);
  });

  it('keeps a slug as written without a warning', () => {
    const { definition, warnings } = parseConnectorTextWithWarnings(okta('', 'okta-prod.eu_1'), 'c.yaml', types);
    expect(definition.name).toBe('okta-prod.eu_1');
    expect(warnings).toEqual([]);
  });
});

describe('webhooks', () => {
  it('refuses webhooks.enabled without a secret', () => {
    expect(issueAt(okta('webhooks:\n  enabled: true\n'), 'webhooks.secret')).toMatch(/required because webhooks.enabled is true/);
  });

  it('refuses sync.mode webhook without a secret', () => {
    expect(issueAt(okta('sync:\n  mode: webhook\n'), 'webhooks.secret')).toMatch(/required because sync.mode is "webhook"/);
  });

  it('warns, without refusing, when sync.mode is webhook but webhooks are not enabled', () => {
    const { warnings } = parseConnectorTextWithWarnings(okta('sync:\n  mode: webhook\nwebhooks:\n  secret: ${S}\n'), 'c.yaml', types);
    expect(warnings.map((w) => w.path)).toEqual(['sync.mode']);
    expect(warnings[0].message).toMatch(/no events will be received/);
  });

  it('refuses event types Okta does not have, and accepts the seed-000 alias user.lifecycle.update', () => {
    const hooks = (event: string) => okta(`webhooks:\n  enabled: true\n  secret: \${S}\n  events:\n    - user.lifecycle.create\n    - ${event}\n`);
    expect(issueAt(hooks('user.lifecycle.updated'), 'webhooks.events[1]')).toMatch(/"user.lifecycle.updated" is not an event type okta sends; expected one of .*user.account.update_profile/);
    expect(issueAt(hooks('group.membership.add'), 'webhooks.events[1]')).toMatch(/not an event type okta sends/);
    const def = parseConnectorText(hooks('user.lifecycle.update'), 'c.yaml', types);
    expect(def.webhooks.events).toEqual(['user.lifecycle.create', 'user.lifecycle.update']);
  });
});

describe('references and credentials', () => {
  it.each([
    ['an empty secret name', '{{secret:}}'],
    ['a secret name with a space', '{{secret:okta token}}'],
    ['an unclosed secret reference', '{{secret:okta-token'],
    ['an empty variable', '${}'],
    ['an unclosed variable', '${OKTA_TOKEN'],
    ['a variable starting with a digit', '${1TOKEN}'],
  ])('refuses %s', (_why, ref) => {
    const message = issueAt(okta().replace('${T}', JSON.stringify(ref)), 'config.apiToken');
    expect(message).toMatch(/malformed reference: expected \$\{NAME\}, \$\{NAME:-default\} or \{\{secret:name\}\}/);
    expect(message).not.toContain(ref);
  });

  it('refuses a malformed reference in a field that is not a credential too', () => {
    expect(issueAt(okta().replace('a.okta.com', '"${OKTA_DOMAIN"'), 'config.domain')).toMatch(/malformed reference/);
  });

  it.each([
    ['config.apiToken', okta().replace('${T}', 'hunter2-okta-token')],
    ['config.bindPassword', ldap({ bindPassword: 'hunter2-ldap-password' })],
    ['webhooks.secret', okta('webhooks:\n  enabled: true\n  secret: hunter2-hook-secret\n')],
    ['config.apiToken', okta().replace('${T}', '"hunter2${T}"')],
  ])('refuses a literal value in the credential %s and never echoes it', (path, text) => {
    const issues = issuesOf(text, text.startsWith('{') ? 'c.json' : 'c.yaml');
    expect(issues.find((i) => i.path === path)?.message).toMatch(/must be a reference such as \$\{ENV_NAME\} or \{\{secret:name\}\}, not a literal value/);
    expect(new ConfigError(issues).message).not.toContain('hunter2');
  });

  it('refuses a literal clientSecret wherever it sits in config', () => {
    const text = okta('  oauth:\n    clientId: abc\n    clientSecret: hunter2-client\n');
    expect(issuesOf(text).map((i) => i.path)).toContain('config.oauth.clientSecret');
  });
});

describe('passwords inside a SQL connection string', () => {
  const sql = (connectionString: string) =>
    JSON.stringify({ name: 'hr', type: 'sql', config: { connectionString, importQuery: 'dbo.Employees', externalIdColumn: 'EmployeeId', objectType: 'User' } });

  it.each([
    ['an ADO.NET Password=', 'Server=hrdb;Database=HR;User Id=svc;Password=hunter2;'],
    ['an ADO.NET Pwd= at the end', 'Server=hrdb;Database=HR;Uid=svc;Pwd=hunter2'],
    ['a URL password', 'postgres://svc:hunter2@hrdb:5432/hr'],
    ['a password mixing a reference and text', 'mariadb://svc:x${PW}@hrdb/hr'],
  ])('refuses %s written as a literal, without quoting it', (_why, cs) => {
    const issues = issuesOf(sql(cs), 'hr.json');
    const found = issues.find((i) => i.path === 'config.connectionString');
    expect(found, JSON.stringify(issues)).toBeDefined();
    expect(found!.message).toMatch(/password .* must be a reference/);
    expect(JSON.stringify(issues)).not.toContain('hunter2');
  });

  it.each([
    ['an ADO.NET reference', 'Server=hrdb;Database=HR;User Id=svc;Password={{secret:hr-db}};'],
    ['a URL reference', 'postgres://svc:${HR_DB_PASSWORD}@hrdb:5432/hr'],
    ['no password (integrated security, trust)', 'postgres://postgres@127.0.0.1:5432/test'],
    ['a whole connection string from the environment', '${HR_DB_URL}'],
  ])('accepts %s', (_why, cs) => {
    expect(() => parseConnectorText(sql(cs), 'hr.json', types)).not.toThrow();
  });
});

describe('prototype keys', () => {
  it.each([
    ['YAML __proto__ under config', okta('  __proto__:\n    polluted: true\n'), 'config.__proto__'],
    ['YAML constructor in a mapping', okta('mapping:\n  user:\n    constructor: profile.email\n'), 'mapping.user.constructor'],
    ['JSON __proto__ at the top', '{"name":"x","type":"okta","__proto__":{"enabled":false},"config":{"domain":"a.okta.com","apiToken":"${T}"}}', '__proto__'],
    ['JSON prototype deep down', '{"name":"x","type":"okta","config":{"domain":"a.okta.com","apiToken":"${T}"},"filters":{"users":[{"prototype":1}]}}', 'filters.users[0].prototype'],
  ])('refuses %s', (_why, text, path) => {
    expect(issueAt(text, path, text.startsWith('{') ? 'c.json' : 'c.yaml')).toMatch(/is not allowed as a key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('values out of range', () => {
  it('refuses a sync interval above 30 days', () => {
    expect(issueAt(okta('sync:\n  interval: 45d\n'), 'sync.interval')).toMatch(/at most 30d/);
  });

  it.each([
    ['timeoutMs', 86_400_000],
    ['connectTimeoutMs', 3_600_000],
  ])('refuses an LDAP %s beyond its maximum', (field, value) => {
    expect(issueAt(ldap({ [field]: value }), `config.${field}`, 'c.json')).toMatch(/less than or equal|<=/);
  });

  it.each([
    ['a path', 'a.okta.com/admin'],
    ['a query', 'a.okta.com?tenant=x'],
    ['a fragment', 'a.okta.com#x'],
  ])('refuses an Okta domain with %s', (_why, domain) => {
    expect(issueAt(okta().replace('a.okta.com', domain), 'config.domain')).toMatch(/has a path or query; give only the host/);
  });
});

describe('LDAP filters and container templates', () => {
  it.each([
    ['a missing closing parenthesis', '(&(objectClass=user)(cn=a)'],
    ['an extra closing parenthesis', '(objectClass=user))'],
    ['a doubled opening parenthesis', '((objectClass=user)'],
    ['an empty and', '(&)'],
    ['a bad escape', '(cn=\\zz)'],
  ])('refuses a search filter with %s, without quoting it', (_why, filter) => {
    for (const field of ['userSearchFilter', 'groupSearchFilter']) {
      const message = issueAt(ldap({ [field]: filter }), `config.${field}`, 'c.json');
      expect(message).toMatch(/expected an LDAP search filter \(RFC 4515\)/);
      expect(message).not.toContain(filter);
    }
  });

  it('accepts the seed-004 filters', () => {
    const def = parseConnectorText(ldap({ userSearchFilter: '(&(objectClass=user)(objectCategory=person))', groupSearchFilter: '(objectClass=group)' }), 'c.json', types);
    expect(def.config.userSearchFilter).toBe('(&(objectClass=user)(objectCategory=person))');
  });

  it.each([
    ['targetContainer', 'OU={{department,OU=Users,DC=corp,DC=com'],
    ['targetContainer', 'OU={{department}},OU={{,DC=corp'],
    ['groupContainer', 'OU=department}},OU=Groups,DC=corp'],
  ])('refuses an unclosed template in projection.%s', (field, template) => {
    const projection = { targetContainer: 'OU={{department}},OU=Users,DC=corp,DC=com', [field]: template };
    expect(issueAt(ldap({ projection }), `config.projection.${field}`, 'c.json')).toMatch(/expected a DN template/);
  });
});

describe('warnings for filters that can never see a value', () => {
  const SEED_000_FILTERS = 'filters:\n  users:\n    - status eq "ACTIVE"\n  groups:\n    - type.name eq "OKTA_GROUP"\n';

  it('warns about seed 000\'s type.name on Okta groups, whose type is a string', () => {
    const { warnings } = parseConnectorTextWithWarnings(okta(SEED_000_FILTERS), 'c.yaml', types);
    expect(warnings).toEqual([
      { file: 'c.yaml', path: 'filters.groups[0]', message: 'attribute type.name does not occur on okta groups (type is a plain value: filter on type itself), so this filter never sees a value for it' },
    ]);
  });

  it('does not warn about paths Okta objects have, custom profile attributes included', () => {
    const filters = 'filters:\n  users:\n    - status eq "ACTIVE" and profile.costCenter pr\n  groups:\n    - type eq "OKTA_GROUP"\n  apps:\n    - settings.app.baseUrl co "x"\n';
    expect(parseConnectorTextWithWarnings(okta(filters), 'c.yaml', types).warnings).toEqual([]);
  });
});
