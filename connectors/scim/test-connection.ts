// `tiger connector test` for a SCIM service provider: discovery (which proves URL, TLS and the
// credential), then users and groups counted from totalResults with count=1, cheap on any size.

import { ConnectorError } from '../errors';
import type { TestResult } from '../types';
import type { ScimDoc } from './api';
import type { ReadContext } from './read';

async function total(ctx: ReadContext, endpoint: string): Promise<number> {
  const res = await ctx.api.call<ScimDoc>('GET', ctx.api.path(endpoint), { query: { startIndex: 1, count: 1 } });
  const n = Number(res.body?.totalResults);
  return Number.isFinite(n) ? n : 0;
}

export async function testScim(ctx: ReadContext): Promise<TestResult> {
  const details = { connectorType: 'scim', usersFound: 0, groupsFound: 0, latency: 0 };
  try {
    const started = Date.now();
    const d = await ctx.discovery();
    details.latency = Date.now() - started;
    details.usersFound = await total(ctx, d.endpoints.users);
    details.groupsFound = await total(ctx, d.endpoints.groups);
    const f = d.features;
    const said = `PATCH ${f.patch ? 'yes' : 'no (PUT)'}, filter ${f.filter ? 'yes' : 'no (full reads only)'}, ETag ${f.etag ? 'yes' : 'no'}, bulk ${f.bulk ? 'yes' : 'no'}`;
    return { status: 'success', message: `Connection successful (${d.source === 'discovered' ? 'discovered' : `assumed: ${d.note}`}: ${said})`, details };
  } catch (err) {
    const message = err instanceof ConnectorError ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
    return { status: 'failure', message, details };
  }
}
