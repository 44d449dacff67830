// The `active-directory` and `ldap` connectors: full and delta reads, reads by id, test(), writes.
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectorDefinition } from '../../config/types';
import type { Connector, LinkResource, ObjectResource, Resource, TestResult, WriteObject } from '../types';
import { ConnectorError } from '../errors';
import { adProfile, ldapProfile } from './profile';
import { DirectoryDeltas } from './delta';
import { DirectoryReader } from './read';
import { Redactor } from './redact';
import { ldapConfigSchema, type LdapConfig, type LdapConfigInput } from './schema';
import { LdapSession } from './session';
import { DirectoryWriter } from './write';

export { ldapConfigSchema, type LdapConfig } from './schema';
export { projectIdentities, type ProjectionItem, type ProjectionOutcome } from './write';

const RESOURCES: readonly Resource[] = ['users', 'groups', 'memberships'];

export function parseLdapConfig(name: string, config: unknown): LdapConfig {
  const r = ldapConfigSchema.safeParse(config);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `config.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConnectorError('config', `${name}: ${issues}`, { connector: name });
  }
  return r.data;
}

export function createLdapConnector(def: Pick<ConnectorDefinition, 'name' | 'type'> & { config?: unknown }, config: LdapConfig | LdapConfigInput): Connector {
  if (def.type !== 'active-directory' && def.type !== 'ldap') throw new ConnectorError('config', `${def.name}: type ${def.type} is not a directory type`, { connector: def.name });
  const cfg = parseLdapConfig(def.name, config);
  const profile = def.type === 'active-directory' ? adProfile : ldapProfile;
  // def.config is the definition as written: it tells which fields were references.
  const redact = new Redactor(def.config, cfg);
  const session = new LdapSession(def.name, def.type, cfg, redact);
  const reader = new DirectoryReader(session, profile, cfg);
  const deltas = new DirectoryDeltas(reader);
  const writer = new DirectoryWriter(session, profile, cfg, reader);
  // Last line of defence: whatever a server or socket echoes, a referenced value never leaves.
  const safe = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A): Promise<R> => f(...a).catch((e: unknown) => Promise.reject(redact.scrubError(e)));

  return {
    type: def.type,
    resources: RESOURCES,
    readPage: safe((resource: Resource, cursor: string | null) => reader.readPage(resource, cursor)),
    currentWatermark: safe(() => deltas.currentWatermark()),
    readChanges: safe((resources: Resource[], watermark: string, cursor: string | null) => deltas.readChanges(resources, watermark, cursor)),
    getById: safe((resource: ObjectResource, id: string) => reader.getById(resource, id)),
    getLinks: safe((_resource: LinkResource, parentId: string) => reader.getLinks(parentId)),
    test: safe(async () => {
      const r = await probe(session, reader, def.type);
      return { ...r, message: redact.scrub(r.message) };
    }),
    create: safe((resource: ObjectResource, obj: WriteObject) => writer.create(resource, obj)),
    update: safe((resource: ObjectResource, id: string, obj: WriteObject) => writer.update(resource, id, obj)),
    deactivate: safe((resource: ObjectResource, id: string) => writer.deactivate(resource, id)),
    activate: safe((resource: ObjectResource, id: string) => writer.activate(resource, id)),
    delete: safe((resource: ObjectResource, id: string) => writer.delete(resource, id)),
    addMember: safe((g: string, m: string) => writer.addMember(g, m)),
    removeMember: safe((g: string, m: string) => writer.removeMember(g, m)),
    close: async () => {
      await reader.scans.closeAll();
      await session.close();
    },
  };
}

/** Walks TCP → TLS → bind → search base → counts, so a failure names the step that broke. */
async function probe(session: LdapSession, reader: DirectoryReader, connectorType: string): Promise<TestResult> {
  const started = Date.now();
  const details = { connectorType, usersFound: 0, groupsFound: 0, latency: 0 };
  const cfg = session.cfg;
  try {
    await new Promise<void>((resolve, reject) => {
      const sock = tcpConnect({ host: cfg.host, port: session.port, timeout: cfg.connectTimeoutMs });
      sock.once('connect', () => (sock.end(), resolve()));
      sock.once('timeout', () => (sock.destroy(), reject(new Error(`no answer within ${cfg.connectTimeoutMs} ms`))));
      sock.once('error', reject);
    }).catch((e: Error) => {
      throw new ConnectorError('transient', `TCP connection to ${session.redact.show('host', cfg.host)}:${session.port} failed: ${e.message}`, { step: 'TCP' });
    });
    if (cfg.useSsl) {
      await new Promise<void>((resolve, reject) => {
        const sock = tlsConnect({ host: cfg.host, port: session.port, timeout: cfg.connectTimeoutMs, ...session.tlsOptions() });
        sock.once('secureConnect', () => (sock.end(), resolve()));
        sock.once('timeout', () => (sock.destroy(), reject(new Error('handshake timed out'))));
        sock.once('error', reject);
      }).catch((e: Error) => {
        throw new ConnectorError('config', `TLS handshake with ${session.redact.show('host', cfg.host)}:${session.port} failed: ${e.message}`, { step: 'TLS' });
      });
    }
    await session.open();
    await session.search(cfg.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }).catch((e: ConnectorError) => {
      throw new ConnectorError(e.kind, `search base ${session.redact.show('baseDn', cfg.baseDn)} failed: ${e.message}`, { step: 'search base' });
    });
    for (const resource of ['users', 'groups'] as const) {
      const { base, filter } = reader.scope(resource);
      let n = 0;
      for await (const page of session.pages(base, { scope: 'sub', filter, attributes: ['1.1'] }, undefined, resource)) n += page.length;
      if (resource === 'users') details.usersFound = n;
      else details.groupsFound = n;
    }
    details.latency = Date.now() - started;
    return { status: 'success', message: 'Connection successful', details };
  } catch (e) {
    details.latency = Date.now() - started;
    const err = e instanceof ConnectorError ? e : session.toError(e, 'search');
    const step = err.details.step ?? 'search';
    const message = err.message.startsWith(step) ? err.message : `${step} failed: ${err.message}`;
    return { status: 'failure', message, details };
  }
}
