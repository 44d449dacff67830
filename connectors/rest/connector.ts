// Opens one REST source: the HTTP kit's client with the configured auth, and the read operations
// over the endpoints its config names. Class names from the framework are checked once, here.

import type { ConnectorOps } from '../framework/spi';
import { openHttpClient, type ConnectorHttpOptions } from '../http/open';
import type { TestResult } from '../types';
import { membershipsConfig, restClass } from './classes';
import type { RestConfig } from './config';
import { currentWatermark, readChanges } from './delta';
import type { ListContext } from './lists';
import { getById, getLinks, readMemberships, readObjects } from './read';

export type RestHttpOptions = ConnectorHttpOptions;

/** `config` is parsed by restConfigSchema and reference-resolved (it holds the credential). */
export function openRest(name: string, config: RestConfig, httpOptions: RestHttpOptions = {}): ConnectorOps {
  const { http, label } = openHttpClient({ name, kind: 'rest', service: 'the REST API', config, httpOptions });
  const ctx: ListContext = { http, config, basePath: new URL(config.baseUrl).pathname.replace(/\/+$/, ''), label };

  return {
    test: () => testRest(ctx),
    readPage: (cls, cursor) => {
      if (cls !== 'memberships') return readObjects(ctx, restClass(cls, config), cursor);
      membershipsConfig(cls, config);
      return readMemberships(ctx, cursor);
    },
    currentWatermark: (classes) => currentWatermark(ctx, classes),
    readChanges: (classes, watermark, cursor) => readChanges(ctx, classes, watermark, cursor),
    getById: (cls, id) => getById(ctx, restClass(cls, config), id),
    getLinks: (cls, parentId) => {
      membershipsConfig(cls, config);
      return getLinks(ctx, parentId);
    },
    close: () => http.close(),
  };
}

/** One page of each configured class: the credential works and the records are where the
 *  config says. Counts are of that first page only. */
async function testRest(ctx: ListContext): Promise<TestResult> {
  const started = Date.now();
  const found = { users: 0, groups: 0 };
  try {
    for (const cls of ['users', 'groups'] as const) {
      if (!ctx.config.classes[cls]) continue;
      const page = await readObjects(ctx, cls, null);
      if (page.warnings.length) throw new Error(page.warnings[0]!.message);
      found[cls] = page.records.length;
    }
    return { status: 'success', message: 'connected; every configured endpoint answered', details: { connectorType: 'rest', usersFound: found.users, groupsFound: found.groups, latency: Date.now() - started } };
  } catch (err) {
    return { status: 'failure', message: (err as Error).message, details: { connectorType: 'rest', usersFound: found.users, groupsFound: found.groups, latency: Date.now() - started } };
  }
}
