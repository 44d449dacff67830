// The 403 rule: a page read the credential may not make is not a failed sync, it is an
// incomplete one. The read goes on without that resource, and the warning's `incomplete` flag
// makes the deletion guard keep every object of it, since a missing object proves nothing.

import type { IncomingHttpHeaders } from 'node:http';
import { ConnectorError } from '../errors';
import type { ReadPageResult, ReadWarning, Resource } from '../types';
import { parseVendorError } from './error-map';

export interface ForbiddenInfo {
  /** Path of the refused request (never its query). */
  endpoint?: string;
  /** The vendor's error code (E0000006, Authorization_RequestDenied, …). */
  code?: string;
  summary?: string;
  /** The missing scope or permission, when the server names it (WWW-Authenticate
   *  `error="insufficient_scope", scope="…"`, or a `scope` field in the body). */
  missing?: string;
}

/** A 403 from the HttpClient: the usual ConnectorError('forbidden'), plus what the server said. */
export class ForbiddenError extends ConnectorError {
  constructor(
    base: ConnectorError,
    readonly info: ForbiddenInfo,
  ) {
    super('forbidden', base.message, base.details);
  }
}

export function forbiddenInfo(endpoint: string, body: unknown, headers: IncomingHttpHeaders): ForbiddenInfo {
  const v = parseVendorError(body);
  const challenge = [headers['www-authenticate']].flat().filter(Boolean).join(', ');
  const fromHeader = /\bscope="([^"]+)"/i.exec(challenge)?.[1];
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const fromBody = [b.scope, b.requiredScope, b.required_scope, b.missingScope].find((x): x is string => typeof x === 'string' && x.length > 0);
  return { endpoint, code: v.code, summary: v.summary, missing: fromHeader ?? fromBody };
}

export const isForbidden = (err: unknown): err is ConnectorError => err instanceof ConnectorError && err.kind === 'forbidden';

export type DescribeForbidden = (info: ForbiddenInfo) => string;

/** The run-log text when the connector has nothing better to say. */
export function defaultForbiddenText(resource: Resource, info: ForbiddenInfo): string {
  const code = info.code ? ` ${info.code}` : '';
  const lacks = info.missing ? `the credential lacks ${info.missing}` : `the credential lacks a permission for it${info.summary ? ` (${info.summary})` : ''}`;
  return `GET ${info.endpoint ?? `the ${resource} endpoint`} was denied (403${code}): ${lacks}; ${resource} were not read, and ${resource} not seen in this run are not deleted`;
}

/** The incomplete-read warning for a 403, or null when `err` is not a 403 (the caller rethrows). */
export function forbiddenWarning(err: unknown, resource: Resource, describe?: DescribeForbidden): ReadWarning | null {
  if (!isForbidden(err)) return null;
  const info = err instanceof ForbiddenError ? err.info : {};
  return { resource, incomplete: true, message: describe ? describe(info) : defaultForbiddenText(resource, info) };
}

/** One page read under the 403 rule: a refused read ends the resource with an incomplete
 *  warning instead of failing the run; every other error is the caller's. */
export async function readPageOr403(resource: Resource, read: () => Promise<ReadPageResult>, describe?: DescribeForbidden): Promise<ReadPageResult> {
  try {
    return await read();
  } catch (err) {
    const warning = forbiddenWarning(err, resource, describe);
    if (!warning) throw err;
    return { records: [], nextCursor: null, warnings: [warning] };
  }
}
