// Opaque page and delta tokens. Everything a follow-up request needs is inside the token (position,
// page size, `$select`, the delta window), so any number of clients can page at once and the server
// keeps no per-cursor state; clients must not read them, and a prefix makes that obvious.

import { badRequest } from './errors';

const PREFIX = 'RU1V';

export function encodeToken(payload: object): string {
  return PREFIX + Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeToken<T>(raw: string, what: '$skiptoken' | '$deltatoken'): T {
  if (!raw.startsWith(PREFIX)) throw badRequest(`Invalid ${what} value.`);
  try {
    const v = JSON.parse(Buffer.from(raw.slice(PREFIX.length), 'base64url').toString('utf8')) as unknown;
    if (!v || typeof v !== 'object') throw new Error('not an object');
    return v as T;
  } catch {
    throw badRequest(`Invalid ${what} value.`);
  }
}

/** A link on this server with Graph's literal `$` option names. */
export function link(base: string, path: string, params: Record<string, string | number | undefined>): string {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `${base}/v1.0/${path}${q ? `?${q}` : ''}`;
}
