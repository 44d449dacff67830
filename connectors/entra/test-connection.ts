// `tiger connector test`: one timed request proves DNS, TCP, TLS, the token (its AADSTS refusal
// named) and User.Read.All; then users and groups are counted by listing ids.

import { ConnectorError } from '../errors';
import type { TestResult } from '../types';
import { explainForbidden, graphPage, type GraphContext } from './api';
import type { ObjectClass } from './classes';
import { objectList } from './read';

const STEP_NAMES: Record<string, string> = {
  dns: 'DNS lookup',
  tcp: 'TCP connection',
  tls: 'TLS handshake',
  token: 'token request',
  auth: 'authentication (401)',
  permission: 'permission (403)',
};

async function count(ctx: GraphContext, cls: ObjectClass, onFirst?: () => void): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  try {
    do {
      const page: Awaited<ReturnType<typeof graphPage>> = await graphPage(ctx, objectList(ctx, cls, ['id']), cursor);
      onFirst?.();
      onFirst = undefined;
      n += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== null);
  } catch (err) {
    throw explainForbidden(ctx, cls, err);
  }
  return n;
}

export async function testEntra(ctx: GraphContext): Promise<TestResult> {
  const details = { connectorType: 'entra-id', usersFound: 0, groupsFound: 0, latency: 0 };
  try {
    const started = Date.now();
    details.usersFound = await count(ctx, 'users', () => {
      details.latency = Date.now() - started;
    });
    details.groupsFound = await count(ctx, 'groups');
    return { status: 'success', message: 'Connection successful', details };
  } catch (err) {
    if (!(err instanceof ConnectorError)) return { status: 'failure', message: `unexpected error: ${(err as Error)?.message ?? String(err)}`, details };
    const step = err.details.step ?? (err.kind === 'forbidden' ? 'permission' : err.kind === 'auth' ? 'auth' : undefined);
    const prefix = step ? `${STEP_NAMES[step] ?? step} failed: ` : '';
    return { status: 'failure', message: prefix + err.message, details };
  }
}
