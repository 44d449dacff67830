// The `active-directory` and `ldap` connectors: full and delta reads, reads by id, test(), writes.
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectorDefinition } from '../../config/types';
import type { Connector, Resource, TestResult } from '../types';
import { ConnectorError } from '../errors';
import { adProfile, ldapProfile } from './profile';
import { DirectoryReader } from './read';
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

export function createLdapConnector(def: Pick<ConnectorDefinition, 'name' | 'type'>, config: LdapConfig | LdapConfigInput): Connector {
  if (def.type !== 'active-directory' && def.type !== 'ldap') throw new ConnectorError('config', `${def.name}: type ${def.type} is not a directory type`, { connector: def.name });
  const cfg = parseLdapConfig(def.name, config);
  const profile = def.type === 'active-directory' ? adProfile : ldapProfile;
  const session = new LdapSession(def.name, def.type, cfg);
  const reader = new DirectoryReader(session, profile, cfg);
  const writer = new DirectoryWriter(session, profile, cfg, reader);

  return {
    type: def.type,
    resources: RESOURCES,
    readPage: (resource, cursor) => reader.readPage(resource, cursor),
    currentWatermark: () => reader.currentWatermark(),
    readChanges: (resources, watermark, cursor) => reader.readChanges(resources, watermark, cursor),
    getById: (resource, id) => reader.getById(resource, id),
    getLinks: (_resource, parentId) => reader.getLinks(parentId),
    test: () => probe(session, reader, def.type),
    create: (resource, obj) => writer.create(resource, obj),
    update: (resource, id, obj) => writer.update(resource, id, obj),
    deactivate: (resource, id) => writer.deactivate(resource, id),
    activate: (resource, id) => writer.activate(resource, id),
    delete: (resource, id) => writer.delete(resource, id),
    addMember: (g, m) => writer.addMember(g, m),
    removeMember: (g, m) => writer.removeMember(g, m),
    close: () => session.close(),
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
      throw new ConnectorError('transient', `TCP connection to ${cfg.host}:${session.port} failed: ${e.message}`, { step: 'TCP' });
    });
    if (cfg.useSsl) {
      await new Promise<void>((resolve, reject) => {
        const sock = tlsConnect({ host: cfg.host, port: session.port, timeout: cfg.connectTimeoutMs, ...session.tlsOptions() });
        sock.once('secureConnect', () => (sock.end(), resolve()));
        sock.once('timeout', () => (sock.destroy(), reject(new Error('handshake timed out'))));
        sock.once('error', reject);
      }).catch((e: Error) => {
        throw new ConnectorError('config', `TLS handshake with ${cfg.host}:${session.port} failed: ${e.message}`, { step: 'TLS' });
      });
    }
    await session.open();
    await session.search(cfg.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }).catch((e: ConnectorError) => {
      throw new ConnectorError(e.kind, `search base ${cfg.baseDn} failed: ${e.message}`, { step: 'search base' });
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
