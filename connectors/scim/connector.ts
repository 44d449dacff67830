// Opens one SCIM connector: the HTTP client with the configured auth, the discovery cache of this
// instance, and the operations its manifest declares, source side and target side.

import type { ConnectorOps } from '../framework/spi';
import { openHttpClient, type ConnectorHttpOptions } from '../http/open';
import { ScimApi } from './api';
import { scimClass, scimLinkClass } from './classes';
import type { ScimConfig } from './config';
import { currentWatermark, readChanges } from './delta';
import { DiscoveryCache } from './discovery';
import { writeMembers } from './members';
import { getById, getLinks, readMemberships, readObjects } from './read';
import { testScim } from './test-connection';
import { create, remove, setEnabled, updateDelta, type WriteContext } from './write';

export type ScimHttpOptions = ConnectorHttpOptions;

/** `config` is parsed by scimConfigSchema and reference-resolved (it holds the credential). */
export function openScim(name: string, config: ScimConfig, httpOptions: ScimHttpOptions = {}): ConnectorOps {
  const { http, label } = openHttpClient({ name, kind: 'scim', service: 'the SCIM server', config, httpOptions });
  const api = new ScimApi(http, label, config.baseUrl);
  const cache = new DiscoveryCache(api, config.discover);
  const ctx: WriteContext = {
    api,
    cache,
    pageSize: config.pageSize,
    filters: { ...(config.userFilter ? { users: config.userFilter } : {}), ...(config.groupFilter ? { groups: config.groupFilter } : {}) },
    discovery: () => cache.get(),
  };

  return {
    test: () => testScim(ctx),
    readPage: (cls, cursor) => (cls === 'memberships' ? readMemberships(ctx, cursor) : readObjects(ctx, scimClass(cls), cursor)),
    currentWatermark: (classes) => currentWatermark(ctx, classes),
    readChanges: (classes, watermark, cursor) => readChanges(ctx, classes, watermark, cursor),
    getById: (cls, id) => getById(ctx, scimClass(cls), id),
    getLinks: (cls, parentId) => {
      scimLinkClass(cls);
      return getLinks(ctx, parentId);
    },
    create: (cls, req) => create(ctx, scimClass(cls), req),
    updateDelta: (cls, id, delta) => updateDelta(ctx, scimClass(cls), id, delta),
    setEnabled: (cls, id, enabled) => setEnabled(ctx, scimClass(cls), id, enabled),
    delete: (cls, id) => remove(ctx, scimClass(cls), id),
    link: (cls, parentId, childIds) => {
      scimLinkClass(cls);
      return writeMembers(ctx, parentId, 'link', childIds, config.memberBatch);
    },
    unlink: (cls, parentId, childIds) => {
      scimLinkClass(cls);
      return writeMembers(ctx, parentId, 'unlink', childIds, config.memberBatch);
    },
    close: () => http.close(),
  };
}
