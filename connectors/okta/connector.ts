// The Okta source (read side): full reads by page, deltas from the System Log, reads by id
// for webhook events, and a connection test.

import type { ConnectorDefinition } from '../../config/types';
import { HttpClient, type HttpClientOptions } from '../http/client';
import type { Connector, LinkResource, ObjectResource, ReadsById, ReadsChanges, ReadsPages, Resource, TestsConnection } from '../types';
import { OktaApi } from './api';
import { readChanges, watermarkAt } from './changes';
import type { OktaConfig } from './config';
import { readPage } from './pages';
import { linksOf } from './refetch';
import { toObject } from './records';
import { testOkta } from './test-connection';

export interface OktaConnectorOptions {
  /** Overrides for the shared HTTP client (timeouts, retries; tests shorten waits). */
  httpOptions?: Partial<Omit<HttpClientOptions, 'baseUrl' | 'auth' | 'label'>>;
}

export type OktaConnector = Connector & ReadsPages & ReadsChanges & Required<ReadsById> & TestsConnection;

const OKTA_RESOURCES: readonly Resource[] = ['users', 'groups', 'memberships', 'apps', 'appUsers'];

/** `config` is already parsed by oktaConfigSchema and reference-resolved (it holds the token). */
export function createOktaConnector(def: ConnectorDefinition, config: OktaConfig, opts: OktaConnectorOptions = {}): OktaConnector {
  const label = `okta connector "${def.name}"`;
  const http = new HttpClient({
    service: 'Okta',
    credentialField: 'config.apiToken',
    credentialName: 'API token',
    baseUrlField: 'config.domain',
    ...opts.httpOptions,
    baseUrl: config.domain,
    auth: { scheme: 'SSWS', token: config.apiToken },
    label,
  });
  const api = new OktaApi(http, label, config.pageSize);
  const changeCtx = { api, label, useSystemLog: config.useSystemLog };

  return {
    type: 'okta',
    resources: OKTA_RESOURCES,
    readPage: (resource, cursor) => readPage(api, label, resource, cursor),
    currentWatermark: async () => watermarkAt(),
    readChanges: (resources, watermark, cursor) => readChanges(changeCtx, resources, watermark, cursor),
    // A 403 or a malformed id throws a ConnectorError naming the object (kind 'forbidden', or
    // details.step 'id'), so a caller can skip that object and go on.
    async getById(resource: ObjectResource, id: string) {
      const obj = await api.getObject(resource, id);
      return obj ? toObject(resource, obj) : null;
    },
    getLinks: (resource: LinkResource, parentId: string) => linksOf(api, resource, parentId),
    test: () => testOkta(api),
    close: () => http.close(),
  };
}
