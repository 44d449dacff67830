// Writes to a SCIM service provider (seed 003's push): create (idempotent through externalId),
// attribute-level update by PATCH or, without PATCH, read-merge-PUT, lifecycle through `active`,
// and delete. With ETags every update carries If-Match, and a 412 re-reads and tries once more.

import { ConnectorError } from '../errors';
import { assignPath } from '../../config/paths';
import type { AttributeDelta, CreateRequest, WriteOutcome } from '../framework/spi';
import { CORE_SCHEMA, objectError, PATCH_OP, quote, statusOf, type ScimDoc } from './api';
import type { ScimClass } from './classes';
import { extensionSchemas, isEmptyDelta, mergeDelta, toPatchOps, type PatchOperation } from './patch';
import { getObject, type ReadContext } from './read';
import type { DiscoveryCache } from './discovery';

export interface WriteContext extends ReadContext {
  cache: DiscoveryCache;
}

const NAME_ATTR: Record<ScimClass, string> = { users: 'userName', groups: 'displayName' };

export function buildDoc(cls: ScimClass, req: CreateRequest): ScimDoc {
  const doc: ScimDoc = {};
  for (const [path, value] of Object.entries(req.attributes)) if (value !== null && value !== undefined) assignPath(doc, path, value);
  doc.schemas = [CORE_SCHEMA[cls], ...extensionSchemas(Object.keys(req.attributes).filter((p) => req.attributes[p] != null))];
  // The key is what tells our own object from a stranger's when a retried create meets a conflict.
  doc.externalId = req.key;
  if (cls === 'users') doc.active = req.enabled ?? true;
  return doc;
}

async function findOne(ctx: WriteContext, cls: ScimClass, filter: string): Promise<ScimDoc | undefined> {
  const d = await ctx.discovery();
  const res = await ctx.api.call<ScimDoc>('GET', ctx.api.path(d.endpoints[cls]), { query: { filter, count: 2 } });
  const items = res.body?.Resources;
  return Array.isArray(items) ? (items[0] as ScimDoc | undefined) : undefined;
}

export async function create(ctx: WriteContext, cls: ScimClass, req: CreateRequest): Promise<WriteOutcome> {
  const d = await ctx.discovery();
  const label = ctx.api.label;
  const what = `create ${cls} for ${req.key}`;
  const doc = buildDoc(cls, req);
  const name = doc[NAME_ATTR[cls]];
  if (typeof name !== 'string' || !name) {
    throw new ConnectorError('bad-request', `${label}: ${what}: no ${NAME_ATTR[cls]} (map one in provisioning.mapping); nothing was sent`, { resource: cls });
  }
  // Group names need not be unique, so a retried group create would not conflict: look for our own first.
  if (cls === 'groups' && d.features.filter) {
    const own = await findOne(ctx, cls, `externalId eq ${quote(req.key)}`).catch((err: unknown) => {
      throw objectError(err, label, what);
    });
    if (own) return { targetId: String(own.id), action: 'adopted' };
  }
  try {
    const res = await ctx.api.call<ScimDoc>('POST', ctx.api.path(d.endpoints[cls]), { body: doc });
    const id = String(res.body?.id ?? '');
    if (!id) throw new ConnectorError('transient', `${label}: ${what}: the server answered ${res.status} without an id`, { resource: cls });
    ctx.api.noteVersion(id, res.headers, res.body);
    return { targetId: id, action: 'created' };
  } catch (err) {
    if (statusOf(err) !== 409) throw objectError(err, label, what);
    return adoptOwn(ctx, cls, req.key, name, what, err);
  }
}

/** After a 409: the object with our key is ours (a create that was applied before its answer was
 *  lost); any other holder of the name is a stranger and stays untouched. */
async function adoptOwn(ctx: WriteContext, cls: ScimClass, key: string, name: string, what: string, conflict: unknown): Promise<WriteOutcome> {
  const d = await ctx.discovery();
  const label = ctx.api.label;
  if (!d.features.filter) {
    throw new ConnectorError('bad-request', `${label}: ${what}: ${NAME_ATTR[cls]} ${quote(name)} already exists, and the server offers no filtering to tell whether it is this identity's; nothing was adopted`, { resource: cls, status: 409 });
  }
  let found: ScimDoc | undefined;
  try {
    found = (await findOne(ctx, cls, `${NAME_ATTR[cls]} eq ${quote(name)}`)) ?? (await findOne(ctx, cls, `externalId eq ${quote(key)}`));
  } catch (err) {
    throw objectError(err, label, `${what}: looking up the conflicting ${NAME_ATTR[cls]}`);
  }
  if (found && found.externalId === key) {
    ctx.api.noteVersion(String(found.id), undefined, found);
    return { targetId: String(found.id), action: 'adopted' };
  }
  if (!found) throw objectError(conflict, label, what);
  const owner = typeof found.externalId === 'string' && found.externalId ? `externalId ${quote(found.externalId)}` : 'no externalId';
  throw new ConnectorError(
    'bad-request',
    `${label}: ${what}: ${NAME_ATTR[cls]} ${quote(name)} is taken in the target by ${cls} id ${String(found.id)} (${owner}), which is not this identity's object; it was not adopted or changed`,
    { resource: cls, status: 409 },
  );
}

/** The version to send in If-Match, read first when this instance has not seen the object yet. */
async function versionFor(ctx: WriteContext, cls: ScimClass, id: string, fresh: boolean): Promise<string | undefined> {
  const d = await ctx.discovery();
  if (!d.features.etag) return undefined;
  const known = fresh ? undefined : ctx.api.versionOf(id);
  if (known) return known;
  const doc = await getObject(ctx, cls, id);
  if (!doc) throw new ConnectorError('not-found', `${ctx.api.label}: ${cls} ${id} does not exist in the target`, { resource: cls, status: 404 });
  return ctx.api.versionOf(id);
}

/** One PATCH with If-Match; a 412 (someone wrote in between) re-reads the version and tries once more. */
async function patch(ctx: WriteContext, cls: ScimClass, id: string, ops: PatchOperation[]): Promise<void> {
  const d = await ctx.discovery();
  for (let attempt = 1; ; attempt++) {
    const ifMatch = await versionFor(ctx, cls, id, attempt > 1);
    try {
      // Replace/add/remove of the same values again leaves the same state: safe to repeat.
      const res = await ctx.api.call('PATCH', ctx.api.path(d.endpoints[cls], id), { body: { schemas: [PATCH_OP], Operations: ops }, ifMatch, idempotent: true });
      if (!ctx.api.noteVersion(id, res.headers, res.body)) ctx.api.forget(id);
      return;
    } catch (err) {
      if (statusOf(err) === 412 && attempt === 1) continue;
      throw err;
    }
  }
}

/** Without PATCH: read, apply the delta, PUT the whole resource back (If-Match its version). */
async function mergePut(ctx: WriteContext, cls: ScimClass, id: string, delta: AttributeDelta): Promise<void> {
  const d = await ctx.discovery();
  for (let attempt = 1; ; attempt++) {
    const current = await getObject(ctx, cls, id);
    if (!current) throw new ConnectorError('not-found', `${ctx.api.label}: ${cls} ${id} does not exist in the target`, { resource: cls, status: 404 });
    const ifMatch = d.features.etag ? ctx.api.versionOf(id) : undefined;
    try {
      const res = await ctx.api.call('PUT', ctx.api.path(d.endpoints[cls], id), { body: mergeDelta(current, delta), ifMatch });
      if (!ctx.api.noteVersion(id, res.headers, res.body)) ctx.api.forget(id);
      return;
    } catch (err) {
      if (statusOf(err) === 412 && attempt === 1) continue;
      throw err;
    }
  }
}

/** Applies a delta by PATCH when the server has it, else by PUT. A PATCH answered 501 means the
 *  discovery was wrong: PUT from then on. A value filter that matches nothing (400 noTarget on
 *  `emails[type eq "work"].value`) is applied by PUT, which can create the element. */
export async function applyDelta(ctx: WriteContext, cls: ScimClass, id: string, delta: AttributeDelta): Promise<void> {
  const d = await ctx.discovery();
  if (d.features.patch) {
    try {
      return await patch(ctx, cls, id, toPatchOps(delta));
    } catch (err) {
      const status = statusOf(err);
      if (status === 501) ctx.cache.downgrade({ patch: false });
      else if (!(status === 400 && /noTarget/i.test((err as Error).message))) throw err;
    }
  }
  await mergePut(ctx, cls, id, delta);
}

export async function updateDelta(ctx: WriteContext, cls: ScimClass, id: string, delta: AttributeDelta): Promise<WriteOutcome> {
  if (isEmptyDelta(delta)) return { targetId: id, action: 'unchanged' };
  try {
    await applyDelta(ctx, cls, id, delta);
  } catch (err) {
    throw objectError(err, ctx.api.label, `update ${cls} ${id} (${[...Object.keys(delta.replace ?? {}), ...Object.keys(delta.add ?? {}), ...Object.keys(delta.remove ?? {})].join(', ')})`);
  }
  return { targetId: id, action: 'updated' };
}

/** Seed 003's deactivate/reactivate: `active` only, every other attribute left as it is. */
export async function setEnabled(ctx: WriteContext, cls: ScimClass, id: string, enabled: boolean): Promise<WriteOutcome> {
  try {
    await applyDelta(ctx, cls, id, { replace: { active: enabled } });
  } catch (err) {
    throw objectError(err, ctx.api.label, `${enabled ? 'enable' : 'disable'} ${cls} ${id}`);
  }
  return { targetId: id, action: enabled ? 'enabled' : 'disabled' };
}

/** Gone already (404) is done: a retried delete must not fail. */
export async function remove(ctx: WriteContext, cls: ScimClass, id: string): Promise<WriteOutcome> {
  const d = await ctx.discovery();
  try {
    await ctx.api.call('DELETE', ctx.api.path(d.endpoints[cls], id));
  } catch (err) {
    if (statusOf(err) !== 404) throw objectError(err, ctx.api.label, `delete ${cls} ${id}`);
  }
  ctx.api.forget(id);
  return { targetId: id, action: 'deleted' };
}
