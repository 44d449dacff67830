// One bound LDAP connection per connector instance, opened lazily, with every failure turned into
// a typed ConnectorError that names the step. The bind password goes to the server and nowhere else.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Control, ResultCodeError, type Change, type Entry, type SearchOptions } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import { ConnectorError, type ConnectorErrorKind } from '../errors';
import { PagedScan, type ScanSpec } from './paged';
import type { Redactor } from './redact';
import type { LdapConfig } from './schema';

export type Step = 'TCP' | 'TLS' | 'bind' | 'search base' | 'search' | 'write';

export const SHOW_DELETED = '1.2.840.113556.1.4.417';
/** 10,000 windows of 1,500 = 15 million values: far beyond any real group, short of forever. */
export const MAX_RANGE_WINDOWS = 10_000;

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO|certificate|handshake/i;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export class LdapSession {
  private client: Client | null = null;
  constructor(
    readonly connector: string,
    readonly type: string,
    readonly cfg: LdapConfig,
    readonly redact: Redactor,
  ) {}

  get port(): number {
    return this.cfg.port ?? (this.cfg.useSsl ? 636 : 389);
  }
  get url(): string {
    return `${this.cfg.useSsl ? 'ldaps' : 'ldap'}://${this.cfg.host}:${this.port}`;
  }
  /** The url for messages: a host that came from a reference is named, not shown. */
  get shownUrl(): string {
    return `${this.cfg.useSsl ? 'ldaps' : 'ldap'}://${this.redact.show('host', this.cfg.host)}:${this.port}`;
  }

  tlsOptions(): ConnectionOptions {
    const opts: ConnectionOptions = { rejectUnauthorized: this.cfg.rejectUnauthorized, servername: isIp(this.cfg.host) ? undefined : this.cfg.host };
    if (this.cfg.caFile) {
      try {
        opts.ca = readFileSync(this.cfg.caFile);
      } catch {
        throw new ConnectorError('config', `${this.connector}: config.caFile ${this.redact.show('caFile', this.cfg.caFile)} cannot be read`, { connector: this.connector, step: 'TLS' });
      }
    }
    return opts;
  }

  async open(): Promise<Client> {
    if (this.client?.isConnected && this.client.isBound) return this.client;
    await this.close();
    this.client = await this.connect();
    return this.client;
  }

  /** A new bound connection, owned by the caller (a paged scan keeps one of its own). */
  async connect(): Promise<Client> {
    const client = new Client({
      url: this.url,
      connectTimeout: this.cfg.connectTimeoutMs,
      // Every request, bind included, fails after this long even when the server never answers,
      // so a batch's time bound holds.
      timeout: this.cfg.timeoutMs,
      tlsOptions: this.cfg.useSsl ? this.tlsOptions() : undefined,
      strictDN: false,
    });
    try {
      if (this.cfg.startTls) {
        try {
          await client.startTLS(this.tlsOptions());
        } catch (e) {
          throw this.toError(e, isNetwork(e) ? 'TCP' : 'TLS');
        }
      }
      try {
        await client.bind(this.cfg.bindDn, this.cfg.bindPassword);
      } catch (e) {
        throw this.toError(e, 'bind', undefined, true);
      }
    } catch (e) {
      await client.unbind().catch(() => undefined);
      throw e;
    }
    return client;
  }

  /** The server-side limit (seconds) sent with every search, next to the client's own timeout. */
  get timeLimit(): number {
    return Math.max(1, Math.ceil(this.cfg.timeoutMs / 1000));
  }

  async search(base: string, options: SearchOptions, controls?: Control[], resource?: string): Promise<Entry[]> {
    const client = await this.open();
    try {
      return (await client.search(base, { timeLimit: this.timeLimit, ...options }, controls)).searchEntries;
    } catch (e) {
      throw await this.fail(e, 'search', resource);
    }
  }

  /** A whole paged-results listing; a failure part-way throws (never a short result). */
  async *pages(base: string, options: SearchOptions, controls?: Control[], resource?: string): AsyncGenerator<Entry[]> {
    const scan = await this.newScan('listing', { base, options, controls });
    try {
      for (;;) {
        let page: { entries: Entry[]; final: boolean };
        try {
          page = await scan.next();
        } catch (e) {
          throw this.toError(e, 'search', resource);
        }
        yield page.entries;
        if (page.final) return;
      }
    } finally {
      await scan.close();
    }
  }

  /** A paged search on a new connection of its own (see paged.ts for why). */
  async newScan(key: string, spec: ScanSpec): Promise<PagedScan> {
    const client = await this.connect();
    return new PagedScan(randomUUID(), key, client, { ...spec, options: { timeLimit: this.timeLimit, ...spec.options } }, this.cfg.pageSize);
  }

  /** All values of a multi-valued attribute, following AD's `attr;range=lo-hi` windows. An empty
   *  window, or one with fewer values than its width, is the last one: for an empty group ldapts
   *  hands back the requested `member;range=0-1499` key with no values, which read as "more from
   *  1500" would ask forever. */
  async rangedValues(dn: string, attr: string, entry: Entry | null): Promise<string[]> {
    const values: string[] = [];
    let lo = 0;
    let current = entry;
    for (let windows = 0; ; windows++) {
      if (windows >= MAX_RANGE_WINDOWS) {
        throw new ConnectorError('bad-request', `${this.connector}: ${dn}: ${attr} still had more values after ${MAX_RANGE_WINDOWS} range windows (config.rangeSize ${this.cfg.rangeSize}); expected the server to end the range with "*"`, { connector: this.connector, resource: 'memberships' });
      }
      if (!current) {
        const [e] = await this.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [`${attr};range=${lo}-${lo + this.cfg.rangeSize - 1}`] }, undefined, 'memberships');
        if (!e) throw new ConnectorError('transient', `${this.connector}: ${dn} vanished while its ${attr} values were read`, { connector: this.connector, resource: 'memberships' });
        current = e;
      }
      const range = parseRangedAttribute(current, attr);
      if (!range) {
        const plain = current[attr];
        if (plain !== undefined) values.push(...asStrings(plain));
        return values;
      }
      values.push(...range.values);
      if (range.end === '*' || range.values.length === 0 || range.values.length < range.end - range.start + 1) return values;
      lo = range.end + 1;
      current = null;
    }
  }

  async write(op: (c: Client) => Promise<void>, resource?: string): Promise<void> {
    const client = await this.open();
    try {
      await op(client);
    } catch (e) {
      throw await this.fail(e, 'write', resource);
    }
  }

  modify(dn: string, changes: Change[]): Promise<void> {
    return this.write((c) => c.modify(dn, changes));
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.unbind().catch(() => undefined);
  }

  private async fail(e: unknown, step: Step, resource?: string): Promise<ConnectorError> {
    const err = this.toError(e, step, resource);
    // A broken connection is dropped so the retry starts on a fresh, re-bound one.
    if (err.kind === 'transient') await this.close();
    return err;
  }

  /** `connecting`: the error came from opening a connection, so a non-LDAP failure is the TCP step. */
  toError(e: unknown, step: Step, resource?: string, connecting = false): ConnectorError {
    if (e instanceof ConnectorError) return this.redact.scrubError(e);
    const details = { connector: this.connector, resource, step };
    const where = `${this.connector} (${this.type}, ${this.shownUrl})`;
    let out: ConnectorError;
    if (e instanceof ResultCodeError) {
      const kind = kindForResultCode(e.code, step);
      const what = step === 'bind' && e.code === 49 ? `bind as ${this.redact.show('bindDn', this.cfg.bindDn)} was refused: invalid credentials (config.bindDn / config.bindPassword)` : `${step} failed with LDAP result ${e.code}: ${e.message}`;
      out = new ConnectorError(kind, `${where}: ${what}`, { ...details, status: e.code });
    } else {
      const err = e as NodeJS.ErrnoException;
      const text = `${err?.code ?? ''} ${err?.message ?? String(e)}`;
      if (TLS_CODES.test(text) && !NETWORK_CODES.has(err?.code ?? '')) {
        out = new ConnectorError('config', `${where}: TLS failed: ${err?.message ?? e} (check config.caFile / config.rejectUnauthorized)`, { ...details, step: 'TLS' });
      } else {
        const connectStep: Step = step === 'bind' && connecting ? 'TCP' : step;
        out = new ConnectorError('transient', `${where}: ${connectStep} failed: ${err?.message ?? e}`, { ...details, step: connectStep });
      }
    }
    return this.redact.scrubError(out);
  }
}

function kindForResultCode(code: number, step: Step): ConnectorErrorKind {
  if (code === 49 || code === 48 || code === 7 || code === 8 || code === 13) return 'auth';
  if (code === 50) return 'forbidden';
  if (code === 32) return step === 'write' ? 'not-found' : 'config';
  if (code === 3 || code === 51 || code === 52 || code === 80) return 'transient';
  return 'bad-request';
}

export function parseRangedAttribute(entry: Entry, attr: string): { values: string[]; start: number; end: number | '*' } | null {
  const prefix = `${attr.toLowerCase()};range=`;
  for (const key of Object.keys(entry)) {
    if (!key.toLowerCase().startsWith(prefix)) continue;
    const m = /^(\d+)-(\d+|\*)$/.exec(key.slice(prefix.length));
    if (!m) continue;
    return { values: asStrings(entry[key]), start: Number(m[1]), end: m[2] === '*' ? '*' : Number(m[2]) };
  }
  return null;
}

export function asStrings(v: Entry[string] | undefined): string[] {
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : x));
}

const isIp = (h: string): boolean => /^[\d.]+$/.test(h) || h.includes(':');
const isNetwork = (e: unknown): boolean => NETWORK_CODES.has((e as NodeJS.ErrnoException)?.code ?? '');

export const showDeletedControl = (): Control => new Control(SHOW_DELETED, { critical: true });
