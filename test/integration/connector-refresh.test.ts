// Issue 8 item 5: `tiger connector refresh <name>` on the real CLI, Temporal dev server, worker and
// store. A rotated client secret with the old tokens revoked breaks the connector the worker
// cached; refresh makes every worker drop it, fetches a new token with the secret as resolved
// now (the token endpoint sees the request), prints its expiry and never a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph';
import { startRestServer, type RestServer } from '../../emulators/rest';
import type { RefreshResult } from '../../workflows/refresh';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { restConfig } from '../support/rest-config';
import { runTiger } from '../support/tiger-cli';

const ROTATED = 'rotated-entra-secret-7d2f4a';
const REST_SECRET = 'rest-oauth-secret-93be1c';
let h: Harness;
let emu: GraphEmulator;
let rest: RestServer;

const entraYaml = (name: string) => `name: ${name}
type: entra-id
config:
  tenantId: ${emu.tenantId}
  clientId: ${emu.clientId}
  clientSecret: \${CR_ENTRA_SECRET}
  authority: ${emu.url}
  graphUrl: ${emu.url}
`;

beforeAll(async () => {
  h = await startHarness();
  emu = await startGraphEmulator({ users: 25, groups: 3, apps: 1, bigGroupMembers: 0, seed: 3, tokenTtlSeconds: 1800 });
  rest = await startRestServer({ people: 6, teams: 2, auth: { type: 'oauth', clientId: 'cid', clientSecret: REST_SECRET } });
  process.env.CR_ENTRA_SECRET = emu.clientSecret;
  process.env.CR_REST_SECRET = REST_SECRET;
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
  await emu?.close();
  await rest?.close();
});

function expiryIn(text: string): number {
  const m = /expires (\d{4}-\d\d-\d\dT[\d:.]+Z) \(in (\d+) min\)/.exec(text);
  expect(m, text).not.toBeNull();
  return Date.parse(m![1]!);
}

describe('tiger connector refresh', () => {
  it('entra-id: after a secret rotation, refresh re-resolves the secret, fetches a new token and the connector works again', async () => {
    const name = uniqueName('cr-entra');
    await h.addConnector(entraYaml(name));
    expect((await h.sync(name, 'full')).status).toBe('succeeded');

    // The secret is rotated and every issued token revoked: the worker's cached connector holds
    // the old secret and cannot get a token any more.
    emu.admin.setClient({ clientId: emu.clientId, clientSecret: ROTATED });
    emu.admin.revokeTokens();
    process.env.CR_ENTRA_SECRET = ROTATED;
    const stale = await h.sync(name, 'delta');
    expect(stale.status).toBe('failed');
    expect(stale.error).toContain('AADSTS7000215');

    const before = emu.admin.stats().tokensIssued;
    const started = Date.now();
    const out = await runTiger(h, ['connector', 'refresh', name]);
    expect(out.code, out.stderr).toBe(0);
    // The token endpoint was asked (with the rotated secret: the old one is refused).
    expect(emu.admin.stats().tokensIssued).toBe(before + 1);
    expect(out.stdout).toContain(`connector ${name}: cached connectors dropped on 1 of 1 workers (1 connector instances)`);
    expect(out.stdout).toContain(`new token from ${emu.url}`);
    const expires = expiryIn(out.stdout);
    expect(expires).toBeGreaterThanOrEqual(started + 1790_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 1800_000);
    for (const secret of [ROTATED, emu.clientSecret]) expect(out.stdout + out.stderr).not.toContain(secret);
    expect(out.stdout).not.toMatch(/eyJ|Bearer/);

    // The worker built the connector again from the rotated secret.
    expect((await h.sync(name, 'delta')).status).toBe('succeeded');
  });

  it('rest with oauth2 auth: --json reports every worker and the new expiry; the token endpoint sees a new request', async () => {
    const name = uniqueName('cr-rest');
    const config = restConfig(rest.url, 'link', { type: 'oauth2', tokenUrl: rest.tokenUrl, clientId: 'cid', clientSecret: '${CR_REST_SECRET}' });
    await h.addConnector(JSON.stringify({ name, type: 'rest', config }));
    expect((await h.sync(name, 'full')).status).toBe('succeeded');
    const tokenRequests = () => rest.requests.filter((r) => r.path === '/oauth/token' && r.status === 200).length;
    const before = tokenRequests();
    const out = await runTiger(h, ['connector', 'refresh', name, '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).not.toContain(REST_SECRET);
    const r = JSON.parse(out.stdout) as RefreshResult;
    expect(r.workers).toEqual([{ queue: h.worker!.ownQueue, dropped: 1, error: null }]);
    expect(r.tokenEndpoint).toBe(rest.url);
    expect(Date.parse(r.expiresAt!)).toBeGreaterThan(Date.now() + 3500_000);
    expect(tokenRequests()).toBe(before + 1);
  });

  it('a connector without OAuth: caches are dropped and the output says there is no token to fetch', async () => {
    const name = uniqueName('cr-okta');
    process.env.CR_OKTA_TOKEN = 'okta-token-never-sent';
    await h.addConnector(`name: ${name}\ntype: okta\nconfig:\n  domain: example.okta.com\n  apiToken: \${CR_OKTA_TOKEN}\n`);
    const out = await runTiger(h, ['connector', 'refresh', name]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('uses no OAuth client-credentials token');
    expect(out.stdout).not.toContain('okta-token-never-sent');
  });
});
