// docker-compose.yml and scripts/temporal-server.sh describe one topology: images aside, the
// server config, ports, environment and schema steps they use must agree.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

type Env = Record<string, string | undefined>;
interface Service {
  image?: string;
  environment?: Env;
  ports?: string[];
  volumes?: string[];
  entrypoint?: string[];
  command?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const svc = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml: no service ${name}`);
  return s;
};
const script = read('scripts/temporal-server.sh');
const scriptVar = (name: string): string => {
  const m = new RegExp(`^${name}=(\\S+)$`, 'm').exec(script);
  if (!m) throw new Error(`scripts/temporal-server.sh: no ${name}=`);
  return m[1];
};

/** Renders the `{{ env "X" | default "v" [| quote] }}` templates the Temporal configs use. */
function render(file: string, env: Env): Record<string, unknown> {
  const text = read(file).replace(/\{\{\s*env "(\w+)"\s*\|\s*default "([^"]*)"\s*(\|\s*quote\s*)?\}\}/g, (_, k: string, d: string, q?: string) => {
    const v = env[k] ?? d;
    return q ? JSON.stringify(v) : v;
  });
  expect(text, `${file}: every template is of the rendered form`).not.toMatch(/\{\{/);
  return parse(text) as Record<string, unknown>;
}

interface ServerConfig {
  persistence: { datastores: Record<string, { sql: { connectAddr: string; user: string; password: string; databaseName: string; pluginName: string } }> };
  services: Record<string, { rpc: { grpcPort: number; bindOnIP: string } }>;
  clusterMetadata: { clusterInformation: { active: { rpcAddress: string } } };
}
const bare = render('deploy/temporal/production.yaml', {}) as unknown as ServerConfig;
const docker = render('deploy/temporal/production.yaml', svc('temporal').environment ?? {}) as unknown as ServerConfig;
const port = (hostPort: string) => Number(hostPort.split(':').pop());

describe('the production topology: script and docker-compose agree', () => {
  it('use the same Temporal and UI versions', () => {
    expect(scriptVar('server_version')).toBe('v1.29.1');
    for (const s of ['temporal', 'temporal-schema', 'temporal-setup']) expect(svc(s).image).toMatch(/:1\.29\.1$/);
    expect(svc('temporal-ui').image).toBe(`temporalio/ui:${scriptVar('ui_version').slice(1)}`);
  });

  it('run the server from deploy/temporal with PostgreSQL history and visibility', () => {
    expect(script).toContain('--config deploy/temporal --env production --allow-no-auth start');
    const ep = svc('temporal').entrypoint ?? [];
    expect(ep.join(' ')).toContain('--config /etc/tiger/temporal --env production --allow-no-auth start');
    expect(svc('temporal').volumes).toContain('./deploy/temporal:/etc/tiger/temporal:ro');
    for (const cfg of [bare, docker]) {
      const stores = Object.values(cfg.persistence.datastores).map((d) => d.sql);
      expect(stores.map((s) => s.pluginName)).toEqual(['postgres12', 'postgres12']);
      expect(stores.map((s) => s.databaseName)).toEqual(['temporal', 'temporal_visibility']);
    }
    // Bare metal: the local PostgreSQL the script migrates; compose: its postgres service.
    expect(bare.persistence.datastores['postgres-default'].sql.connectAddr).toBe('127.0.0.1:5432');
    expect(docker.persistence.datastores['postgres-default'].sql.connectAddr).toBe('postgres:5432');
    expect(docker.persistence.datastores['postgres-visibility'].sql.user).toBe(svc('postgres').environment?.POSTGRES_USER);
    expect(docker.persistence.datastores['postgres-visibility'].sql.password).toBe(svc('postgres').environment?.POSTGRES_PASSWORD);
  });

  it('expose the same frontend and UI ports, and every client is pointed at them', () => {
    const frontend = bare.services.frontend.rpc.grpcPort;
    expect(frontend).toBe(7333);
    expect(scriptVar('frontend')).toBe(`127.0.0.1:${frontend}`);
    expect(port(bare.clusterMetadata.clusterInformation.active.rpcAddress)).toBe(frontend);
    expect(bare.services.frontend.rpc.bindOnIP).toBe('127.0.0.1');
    expect(docker.services.frontend.rpc.bindOnIP).toBe('0.0.0.0');
    expect(svc('temporal').ports).toEqual([`${frontend}:${frontend}`]);
    for (const s of ['temporal-setup', 'temporal-ui', 'worker', 'server']) {
      expect(svc(s).environment?.TEMPORAL_ADDRESS, s).toBe(`temporal:${frontend}`);
    }
    const ports = Object.values(bare.services).map((s) => s.rpc.grpcPort);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).not.toContain(7233);

    const ui = render('deploy/temporal-ui/production.yaml', {}) as { port: number; temporalGrpcAddress: string; host: string };
    expect(ui.temporalGrpcAddress).toBe(scriptVar('frontend'));
    expect(ui.host).toBe('127.0.0.1');
    expect(scriptVar('ui_url')).toBe(`http://127.0.0.1:${ui.port}`);
    expect(svc('temporal-ui').environment?.TEMPORAL_UI_PORT).toBe(String(ui.port));
    expect(svc('temporal-ui').ports).toEqual([`${ui.port}:${ui.port}`]);
  });

  it('migrate the schema with the same steps and register the same search attributes', () => {
    expect(script).toContain('bash "$root/scripts/production/schema.sh"');
    expect(svc('temporal-schema').entrypoint).toEqual(['bash', '/tiger/scripts/production/schema.sh']);
    expect(svc('temporal-schema').volumes).toContain('./scripts/production:/tiger/scripts/production:ro');
    expect(svc('temporal-schema').environment?.SCHEMA_DIR).toMatch(/\/schema\/postgresql\/v12$/);
    expect(script).toMatch(/schema\/postgresql\/v12"/);
    // The schema tool reaches the database the server is configured with.
    const dbEnv = (s: string) => Object.fromEntries(Object.entries(svc(s).environment ?? {}).filter(([k]) => k.startsWith('TEMPORAL_DB_')));
    expect(dbEnv('temporal-schema')).toEqual(dbEnv('temporal'));
    const steps = read('scripts/production/schema.sh');
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema -d "$dir"']) expect(steps).toContain(step);
    expect(steps).toMatch(/migrate "\$\{TEMPORAL_DB:-temporal\}" temporal\n/);
    expect(steps).toMatch(/migrate "\$\{TEMPORAL_VISIBILITY_DB:-temporal_visibility\}" visibility\n/);

    expect(script).toContain('bash "$root/scripts/production/register.sh"');
    expect(svc('temporal-setup').entrypoint?.join(' ')).toContain('bash /tiger/scripts/production/register.sh');
    const listed = execFileSync('bash', [join(root, 'scripts/production/register.sh'), '--list'], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(SEARCH_ATTRIBUTES.map((a) => a.name));
  });

  it('give workers and the server the variables the code reads', () => {
    const env = execFileSync('bash', [join(root, 'scripts/temporal-server.sh'), 'env'], { encoding: 'utf8' });
    expect(env).toContain(`TEMPORAL_ADDRESS=${scriptVar('frontend')}`);
    for (const s of ['worker', 'server']) {
      const e = svc(s).environment ?? {};
      expect(e.TEMPORAL_NAMESPACE, s).toBe('default');
      expect(e.TIGER_TASK_QUEUE, s).toBe('tiger-sync');
      expect(e.DATABASE_URL, s).toMatch(/^postgres:\/\/postgres:.*@postgres:5432\/tiger$/);
    }
    expect(read('deploy/postgres-init.sql')).toContain('CREATE DATABASE tiger;');
  });
});
