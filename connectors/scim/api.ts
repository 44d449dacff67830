// One SCIM service provider over the shared HTTP client: paths below the base URL, the ETag of
// each object last seen, and SCIM error bodies turned into per-object errors that say what was
// being done to which object. Credentials never reach a message: the client adds them to each
// request and never echoes a header.

import type { IncomingHttpHeaders } from 'node:http';
import { ConnectorError } from '../errors';
import type { HttpClient, JsonResponse } from '../http/client';
import type { ScimClass } from './classes';

export type ScimDoc = Record<string, unknown>;

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const CORE_SCHEMA: Record<ScimClass, string> = {
  users: 'urn:ietf:params:scim:schemas:core:2.0:User',
  groups: 'urn:ietf:params:scim:schemas:core:2.0:Group',
};
const SCIM_JSON = 'application/scim+json';

/** ETags remembered per object: enough for a push batch, bounded so a long process does not grow. */
const ETAG_CACHE = 10_000;

export interface RequestBody {
  body?: unknown;
  ifMatch?: string;
  query?: Record<string, string | number | undefined>;
  /** Safe to repeat after a broken connection (PUT, DELETE, a PATCH that sets absolute values). */
  idempotent?: boolean;
}

export class ScimApi {
  private readonly etags = new Map<string, string>();
  /** The path of the base URL (`/scim/v2`), put in front of every resource path. */
  readonly basePath: string;

  constructor(
    readonly http: HttpClient,
    readonly label: string,
    baseUrl: string,
  ) {
    this.basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');
  }

  path(endpoint: string, id?: string): string {
    const ep = endpoint.startsWith('/') ? endpoint : `/${endpoint}`;
    return `${this.basePath}${ep}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;
  }

  async call<T = ScimDoc>(method: string, path: string, opts: RequestBody = {}): Promise<JsonResponse<T>> {
    const res = await this.http.request<T>(method, path, {
      body: opts.body,
      query: opts.query,
      contentType: opts.body === undefined ? undefined : SCIM_JSON,
      headers: { accept: `${SCIM_JSON}, application/json`, ...(opts.ifMatch ? { 'if-match': opts.ifMatch } : {}) },
      idempotent: opts.idempotent,
    });
    return res;
  }

  /** Remembers the version a response carries (ETag header or meta.version). */
  noteVersion(id: string, headers: IncomingHttpHeaders | undefined, doc: unknown): string | undefined {
    const header = headers?.etag;
    const meta = doc && typeof doc === 'object' ? ((doc as ScimDoc).meta as ScimDoc | undefined) : undefined;
    const v = (Array.isArray(header) ? header[0] : header) ?? (typeof meta?.version === 'string' ? meta.version : undefined);
    if (!v) return undefined;
    this.etags.delete(id);
    this.etags.set(id, v);
    if (this.etags.size > ETAG_CACHE) this.etags.delete(this.etags.keys().next().value as string);
    return v;
  }

  versionOf(id: string): string | undefined {
    return this.etags.get(id);
  }

  forget(id: string): void {
    this.etags.delete(id);
  }
}

export const statusOf = (err: unknown): number | undefined => (err instanceof ConnectorError ? err.details.status : undefined);

/** The SCIM error of one object's write or read, as a per-object error: what was done to which
 *  object, then what the server said (status, scimType, detail — from the client's message). A
 *  conflict or an unsupported operation is not retryable, whatever the client classed it as. */
export function objectError(err: unknown, label: string, what: string): unknown {
  if (!(err instanceof ConnectorError)) return err;
  const status = err.details.status;
  const said = err.message.startsWith(`${label}: `) ? err.message.slice(label.length + 2) : err.message;
  const kind = status === 409 || status === 412 ? 'bad-request' : status === 501 ? 'config' : err.kind;
  return new ConnectorError(kind, `${label}: ${what}: ${said}`, err.details);
}

/** A value inside a SCIM filter's double quotes (RFC 7644 §3.4.2.2: JSON string rules). */
export const quote = (v: string): string => JSON.stringify(v);
