// `tiger connector test`: one timed request proves DNS, TCP, TLS, the token and the users
// scope; then users and groups are counted by listing (cheap at emulator and small-org sizes).

import { ConnectorError } from '../errors';
import type { TestResult } from '../types';
import { ALL_USERS_FILTER, type OktaApi } from './api';

const STEP_NAMES: Record<string, string> = {
  dns: 'DNS lookup',
  tcp: 'TCP connection',
  tls: 'TLS handshake',
  auth: 'authentication (401)',
  permission: 'permission (403)',
};

export async function testOkta(api: OktaApi): Promise<TestResult> {
  const details = { connectorType: 'okta', usersFound: 0, groupsFound: 0, latency: 0 };
  try {
    const started = Date.now();
    let page = await api.listPage('/api/v1/users', 'users', { limit: api.limit('users'), filter: ALL_USERS_FILTER });
    details.latency = Date.now() - started;
    for (;;) {
      details.usersFound += page.items.length;
      if (!page.next || page.items.length === 0) break;
      page = await api.listPage(page.next, 'users');
    }
    details.groupsFound = (await api.listAll('/api/v1/groups', 'groups', { limit: api.limit('groups') })).length;
    return { status: 'success', message: 'Connection successful', details };
  } catch (err) {
    if (!(err instanceof ConnectorError)) {
      return { status: 'failure', message: `unexpected error: ${(err as Error)?.message ?? String(err)}`, details };
    }
    const step = err.details.step ?? (err.kind === 'forbidden' ? 'permission' : err.kind === 'auth' ? 'auth' : undefined);
    const prefix = step ? `${STEP_NAMES[step] ?? step} failed: ` : '';
    return { status: 'failure', message: prefix + err.message, details };
  }
}
