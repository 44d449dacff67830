// App assignment writes with Okta's semantics. Each change stamps the assignment and appends the
// System Log event a real org records for it. User and group writes: userWrites.ts, groupWrites.ts.

import { sortedInsert, sortedRemove, type AppRecord, type OktaState, type UserRecord } from './state';
import { appendEvent, appTarget, userTarget, type RequestInfo } from './systemLog';

export function assignApp(state: OktaState, a: AppRecord, u: UserRecord, body: Record<string, unknown>, req: RequestInfo): void {
  const now = Date.now();
  const creds = body.credentials as { userName?: unknown } | undefined;
  const existing = a.custom.get(u.index);
  const before = a.assigned;
  a.assigned = sortedInsert(before, u.index);
  const isNew = a.assigned !== before;
  a.custom.set(u.index, {
    scope: body.scope === 'GROUP' ? 'GROUP' : 'USER',
    created: existing?.created ?? now,
    lastUpdated: now,
    userName: typeof creds?.userName === 'string' ? creds.userName : existing?.userName ?? null,
    profile: body.profile && typeof body.profile === 'object' ? (body.profile as Record<string, unknown>) : existing?.profile ?? {},
  });
  if (isNew) appendEvent(state, 'application.user_membership.add', [userTarget(u), appTarget(a)], req);
}

export function unassignApp(state: OktaState, a: AppRecord, u: UserRecord, req: RequestInfo): boolean {
  const next = sortedRemove(a.assigned, u.index);
  if (next === a.assigned) return false;
  a.assigned = next;
  a.custom.delete(u.index);
  appendEvent(state, 'application.user_membership.remove', [userTarget(u), appTarget(a)], req);
  return true;
}
