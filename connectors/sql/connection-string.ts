// Which database a connection string names, and its parts. ADO.NET key=value pairs
// (`Server=…;Database=…;User Id=…;Password=…`) are SQL Server; `postgres://` / `postgresql://`
// URLs are PostgreSQL; `mysql://` / `mariadb://` URLs are MariaDB (or MySQL). Errors say what
// is wrong and never quote the string: it holds a password once references are resolved.

export type DialectName = 'postgres' | 'mariadb' | 'mssql';

export function dialectOf(s: string): DialectName {
  const t = s.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(t)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'mysql' || scheme === 'mariadb') return 'mariadb';
  if (scheme) throw new Error(`has the scheme ${scheme}://, which is not supported (use postgres://, mariadb://, mysql:// or an ADO.NET string Server=…;Database=…)`);
  const pairs = parseAdoNet(t);
  if (!pairs.has('server')) throw new Error('is neither a postgres://, mariadb:// or mysql:// URL nor an ADO.NET string with Server=… (SQL Server)');
  return 'mssql';
}

/** Names ADO.NET accepts for one setting, by the name used here. */
const ADO_SYNONYMS: Record<string, string> = {
  server: 'server', 'data source': 'server', address: 'server', addr: 'server', 'network address': 'server',
  database: 'database', 'initial catalog': 'database',
  'user id': 'user', uid: 'user', user: 'user', 'user name': 'user', username: 'user',
  password: 'password', pwd: 'password',
  encrypt: 'encrypt', trustservercertificate: 'trustServerCertificate', 'trust server certificate': 'trustServerCertificate',
  'connect timeout': 'connectTimeout', 'connection timeout': 'connectTimeout', timeout: 'connectTimeout',
  'integrated security': 'integratedSecurity', trusted_connection: 'integratedSecurity',
  'application name': 'appName', app: 'appName',
};

/** `key=value;…` with values optionally in {braces} or "quotes" (so they may hold `;`). Keys are
 *  lower-cased and mapped to one name per setting; an unknown key is an error naming it. */
export function parseAdoNet(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === ';' || /\s/.test(s[i]!))) i++;
    if (i >= s.length) break;
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error('has a part without "=" (expected key=value pairs separated by ";")');
    const key = s.slice(i, eq).trim().toLowerCase().replace(/\s+/g, ' ');
    i = eq + 1;
    while (i < s.length && s[i] === ' ') i++;
    let value: string;
    const open = s[i];
    if (open === '{' || open === '"' || open === "'") {
      const close = open === '{' ? '}' : open;
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= s.length) throw new Error(`has an unclosed ${open} in the value of ${key}`);
        if (s[j] === close) {
          // A doubled closing character stands for itself.
          if (s[j + 1] === close) {
            v += close;
            j += 2;
            continue;
          }
          break;
        }
        v += s[j];
        j++;
      }
      value = v;
      i = j + 1;
      while (i < s.length && s[i] !== ';') {
        if (!/\s/.test(s[i]!)) throw new Error(`has text after the quoted value of ${key}`);
        i++;
      }
    } else {
      const end = s.indexOf(';', i);
      value = (end < 0 ? s.slice(i) : s.slice(i, end)).trim();
      i = end < 0 ? s.length : end;
    }
    const name = ADO_SYNONYMS[key];
    if (!name) throw new Error(`has the key "${key}", which is not supported (known: Server, Database, User Id, Password, Encrypt, TrustServerCertificate, Connect Timeout, Application Name)`);
    out.set(name, value);
  }
  return out;
}

export interface MssqlTarget {
  server: string;
  port?: number;
  instanceName?: string;
  database?: string;
  user?: string;
  password?: string;
  encrypt: boolean;
  trustServerCertificate: boolean;
  connectTimeoutMs?: number;
  appName?: string;
}

const yes = (v: string | undefined, fallback: boolean, key: string): boolean => {
  if (v === undefined || v === '') return fallback;
  const t = v.toLowerCase();
  if (['true', 'yes', 'mandatory', 'strict', '1'].includes(t)) return true;
  if (['false', 'no', 'optional', '0'].includes(t)) return false;
  throw new Error(`has ${key}= with a value that is not true or false`);
};

export function mssqlTarget(s: string): MssqlTarget {
  const p = parseAdoNet(s);
  if (yes(p.get('integratedSecurity'), false, 'Integrated Security')) {
    throw new Error('asks for Integrated Security, which a Node.js worker cannot use; give User Id and Password (SQL authentication)');
  }
  // tcp:host,port | host\instance | host,port
  const raw = (p.get('server') ?? '').replace(/^tcp:/i, '').trim();
  if (!raw) throw new Error('has an empty Server=');
  const [hostPart, portPart] = raw.split(',').map((x) => x.trim());
  let port: number | undefined;
  if (portPart !== undefined) {
    port = Number(portPart);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('has a Server= port that is not a number from 1 to 65535');
  }
  const [host, instanceName] = hostPart!.split('\\');
  const timeout = p.get('connectTimeout');
  const seconds = timeout === undefined ? undefined : Number(timeout);
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0)) throw new Error('has a Connect Timeout= that is not a number of seconds');
  return {
    server: host === '.' || host?.toLowerCase() === '(local)' ? 'localhost' : host!,
    port,
    instanceName: instanceName || undefined,
    database: p.get('database') || undefined,
    user: p.get('user') || undefined,
    password: p.get('password'),
    encrypt: yes(p.get('encrypt'), true, 'Encrypt'),
    trustServerCertificate: yes(p.get('trustServerCertificate'), false, 'TrustServerCertificate'),
    connectTimeoutMs: seconds === undefined ? undefined : seconds * 1000,
    appName: p.get('appName'),
  };
}

export interface UrlTarget {
  host: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
}

/** mysql:// / mariadb:// URLs (user and password percent-decoded). */
export function urlTarget(s: string): UrlTarget {
  let url: URL;
  try {
    url = new URL(s.trim());
  } catch {
    throw new Error('is not a valid URL (expected mariadb://user:password@host:3306/database)');
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: url.port ? Number(url.port) : undefined,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database,
  };
}
