// What this service provider supports, read once per connector instance from its discovery
// endpoints (RFC 7644 §4): /ServiceProviderConfig says whether PATCH, filtering, ETags and bulk
// work (which decides PATCH vs PUT, If-Match, and whether deltas can be filtered), /ResourceTypes
// where Users and Groups live, /Schemas which attributes and extensions exist.

import { ConnectorError } from '../errors';
import type { ScimApi, ScimDoc } from './api';
import type { ScimClass } from './classes';

export interface ScimFeatures {
  patch: boolean;
  filter: boolean;
  etag: boolean;
  bulk: boolean;
  /** filter.maxResults: the largest page the server serves. */
  maxResults?: number;
}

export interface Discovery {
  features: ScimFeatures;
  /** Endpoint of each class below the base URL (`/Users`). */
  endpoints: Record<ScimClass, string>;
  /** Schema URNs the server declares (core and extensions), when /Schemas answered. */
  schemas: string[];
  /** How the features were learned, for test() and messages. */
  source: 'discovered' | 'assumed';
  /** Why discovery fell back to assumptions (an endpoint the server does not serve). */
  note?: string;
}

/** RFC 7644's common case for a server that does not describe itself: PATCH and filter, no ETags. */
export const ASSUMED: ScimFeatures = { patch: true, filter: true, etag: false, bulk: false };
const DEFAULT_ENDPOINTS: Record<ScimClass, string> = { users: '/Users', groups: '/Groups' };

const supported = (doc: ScimDoc, key: string): boolean | undefined => {
  const v = (doc[key] as ScimDoc | undefined)?.supported;
  return typeof v === 'boolean' ? v : undefined;
};

export async function discover(api: ScimApi): Promise<Discovery> {
  let config: ScimDoc;
  try {
    config = (await api.call('GET', api.path('/ServiceProviderConfig'))).body ?? {};
  } catch (err) {
    // A server without discovery is common; one that refuses our credential is not usable at all.
    if (err instanceof ConnectorError && (err.details.status === 404 || err.details.status === 501)) {
      return { features: { ...ASSUMED }, endpoints: { ...DEFAULT_ENDPOINTS }, schemas: [], source: 'assumed', note: 'the server has no /ServiceProviderConfig' };
    }
    throw err;
  }
  const filter = config.filter as ScimDoc | undefined;
  const maxResults = Number(filter?.maxResults);
  const features: ScimFeatures = {
    patch: supported(config, 'patch') ?? ASSUMED.patch,
    filter: supported(config, 'filter') ?? ASSUMED.filter,
    etag: supported(config, 'etag') ?? ASSUMED.etag,
    bulk: supported(config, 'bulk') ?? ASSUMED.bulk,
    ...(Number.isInteger(maxResults) && maxResults > 0 ? { maxResults } : {}),
  };
  const [endpoints, schemas] = await Promise.all([resourceEndpoints(api), schemaIds(api)]);
  return { features, endpoints, schemas, source: 'discovered' };
}

/** Without discovery: the assumed features (discover: false in the config). */
export function assumed(): Discovery {
  return { features: { ...ASSUMED }, endpoints: { ...DEFAULT_ENDPOINTS }, schemas: [], source: 'assumed', note: 'config.discover is false' };
}

async function listOf(api: ScimApi, path: string): Promise<ScimDoc[] | null> {
  try {
    const body = (await api.call<unknown>('GET', api.path(path))).body;
    if (Array.isArray(body)) return body as ScimDoc[];
    const items = (body as ScimDoc | null)?.Resources;
    return Array.isArray(items) ? (items as ScimDoc[]) : [];
  } catch (err) {
    if (err instanceof ConnectorError && (err.details.status === 404 || err.details.status === 501)) return null;
    throw err;
  }
}

async function resourceEndpoints(api: ScimApi): Promise<Record<ScimClass, string>> {
  const out = { ...DEFAULT_ENDPOINTS };
  for (const rt of (await listOf(api, '/ResourceTypes')) ?? []) {
    const endpoint = typeof rt.endpoint === 'string' && rt.endpoint ? rt.endpoint : undefined;
    if (!endpoint) continue;
    // Servers name the type by `name` (User) or by its core schema; either is enough.
    const name = String(rt.name ?? rt.id ?? '');
    const schema = String(rt.schema ?? '');
    if (name === 'User' || schema.endsWith(':core:2.0:User')) out.users = endpoint;
    if (name === 'Group' || schema.endsWith(':core:2.0:Group')) out.groups = endpoint;
  }
  return out;
}

async function schemaIds(api: ScimApi): Promise<string[]> {
  return ((await listOf(api, '/Schemas')) ?? []).map((s) => s.id).filter((id): id is string => typeof id === 'string');
}

/** The discovery of one connector instance: read on first use, shared by concurrent callers. */
export class DiscoveryCache {
  private value: Promise<Discovery> | null = null;
  private overrides: Partial<ScimFeatures> = {};

  constructor(
    private readonly api: ScimApi,
    private readonly enabled: boolean,
  ) {}

  async get(): Promise<Discovery> {
    this.value ??= (this.enabled ? discover(this.api) : Promise.resolve(assumed())).catch((err: unknown) => {
      this.value = null;
      throw err;
    });
    const d = await this.value;
    return { ...d, features: { ...d.features, ...this.overrides } };
  }

  /** The server contradicted its discovery (a PATCH answered 501): believe the answer from now on. */
  downgrade(f: Partial<ScimFeatures>): void {
    Object.assign(this.overrides, f);
  }
}
