// One open SQL connector's shared state: its config, dialect, the pool (opened at first use) and
// the plan (config resolved against the database, made once). Every statement goes through
// `run`, which turns a driver error into a ConnectorError naming the config field at fault and
// never repeating the password.

import { ConnectorError } from '../errors';
import type { SqlConfig } from './config';
import { dialectOf, parseAdoNet } from './connection-string';
import { dialectNamed, type Dialect, type QueryResult, type SqlSession } from './dialects';
import { makePlan, type Plan } from './plan';
import type { Statement } from './queries';

export interface SqlContext {
  label: string;
  config: SqlConfig;
  dialect: Dialect;
  /** `probing`: any refusal that is not about the login or the network is the field's fault
   *  (a zero-row probe of the source fails only on what the source is). */
  run(stmt: Statement, field: string, probing?: boolean): Promise<QueryResult>;
  plan(): Promise<Plan>;
  close(): Promise<void>;
}

/** The password inside a connection string, so a driver message that repeats it can be cut. */
function passwordIn(cs: string): string | undefined {
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(cs.trim())) {
      const p = new URL(cs.trim()).password;
      return p ? decodeURIComponent(p) : undefined;
    }
    return parseAdoNet(cs).get('password') || undefined;
  } catch {
    return undefined;
  }
}

export function createContext(name: string, config: SqlConfig): SqlContext {
  const label = `sql connector "${name}"`;
  const dialect = dialectNamed(dialectOf(config.connectionString));
  const password = passwordIn(config.connectionString);
  const scrub = (text: string) => {
    let out = text.split(config.connectionString).join('(connection string)');
    if (password && password.length >= 3) out = out.split(password).join('***');
    return out;
  };
  let session: SqlSession | undefined;
  let plan: Promise<Plan> | undefined;

  const open = (): SqlSession => {
    if (session) return session;
    try {
      session = dialect.open(config.connectionString);
    } catch (err) {
      throw new ConnectorError('config', `${label}: config.connectionString ${scrub((err as Error).message)}`);
    }
    return session;
  };

  const run = async (stmt: Statement, field: string, probing = false): Promise<QueryResult> => {
    const s = open();
    try {
      return await s.query(stmt.sql, stmt.params);
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      // A pool's "no connection" error carries the server's own answer as its cause.
      const why = scrub(`${err instanceof Error ? err.message : String(err)}${cause instanceof Error ? ` (${cause.message})` : ''}`);
      const kind = dialect.failure(err);
      switch (probing && (kind === 'other' || kind === 'bad-value') ? 'syntax' : kind) {
        case 'missing-object':
        case 'syntax':
          throw new ConnectorError('config', `${label}: config.${field}: the database refused the statement: ${why}`);
        case 'auth':
          throw new ConnectorError('auth', `${label}: config.connectionString: the database refused the login, database or permission: ${why}`);
        case 'unreachable':
          throw new ConnectorError('transient', `${label}: cannot reach the database of config.connectionString: ${why}`);
        case 'bad-value':
          throw new ConnectorError('bad-request', `${label}: a value does not fit its column (${field}): ${why}`);
        default:
          throw new ConnectorError('transient', `${label}: ${why}`);
      }
    }
  };

  const ctx: SqlContext = {
    label,
    config,
    dialect,
    run,
    plan() {
      plan ??= makePlan(label, config, dialect, run).catch((err: unknown) => {
        // A database that was down is asked again next time; a config mistake fails again, as it should.
        plan = undefined;
        throw err;
      });
      return plan;
    },
    async close() {
      const s = session;
      session = undefined;
      plan = undefined;
      await s?.close();
    },
  };
  return ctx;
}
