// Opens one entra-id connector: the token of its app registration, one HTTP client on Graph
// (throttling counted per app and tenant), and the read operations its manifest declares.

import type { ConnectorOps } from '../framework/spi';
import { HttpClient, type HttpClientOptions } from '../http/client';
import type { GraphContext } from './api';
import { DEFAULT_SELECT, linkClass, objectClass, type ObjectClass } from './classes';
import type { EntraConfig } from './config';
import { currentWatermark, readChanges } from './delta';
import { allChildren, getById, readLinks, readObjects } from './read';
import { testEntra } from './test-connection';
import { hold } from './throttle';
import { EntraToken } from './token';

export type EntraHttpOptions = Partial<Omit<HttpClientOptions, 'baseUrl' | 'auth' | 'label'>>;

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `config` is parsed by entraConfigSchema and reference-resolved (it holds the secret). */
export function openEntra(name: string, config: EntraConfig, httpOptions: EntraHttpOptions = {}): ConnectorOps {
  const label = `entra-id connector "${name}"`;
  const throttleKey = `${config.graphUrl}|${config.tenantId}|${config.clientId}`;
  const sleep = httpOptions.sleep ?? realSleep;
  const http = new HttpClient({
    service: 'Microsoft Graph',
    credentialField: 'config.clientSecret',
    credentialName: 'access token',
    baseUrlField: 'config.graphUrl',
    ...httpOptions,
    // Graph counts requests per app and tenant, whatever the endpoint.
    bucketOf: () => 'tenant',
    // Every wait the client is told (Retry-After on 429/503) holds the other runs of this tenant too.
    sleep: (ms) => {
      hold(throttleKey, ms);
      return sleep(ms);
    },
    baseUrl: config.graphUrl,
    auth: new EntraToken(config, label),
    label,
  });
  const select = (cls: ObjectClass) => [...new Set([...DEFAULT_SELECT[cls], ...(config.select[cls] ?? [])])];
  const ctx: GraphContext = {
    http,
    label,
    pageSize: config.pageSize,
    scopes: config.scopes,
    select: { users: select('users'), groups: select('groups'), apps: select('apps') },
    throttleKey,
    sleep,
  };

  return {
    test: () => testEntra(ctx),
    readPage: (cls, cursor) => (cls === 'memberships' || cls === 'appUsers' ? readLinks(ctx, linkClass(cls), cursor) : readObjects(ctx, objectClass(cls), cursor)),
    currentWatermark: (classes) => currentWatermark(ctx, classes),
    readChanges: (classes, watermark, cursor) => readChanges(ctx, classes, watermark, cursor),
    getById: (cls, id) => getById(ctx, objectClass(cls), id),
    getLinks: async (cls, parentId) => (await allChildren(ctx, linkClass(cls), parentId)).links,
    close: () => http.close(),
  };
}
