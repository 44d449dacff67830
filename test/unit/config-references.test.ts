import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findReferences, loadSecrets, redact, resolveReferences } from '../../config/references';
import { ConfigError } from '../../config/types';

const config = {
  domain: '${OKTA_DOMAIN:-example.okta.com}',
  apiToken: '${OKTA_API_TOKEN}',
  bindPassword: '{{secret:ad-password}}',
  url: 'https://${HOST}/api/{{ secret:path-part }}',
  port: 636,
  scopes: ['User.Read.All', '${EXTRA_SCOPE}'],
  nested: { clientSecret: '{{secret:azure-client-secret}}' },
};

describe('findReferences', () => {
  it('lists every reference with its dotted path', () => {
    expect(findReferences(config)).toEqual([
      { path: 'domain', kind: 'env', name: 'OKTA_DOMAIN' },
      { path: 'apiToken', kind: 'env', name: 'OKTA_API_TOKEN' },
      { path: 'bindPassword', kind: 'secret', name: 'ad-password' },
      { path: 'url', kind: 'env', name: 'HOST' },
      { path: 'url', kind: 'secret', name: 'path-part' },
      { path: 'scopes[1]', kind: 'env', name: 'EXTRA_SCOPE' },
      { path: 'nested.clientSecret', kind: 'secret', name: 'azure-client-secret' },
    ]);
  });
});

describe('resolveReferences', () => {
  const env = { OKTA_API_TOKEN: 'tok-123', HOST: 'idp.local', EXTRA_SCOPE: 'Group.Read.All' };
  const secrets = { 'ad-password': 'pw-ad', 'path-part': 'v2', 'azure-client-secret': 'cs-az' };

  it('replaces env and secret references deep inside strings, leaving the input untouched', () => {
    const resolved = resolveReferences(config, { env, secrets });
    expect(resolved).toEqual({
      domain: 'example.okta.com',
      apiToken: 'tok-123',
      bindPassword: 'pw-ad',
      url: 'https://idp.local/api/v2',
      port: 636,
      scopes: ['User.Read.All', 'Group.Read.All'],
      nested: { clientSecret: 'cs-az' },
    });
    expect(config.apiToken).toBe('${OKTA_API_TOKEN}');
  });

  it('uses the default only when the variable is unset or empty', () => {
    expect(resolveReferences('${D:-x}', { env: { D: 'set' } })).toBe('set');
    expect(resolveReferences('${D:-x}', { env: { D: '' } })).toBe('x');
    expect(resolveReferences('${D:-}', { env: {} })).toBe('');
  });

  it('reports every missing reference by path and name, with no value', () => {
    let error: ConfigError | undefined;
    try {
      resolveReferences(config, { env: { HOST: 'idp.local', OKTA_API_TOKEN: 'tok-123' }, secrets: { 'path-part': 'v2' } }, 'okta-production');
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.issues.map((i) => [i.file, i.path])).toEqual([
      ['okta-production', 'bindPassword'],
      ['okta-production', 'scopes[1]'],
      ['okta-production', 'nested.clientSecret'],
    ]);
    expect(error!.issues[0].message).toBe(
      'secret "ad-password" is not defined: set TIGER_SECRET_AD_PASSWORD or add "ad-password" to the file named by TIGER_SECRETS_FILE',
    );
    expect(error!.issues[1].message).toBe('environment variable EXTRA_SCOPE is not set (referenced as ${EXTRA_SCOPE})');
    expect(error!.message).not.toMatch(/tok-123|idp\.local|v2/);
  });
});

describe('loadSecrets', () => {
  it('reads TIGER_SECRET_* and a JSON file, the environment winning, and feeds resolveReferences', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiger-secrets-'));
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ 'ad-password': 'from-file', 'okta.api-token': 'okta-file' }));
    const secrets = loadSecrets({ env: { TIGER_SECRETS_FILE: file, TIGER_SECRET_AD_PASSWORD: 'from-env', PATH: '/bin' } });
    expect(secrets).toEqual({ AD_PASSWORD: 'from-env', OKTA_API_TOKEN: 'okta-file' });
    expect(resolveReferences({ a: '{{secret:ad-password}}', b: '{{secret:okta.api-token}}' }, { env: {}, secrets })).toEqual({
      a: 'from-env',
      b: 'okta-file',
    });
  });

  it('rejects a secrets file that is not an object of strings without showing its values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiger-secrets-'));
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ good: 'x', bad: { nested: 'leak-me' } }));
    expect(() => loadSecrets({ env: {}, file })).toThrow(`${file}: bad: expected a string value`);
    writeFileSync(file, '{"a": leak-me}');
    expect(() => loadSecrets({ env: {}, file })).toThrow(/cannot read the secrets file \(not valid JSON\)/);
    expect(() => loadSecrets({ env: {}, file: join(dir, 'none.json') })).toThrow(/ENOENT/);
  });
});

describe('redact', () => {
  it('keeps references, hides literals under secret-looking keys, leaves the rest', () => {
    expect(
      redact({
        domain: 'a.okta.com',
        apiToken: '${OKTA_API_TOKEN}',
        bindPassword: 'literal-pw',
        clientSecret: 'abc{{secret:x}}',
        connectionString: 'Server=db;Password=pw',
        port: 636,
        webhooks: { secret: 12345, events: ['user.lifecycle.create'] },
        credentials: { privateKey: ['k1', '{{secret:k2}}'] },
        note: null,
      }),
    ).toEqual({
      domain: 'a.okta.com',
      apiToken: '${OKTA_API_TOKEN}',
      bindPassword: '***',
      clientSecret: '***',
      connectionString: '***',
      port: 636,
      webhooks: { secret: '***', events: ['user.lifecycle.create'] },
      credentials: { privateKey: ['***', '{{secret:k2}}'] },
      note: null,
    });
  });
});
