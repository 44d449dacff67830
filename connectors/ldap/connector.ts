// The `active-directory` and `ldap` connectors' operations: full and delta reads, reads by id,
// test(), and writes (create, attribute updates, enable/disable, delete, batched member links).
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ConnectorError } from '../errors';
import type { OpenedDefinition } from '../framework/define';
import type { ConnectorOps, LinkOutcome, WriteOutcome } from '../framework/spi';
import type { TestResult } from '../types';
import { anyClass, objectClass } from './classes';
import { adProfile, ldapProfile } from './profile';
import { DirectoryDeltas } from './delta';
import { DirectoryReader } from './read';
import { Redactor } from './redact';
import type { LdapConfig } from './schema';
import { LdapSession } from './session';
import { DirectoryWriter, type WriteResult } from './write';
/** The writer's projection-era answers in the framework's words. */
const ACTIONS: Record<WriteResult['action'], WriteOutcome['action']> = {
  created: 'created', updated: 'updated', moved: 'moved', unchanged: 'unchanged', activated: 'enabled', deactivated: 'disabled', deleted: 'deleted',
};
const outcome = (r: WriteResult): WriteOutcome => ({ targetId: r.targetId, action: ACTIONS[r.action] });

export function openDirectory(def: OpenedDefinition, cfg: LdapConfig): ConnectorOps {
  const profile = def.type === 'active-directory' ? adProfile : ldapProfile;
  // def.config is the definition as written: it tells which fields were references.
  const redact = new Redactor(def.config, cfg);
  const session = new LdapSession(def.name, def.type, cfg, redact);
  const reader = new DirectoryReader(session, profile, cfg);
  const deltas = new DirectoryDeltas(reader);
  const writer = new DirectoryWriter(session, profile, cfg, reader);
  // Last line of defence: whatever a server or socket echoes, a referenced value never leaves.
  const safe = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A): Promise<R> => f(...a).catch((e: unknown) => Promise.reject(redact.scrubError(e)));
  const members = (operation: 'add' | 'remove') => safe(async (_cls: string, parentId: string, childIds: string[]): Promise<LinkOutcome[]> => {
    const out: LinkOutcome[] = [];
    for (const childId of childIds) {
      try {
        await (operation === 'add' ? writer.addMember(parentId, childId) : writer.removeMember(parentId, childId));
        out.push({ childId, ok: true });
      } catch (e) {
        if (e instanceof ConnectorError && e.retryable) throw e;
        out.push({ childId, ok: false, error: redact.scrub(e instanceof Error ? e.message : String(e)) });
      }
    }
    return out;
  });

  return {
    readPage: safe((cls: string, cursor: string | null) => reader.readPage(anyClass(cls), cursor)),
    currentWatermark: safe(() => deltas.currentWatermark()),
    readChanges: safe((classes: string[], watermark: string, cursor: string | null) => deltas.readChanges(classes.map(anyClass), watermark, cursor)),
    getById: safe((cls: string, id: string) => reader.getById(objectClass(cls), id)),
    getLinks: safe((_cls: string, parentId: string) => reader.getLinks(parentId)),
    test: safe(async () => {
      const r = await probe(session, reader, def.type);
      return { ...r, message: redact.scrub(r.message) };
    }),
    // Attributes are the identity's (store) attributes: the directory's projection rules map them
    // to LDAP attributes and name the container, so one identity looks the same in every path.
    create: safe(async (cls, req) => {
      const resource = objectClass(cls);
      const r = outcome(await writer.create(resource, { id: req.key, attributes: req.attributes }));
      if (req.enabled === false && resource === 'users') await writer.deactivate(resource, r.targetId);
      return r;
    }),
    updateDelta: safe(async (cls, targetId, delta) => {
      const multi = Object.keys({ ...delta.add, ...delta.remove });
      if (multi.length) throw new ConnectorError('bad-request', `${def.name}: value adds/removes (${multi.join(', ')}) are not supported for directory attributes; replace the attribute instead`);
      return outcome(await writer.update(objectClass(cls), targetId, { id: targetId, attributes: delta.replace ?? {} }, true));
    }),
    setEnabled: safe(async (cls, targetId, enabled) => outcome(await (enabled ? writer.activate(objectClass(cls), targetId) : writer.deactivate(objectClass(cls), targetId)))),
    delete: safe(async (cls, targetId) => outcome(await writer.delete(objectClass(cls), targetId))),
    link: members('add'),
    unlink: members('remove'),
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
