// Okta group writes: create, update (the whole-profile PUT, built from the current profile so
// properties the delta does not name stay as they are) and delete. Only OKTA_GROUPs are the
// admin's: APP_GROUPs belong to their source app and Everyone (BUILT_IN) to Okta, so an update of
// one is refused before the request.

import type { AttributeDelta, CreateRequest, WriteOutcome } from '../framework/spi';
import { ConnectorError } from '../errors';
import { invalidId, isOktaId, type OktaItem } from './api';
import { adoptTaken } from './adoption';
import { changesNothing, isEmpty, mergedProfile, profileChanges, resolveDelta } from './profile-delta';
import { isNotFound, isTaken, perObject } from './write-errors';
import { badRequest, missingMandatory, profileOf, resolveValues, writeSchema } from './write-paths';
import type { WriteContext } from './writes';

const GROUPS = '/api/v1/groups';

export async function createGroup(ctx: WriteContext, req: CreateRequest): Promise<WriteOutcome> {
  const schema = writeSchema(ctx.config, 'groups');
  const problems: string[] = [];
  const r = resolveValues(schema, req.attributes, problems);
  const missing = missingMandatory('groups', r);
  if (missing.length) problems.unshift(`missing mandatory ${missing.join(', ')}`);
  const name = r.values.get('profile.name');
  const what = `cannot create group${typeof name === 'string' && name ? ` "${name}"` : ''}`;
  if (problems.length) throw badRequest(ctx.label, what, problems, 'groups');

  const profile = profileOf(r.values);
  if (schema.keyAttribute) profile[schema.keyAttribute] = req.key;
  try {
    const res = await ctx.http.request<OktaItem>('POST', GROUPS, { body: { profile }, resource: 'groups' });
    return { targetId: res.body.id, action: 'created' };
  } catch (err) {
    if (!isTaken(err, 'name')) throw perObject(ctx.label, what, err);
    return adoptTaken(ctx, {
      err,
      what,
      resource: 'groups',
      holder: 'an OKTA_GROUP with this name',
      find: () => groupNamed(ctx, String(name), what),
      sent: r.values,
      key: { attribute: schema.keyAttribute, value: req.key },
    });
  }
}

export async function updateGroup(ctx: WriteContext, targetId: string, delta: AttributeDelta): Promise<WriteOutcome> {
  if (!isOktaId(targetId)) throw invalidId(ctx.label, 'groups', targetId);
  const schema = writeSchema(ctx.config, 'groups');
  const what = `cannot update group ${targetId}`;
  const d = resolveDelta(schema, delta, ctx.label, what);
  if (isEmpty(d)) return { targetId, action: 'unchanged' };
  const group = await getGroup(ctx, targetId, what);
  if (!group) throw new ConnectorError('not-found', `${ctx.label}: ${what}: Okta has no such group (E0000007); it may have been deleted`, { connector: ctx.label, resource: 'groups' });
  refuseUnmanaged(ctx, group, what);
  const current = (group.profile ?? {}) as Record<string, unknown>;
  const changes = profileChanges(d, current, ctx.label, what, schema);
  if (changesNothing(current, changes)) return { targetId, action: 'unchanged' };
  try {
    await ctx.http.request('PUT', `${GROUPS}/${targetId}`, { body: { profile: mergedProfile(current, changes) }, resource: 'groups' });
  } catch (err) {
    throw perObject(ctx.label, what, err);
  }
  return { targetId, action: 'updated' };
}

/** A 404 means the group is already gone, which is what was asked. */
export async function deleteGroup(ctx: WriteContext, targetId: string): Promise<WriteOutcome> {
  if (!isOktaId(targetId)) throw invalidId(ctx.label, 'groups', targetId);
  try {
    await ctx.http.request('DELETE', `${GROUPS}/${targetId}`, { resource: 'groups' });
  } catch (err) {
    if (!isNotFound(err)) throw perObject(ctx.label, `cannot delete group ${targetId}`, err);
  }
  return { targetId, action: 'deleted' };
}

export async function getGroup(ctx: WriteContext, id: string, what: string): Promise<OktaItem | null> {
  try {
    return (await ctx.http.getJson<OktaItem>(`${GROUPS}/${id}`, { resource: 'groups' })).body;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw perObject(ctx.label, what, err);
  }
}

export function refuseUnmanaged(ctx: WriteContext, group: OktaItem, what: string): void {
  if (group.type === 'OKTA_GROUP' || group.type === undefined) return;
  const owner = group.type === 'APP_GROUP' ? 'its source app' : 'Okta';
  throw new ConnectorError('bad-request', `${ctx.label}: ${what}: it is a ${String(group.type)} group, managed by ${owner}; only OKTA_GROUPs can be changed through the API`, {
    connector: ctx.label,
    resource: 'groups',
    step: 'type',
  });
}

/** The OKTA_GROUP named exactly `name` (names are unique among them), or null. */
async function groupNamed(ctx: WriteContext, name: string, what: string): Promise<OktaItem | null> {
  const search = `profile.name eq "${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  try {
    const res = await ctx.http.getJson<OktaItem[]>(GROUPS, { query: { search }, resource: 'groups', expectArray: true });
    return res.body.find((g) => g.type === 'OKTA_GROUP' && String((g.profile as Record<string, unknown>)?.name).toLowerCase() === name.toLowerCase()) ?? null;
  } catch (err) {
    throw perObject(ctx.label, what, err);
  }
}
