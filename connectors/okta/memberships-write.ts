// Group members added and removed in batches: one PUT or DELETE per child (Okta has no bulk
// membership call), a few in flight at once, an outcome per child. The group is read once first,
// so an APP_GROUP or Everyone is refused for the whole batch without a request per child.

import type { LinkOutcome } from '../framework/spi';
import { ConnectorError } from '../errors';
import { isOktaId } from './api';
import { getGroup, refuseUnmanaged } from './groups-write';
import { isNotFound, mapBounded, perObject } from './write-errors';
import type { WriteContext } from './writes';

/** Membership calls in flight per batch: enough to hide latency, few enough for Okta's
 *  per-minute limits on /api/v1/groups. */
const IN_FLIGHT = 4;

export async function changeMembers(ctx: WriteContext, op: 'link' | 'unlink', groupId: string, userIds: string[]): Promise<LinkOutcome[]> {
  const verb = op === 'link' ? 'add' : 'remove';
  const what = `cannot ${verb} members of group ${groupId}`;
  const all = (ok: boolean, error?: string): LinkOutcome[] => userIds.map((childId) => ({ childId, ok, ...(error ? { error } : {}) }));
  if (!isOktaId(groupId)) return all(false, `${ctx.label}: ${what}: ${JSON.stringify(String(groupId).slice(0, 80))} is not an Okta group id`);
  let group;
  try {
    group = await getGroup(ctx, groupId, what);
    if (group) refuseUnmanaged(ctx, group, what);
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'bad-request') return all(false, err.message);
    throw err;
  }
  // Removing a member of a group that no longer exists: the membership is gone, as asked.
  if (!group) return op === 'unlink' ? all(true) : all(false, `${ctx.label}: ${what}: Okta has no such group (E0000007)`);

  return mapBounded(userIds, IN_FLIGHT, async (childId): Promise<LinkOutcome> => {
    const each = `cannot ${verb} user ${childId} ${op === 'link' ? 'to' : 'from'} group ${groupId}`;
    if (!isOktaId(childId)) return { childId, ok: false, error: `${ctx.label}: ${each}: not an Okta user id` };
    try {
      // PUT and DELETE of a membership are idempotent in Okta, so the kit may retry them.
      await ctx.http.request(op === 'link' ? 'PUT' : 'DELETE', `/api/v1/groups/${groupId}/users/${childId}`, { resource: 'memberships' });
      return { childId, ok: true };
    } catch (err) {
      // A user that no longer exists is in no group: removing it is done.
      if (op === 'unlink' && isNotFound(err)) return { childId, ok: true };
      if (err instanceof ConnectorError && !err.retryable) return { childId, ok: false, error: perObject(ctx.label, each, err).message };
      // Rate limits and outages are the batch's, not the child's: the caller retries the batch.
      throw perObject(ctx.label, each, err);
    }
  });
}
