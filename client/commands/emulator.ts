// `tiger emulator okta`: the Okta emulator as a standalone server, for demos and manual testing.
import { Command, InvalidArgumentError } from 'commander';
import { startOktaEmulator } from '../../emulators/okta';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name}: expected a whole number ≥ 0`);
  return n;
};
const fraction = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
};

export function emulatorCommand(): Command {
  const cmd = new Command('emulator').description('run a source emulator');
  cmd
    .command('okta')
    .description('Okta management API emulator (users, groups, apps, System Log, event hooks)')
    .option('--port <n>', 'port (0 = any free one)', int('--port'), 8900)
    .option('--users <n>', 'users', int('--users'), 2000)
    .option('--groups <n>', 'groups', int('--groups'), 120)
    .option('--apps <n>', 'apps', int('--apps'), 12)
    .option('--members-per-group <n>', 'average members per group', int('--members-per-group'))
    .option('--seed <n>', 'random seed (same seed, same org)', int('--seed'), 42)
    .option('--token <t>', 'API token clients must send (SSWS)', process.env.OKTA_API_TOKEN ?? 'emulator-token')
    .option('--rate-limit <n>', 'requests per minute per endpoint family (0 = off)', int('--rate-limit'), 0)
    .option('--fault-rate <f>', 'share of requests that fail (5xx, 429, timeout, malformed JSON)', fraction, 0)
    .option('--latency <ms>', 'added latency per request', int('--latency'), 0)
    .option('--forbidden <families>', 'endpoint families answering 403, comma-separated (e.g. logs,apps)', '')
    .action(async (o: { port: number; users: number; groups: number; apps: number; membersPerGroup?: number; seed: number; token: string; rateLimit: number; faultRate: number; latency: number; forbidden: string }) => {
      const emu = await startOktaEmulator({
        port: o.port,
        users: o.users,
        groups: o.groups,
        apps: o.apps,
        membershipsPerGroup: o.membersPerGroup,
        seed: o.seed,
        apiToken: o.token,
        rateLimitPerMinute: o.rateLimit,
        faultRate: o.faultRate,
        latencyMs: o.latency,
        forbidden: o.forbidden ? o.forbidden.split(',').map((s) => s.trim()).filter(Boolean) : [],
      });
      process.stdout.write(`okta emulator: ${emu.url} (${o.users} users, ${o.groups} groups, ${o.apps} apps, seed ${o.seed})\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await emu.close();
    });
  cmd
    .command('scim')
    .description('SCIM 2.0 app server (scimmy over SQLite): a push target or source for `type: scim` connectors')
    .option('--port <n>', 'port (0 = any free one)', int('--port'), 8901)
    .option('--token <t>', 'bearer token clients must send', process.env.SCIM_TOKEN ?? 'scim-emulator-token')
    .option('--db <path>', "SQLite file for the directory (':memory:' = throw-away)", ':memory:')
    .option('--no-patch', 'answer PATCH with 501, as a server without PATCH support')
    .option('--no-filter', 'refuse filter= with 400 invalidFilter')
    .option('--etag', 'serve meta.version/ETag and enforce If-Match (412)', false)
    .option('--rate-limit <n>', 'requests per minute (0 = off)', int('--rate-limit'), 0)
    .option('--latency <ms>', 'added latency per request', int('--latency'), 0)
    .action(async (o: { port: number; token: string; db: string; patch: boolean; filter: boolean; etag: boolean; rateLimit: number; latency: number }) => {
      // Loaded here so `tiger emulator okta` does not pay for express and scimmy; require() for the
      // reason given in client/lazy.ts (import() under tsx's CommonJS hook cannot resolve .ts paths).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startScimServer } = require('../../emulators/scim') as typeof import('../../emulators/scim');
      const srv = await startScimServer({
        port: o.port,
        dbPath: o.db,
        auth: { type: 'bearer', token: o.token },
        features: { patch: o.patch, filter: o.filter, etag: o.etag },
        rateLimit: o.rateLimit ? { requests: o.rateLimit, windowMs: 60_000 } : undefined,
        latencyMs: o.latency,
      });
      const c = srv.counts();
      const flags = `patch ${o.patch ? 'on' : 'off'}, filter ${o.filter ? 'on' : 'off'}, etag ${o.etag ? 'on' : 'off'}`;
      process.stdout.write(`scim server: ${srv.baseUrl} (${c.users} users, ${c.groups} groups, ${flags}, store ${o.db})\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await srv.close();
    });
  cmd
    .command('rest')
    .description('generic REST test server (people, teams, members) for `type: rest` connectors')
    .option('--port <n>', 'port (0 = any free one)', int('--port'), 8903)
    .option('--paging <style>', 'link, cursor, offset or page', 'link')
    .option('--token <t>', 'bearer token clients must send', process.env.REST_TOKEN ?? 'rest-emulator-token')
    .option('--people <n>', 'people', int('--people'), 200)
    .option('--teams <n>', 'teams', int('--teams'), 12)
    .action(async (o: { port: number; paging: string; token: string; people: number; teams: number }) => {
      if (!['link', 'cursor', 'offset', 'page'].includes(o.paging)) throw new Error(`--paging must be link, cursor, offset or page, got ${o.paging}`);
      // Lazy, like scim above.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startRestServer } = require('../../emulators/rest') as typeof import('../../emulators/rest');
      const srv = await startRestServer({ port: o.port, paging: o.paging as 'link', auth: { type: 'bearer', token: o.token }, people: o.people, teams: o.teams });
      process.stdout.write(`rest server: ${srv.url}/api (${o.people} people, ${o.teams} teams, ${o.paging} paging)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await srv.close();
    });
  cmd
    .command('workday')
    .description('Workday emulator: RaaS custom reports and the REST workers API, Basic or OAuth refresh-token auth, admin API at /__admin')
    .option('--port <n>', 'port (0 = any free one)', int('--port'), 8902)
    .option('--tenant <t>', 'tenant name', 'acme')
    .option('--workers <n>', 'workers', int('--workers'), 200)
    .option('--organizations <n>', 'supervisory organizations', int('--organizations'), 8)
    .option('--seed <n>', 'random seed (same seed, same tenant)', int('--seed'), 1)
    .option('--now <iso>', "the emulator's today (ISO date-time); default the real time")
    .option('--rate-limit <n>', 'requests per second for the tenant (0 = off)', int('--rate-limit'), 0)
    .action(async (o: { port: number; tenant: string; workers: number; organizations: number; seed: number; now?: string; rateLimit: number }) => {
      // Lazy, like scim above: `tiger emulator okta` does not load it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startWorkdayEmulator } = require('../../emulators/workday') as typeof import('../../emulators/workday');
      const emu = await startWorkdayEmulator({
        port: o.port,
        tenant: o.tenant,
        workers: o.workers,
        organizations: o.organizations,
        seed: o.seed,
        now: o.now,
        rateLimit: o.rateLimit ? { requests: o.rateLimit, windowMs: 1000 } : null,
      });
      const u = emu.options;
      process.stdout.write(
        `workday emulator: ${emu.url} (tenant ${emu.tenant}, ${o.workers} workers, ${o.organizations} organizations, seed ${o.seed})\n` +
          `  RaaS: /ccx/service/customreport2/${emu.tenant}/${u.reportOwner}/${u.workersReport}?format=json (and ${u.organizationsReport}); Basic user ${u.username}\n` +
          `  REST: /ccx/api/v1/${emu.tenant}/workers; OAuth token: /ccx/oauth2/${emu.tenant}/token (client ${u.oauth.clientId})\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await emu.close();
    });
  cmd
    .command('graph')
    .description('Microsoft Graph emulator for entra-id connectors (token endpoint, users, groups, delta, change notifications)')
    .option('--port <n>', 'port (0 = any free one)', int('--port'), 8902)
    .option('--users <n>', 'users', int('--users'), 200)
    .option('--groups <n>', 'groups', int('--groups'), 20)
    .option('--apps <n>', 'applications (each with a service principal and assignments)', int('--apps'), 5)
    .option('--seed <n>', 'random seed (same seed, same tenant)', int('--seed'), 1)
    .option('--tenant <id>', 'tenant id')
    .option('--client-id <id>', 'client id of the app registration')
    .option('--client-secret <s>', 'its client secret', process.env.GRAPH_CLIENT_SECRET)
    .option('--permissions <list>', 'application permissions, comma-separated', 'User.Read.All,Group.Read.All,Directory.Read.All,Application.Read.All')
    .option('--token-ttl <s>', 'access-token lifetime in seconds', int('--token-ttl'), 3599)
    .option('--rate-limit <n>', 'Graph requests per second per app (0 = off); over it: 429 with Retry-After', int('--rate-limit'), 0)
    .option('--empty-pages <f>', 'share of non-final pages answered empty', fraction, 0)
    .option('--admin-token <t>', 'bearer token the /_admin API requires (default: none)')
    .option('--tls', 'serve HTTPS with a self-signed certificate (needs openssl; the Graph SDK only talks HTTPS)', false)
    .action(async (o: { port: number; users: number; groups: number; apps: number; seed: number; tenant?: string; clientId?: string; clientSecret?: string; permissions: string; tokenTtl: number; rateLimit: number; emptyPages: number; adminToken?: string; tls: boolean }) => {
      // Lazy for the same reason as the scim emulator above.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startGraphEmulator } = require('../../emulators/graph') as typeof import('../../emulators/graph');
      const emu = await startGraphEmulator({
        port: o.port,
        users: o.users,
        groups: o.groups,
        apps: o.apps,
        seed: o.seed,
        tenantId: o.tenant,
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        permissions: o.permissions.split(',').map((s) => s.trim()).filter(Boolean),
        tokenTtlSeconds: o.tokenTtl,
        throttle: o.rateLimit ? { limit: o.rateLimit, windowMs: 1000 } : undefined,
        emptyPageRate: o.emptyPages,
        adminToken: o.adminToken,
        tls: o.tls,
      });
      // The secret is the operator's own input (or the emulator default); it is not printed.
      process.stdout.write(`graph emulator: ${emu.url} (tenant ${emu.tenantId}, client ${emu.clientId}, ${o.users} users, ${o.groups} groups, ${o.apps} apps, seed ${o.seed})\n`);
      process.stdout.write(`  token: POST ${emu.tokenUrl}   graph: ${emu.graphUrl}   admin: ${emu.url}/_admin/tenant\n`);
      if (emu.ca) {
        // Clients trust it with NODE_EXTRA_CA_CERTS=<file> (or their own CA option).
        const { writeFileSync } = await import('node:fs');
        const { join } = await import('node:path');
        const { tmpdir } = await import('node:os');
        const caFile = join(tmpdir(), `graph-emulator-${emu.port}.pem`);
        writeFileSync(caFile, emu.ca);
        process.stdout.write(`  certificate: ${caFile}\n`);
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await emu.close();
    });
  return cmd;
}
