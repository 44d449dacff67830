// Opens one Workday connector: the shared HTTP client with the configured credential, and the
// read operations its manifest declares (Workday is a source here: no writes).

import type { ConnectorOps } from '../framework/spi';
import { openHttpClient, type ConnectorHttpOptions } from '../http/open';
import { WorkdayApi } from './api';
import { workdayAuthenticator } from './auth';
import type { WorkdayConfig } from './config';
import { currentWatermark, readChanges } from './delta';
import { getById, getLinks, readPage } from './read';
import { linkClass, objectClass } from './records';

export type WorkdayHttpOptions = ConnectorHttpOptions;

/** Workday counts requests per tenant, not per endpoint family: one bucket for all. */
const ONE_BUCKET = () => 'tenant';

export function openWorkday(name: string, config: WorkdayConfig, httpOptions: WorkdayHttpOptions = {}): ConnectorOps {
  const { http, label } = openHttpClient({
    name,
    kind: 'workday',
    service: 'Workday',
    config: { baseUrl: config.baseUrl, auth: (as) => workdayAuthenticator(config, as) },
    httpOptions,
    defaults: { bucketOf: ONE_BUCKET },
  });
  const api = new WorkdayApi(http, config, label);
  return {
    async test() {
      const started = Date.now();
      try {
        const workers = await readPage(api, 'workers', null);
        const groups = await readPage(api, 'organizations', null);
        const found = (p: typeof workers) => p.records.length;
        return { status: 'success', message: `read ${found(workers)} workers and ${found(groups)} organizations${workers.nextCursor ? ' (first page)' : ''}`, details: { connectorType: 'workday', usersFound: found(workers), groupsFound: found(groups), latency: Date.now() - started } };
      } catch (err) {
        return { status: 'failure', message: (err as Error).message, details: { connectorType: 'workday', usersFound: 0, groupsFound: 0, latency: Date.now() - started } };
      }
    },
    readPage: (cls, cursor) => readPage(api, cls === 'memberships' ? linkClass(cls) : objectClass(cls), cursor),
    currentWatermark: () => currentWatermark(api),
    readChanges: (classes, watermark, cursor) => readChanges(api, classes, watermark, cursor),
    getById: (cls, id) => getById(api, objectClass(cls), id),
    getLinks: (cls, parentId) => {
      linkClass(cls);
      return getLinks(api, parentId);
    },
    close: () => http.close(),
  };
}
