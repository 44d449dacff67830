// One bound LDAP connection per connector instance, opened lazily, with every failure turned into
// a typed ConnectorError that names the step. The bind password goes to the server and nowhere else.
import { readFileSync } from 'node:fs';
import { Client, Control, ResultCodeError, type Change, type Entry, type SearchOptions } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import { ConnectorError, type ConnectorErrorKind } from '../errors';
import type { LdapConfig } from './schema';

export type Step = 'TCP' | 'TLS' | 'bind' | 'search base' | 'search' | 'write';

export const SHOW_DELETED = '1.2.840.113556.1.4.417';

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO|certificate|handshake/i;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export class LdapSession {
  private client: Client | null = null;
  constructor(
    readonly connector: string,
    readonly type: string,
    readonly cfg: LdapConfig,
  ) {}

  get port(): number {
    return this.cfg.port ?? (this.cfg.useSsl ? 636 : 389);
  }
  get url(): string {
    return `${this.cfg.useSsl ? 'ldaps' : 'ldap'}://${this.cfg.host}:${this.port}`;
  }

  tlsOptions(): ConnectionOptions {
    const opts: ConnectionOptions = { rejectUnauthorized: this.cfg.rejectUnauthorized, servername: isIp(this.cfg.host) ? undefined : this.cfg.host };
    if (this.cfg.caFile) {
      try {
        opts.ca = readFileSync(this.cfg.caFile);
      } catch {
        throw new ConnectorError('config', `${this.connector}: caFile ${this.cfg.caFile} cannot be read`, { connector: this.connector, step: 'TLS' });
      }
    }
    return opts;
  }

  async open(): Promise<Client> {
    if (this.client?.isConnected && this.client.isBound) return this.client;
    await this.close();
    const client = new Client({
      url: this.url,
      connectTimeout: this.cfg.connectTimeoutMs,
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
        throw this.toError(e, 'bind');
      }
    } catch (e) {
      await client.unbind().catch(() => undefined);
      throw e;
    }
    this.client = client;
    return client;
  }

  async search(base: string, options: SearchOptions, controls?: Control[], resource?: string): Promise<Entry[]> {
    const client = await this.open();
    try {
      return (await client.search(base, options, controls)).searchEntries;
    } catch (e) {
      throw await this.fail(e, 'search', resource);
    }
  }

  /** Paged-results search; a failure part-way throws (never a short result). */
  async *pages(base: string, options: SearchOptions, controls?: Control[], resource?: string): AsyncGenerator<Entry[]> {
    const client = await this.open();
    const it = client.searchPaginated(base, { ...options, paged: { pageSize: this.cfg.pageSize } }, controls);
    while (true) {
      let next: IteratorResult<{ searchEntries: Entry[] }>;
      try {
        next = await it.next();
      } catch (e) {
        throw await this.fail(e, 'search', resource);
      }
      if (next.done) return;
      yield next.value.searchEntries;
    }
  }

  /** All values of a multi-valued attribute, following AD's `attr;range=lo-hi` windows. */
  async rangedValues(dn: string, attr: string, entry: Entry | null): Promise<string[]> {
    const values: string[] = [];
    let lo = 0;
    let current = entry;
    for (;;) {
      if (!current) {
        const [e] = await this.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [`${attr};range=${lo}-${lo + this.cfg.rangeSize - 1}`] });
        if (!e) throw new ConnectorError('transient', `${this.connector}: ${dn} vanished while its ${attr} values were read`, { connector: this.connector });
        current = e;
      }
      const range = parseRangedAttribute(current, attr);
      if (!range) {
        const plain = current[attr];
        if (plain !== undefined) values.push(...asStrings(plain));
        return values;
      }
      values.push(...range.values);
      if (range.end === '*') return values;
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

  toError(e: unknown, step: Step, resource?: string): ConnectorError {
    if (e instanceof ConnectorError) return e;
    const details = { connector: this.connector, resource, step };
    const where = `${this.connector} (${this.type}, ${this.url})`;
    if (e instanceof ResultCodeError) {
      const kind = kindForResultCode(e.code, step);
      const what = step === 'bind' && e.code === 49 ? `bind as ${this.cfg.bindDn} was refused: invalid credentials` : `${step} failed with LDAP result ${e.code}: ${e.message}`;
      return new ConnectorError(kind, `${where}: ${what}`, { ...details, status: e.code });
    }
    const err = e as NodeJS.ErrnoException;
    const text = `${err?.code ?? ''} ${err?.message ?? String(e)}`;
    if (TLS_CODES.test(text) && !NETWORK_CODES.has(err?.code ?? '')) {
      return new ConnectorError('config', `${where}: TLS failed: ${err?.message ?? e} (check caFile / rejectUnauthorized)`, { ...details, step: 'TLS' });
    }
    const connectStep: Step = step === 'bind' && !this.client ? 'TCP' : step;
    return new ConnectorError('transient', `${where}: ${connectStep} failed: ${err?.message ?? e}`, { ...details, step: connectStep });
  }
}

function kindForResultCode(code: number, step: Step): ConnectorErrorKind {
  if (code === 49 || code === 48 || code === 7 || code === 8 || code === 13) return 'auth';
  if (code === 50) return 'forbidden';
  if (code === 32) return step === 'write' ? 'not-found' : 'config';
  if (code === 3 || code === 51 || code === 52 || code === 80) return 'transient';
  return 'bad-request';
}

export function parseRangedAttribute(entry: Entry, attr: string): { values: string[]; end: number | '*' } | null {
  const prefix = `${attr.toLowerCase()};range=`;
  for (const key of Object.keys(entry)) {
    if (!key.toLowerCase().startsWith(prefix)) continue;
    const m = /^(\d+)-(\d+|\*)$/.exec(key.slice(prefix.length));
    if (!m) continue;
    return { values: asStrings(entry[key]), end: m[2] === '*' ? '*' : Number(m[2]) };
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
