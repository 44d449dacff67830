// The Okta connector: full reads by page, deltas from the System Log, reads by id for webhook
// events, a connection test, and the writes of seed 001 (writes.ts).

import type { Connector } from '../framework/define';
import type { ConnectorOps } from '../framework/spi';
import { HttpClient, type HttpClientOptions } from '../http/client';
import { tenantKey } from '../http/rate-budget';
import { OktaApi, oktaBucket } from './api';
import { readChanges, watermarkAt } from './changes';
import { anyClass, linkClass, objectClass } from './classes';
import type { OktaConfig } from './config';
import { readPage } from './pages';
import { linksOf } from './refetch';
import { toObject } from './records';
import { testOkta } from './test-connection';
import { writeOps } from './writes';

export interface OktaConnectorOptions {
  /** Overrides for the shared HTTP client (timeouts, retries; tests shorten waits). */
  httpOptions?: Partial<Omit<HttpClientOptions, 'baseUrl' | 'auth' | 'label'>>;
}

export type OktaConnector = Connector &
  Required<Pick<ConnectorOps, 'readPage' | 'readChanges' | 'currentWatermark' | 'getById' | 'getLinks' | 'test'>> &
  Required<Pick<ConnectorOps, 'create' | 'updateDelta' | 'setEnabled' | 'delete' | 'link' | 'unlink'>>;

/** `config` is parsed by oktaConfigSchema and reference-resolved (it holds the token). */
export function openOkta(name: string, config: OktaConfig, httpOptions: OktaConnectorOptions['httpOptions'] = {}): ConnectorOps {
  const label = `okta connector "${name}"`;
  const http = new HttpClient({
    service: 'Okta',
    credentialField: 'config.apiToken',
    credentialName: 'API token',
    baseUrlField: 'config.domain',
    bucketOf: oktaBucket,
    ...httpOptions,
    baseUrl: config.domain,
    // Every run of this org and token in the worker paces against one budget.
    budget: { tenant: tenantKey(config.domain, config.apiToken), share: config.rateLimit?.share ?? 0.5 },
    auth: { scheme: 'SSWS', token: config.apiToken },
    label,
  });
  const api = new OktaApi(http, label, config.pageSize);
  const changeCtx = { api, label, useSystemLog: config.useSystemLog };

  return {
    readPage: (cls, cursor) => readPage(api, label, anyClass(cls), cursor),
    currentWatermark: async () => watermarkAt(),
    readChanges: (classes, watermark, cursor) => readChanges(changeCtx, classes.map(anyClass), watermark, cursor),
    // A 403 or a malformed id throws a ConnectorError naming the object (kind 'forbidden', or
    // details.step 'id'), so a caller can skip that object and go on.
    async getById(cls, id) {
      const resource = objectClass(cls);
      const obj = await api.getObject(resource, id);
      return obj ? toObject(resource, obj) : null;
    },
    getLinks: (cls, parentId) => linksOf(api, linkClass(cls), parentId),
    test: () => testOkta(api),
    ...writeOps({ http, label, config }),
    close: () => http.close(),
  };
}
