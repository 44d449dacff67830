// Okta user writes: create (seed 001's mandatory fields checked first), attribute updates
// (partial POST, or the documented whole-profile PUT), enable/disable through lifecycle
// operations, and Okta's two-step delete.

import type { AttributeDelta, CreateRequest, WriteOutcome } from '../framework/spi';
import { ConnectorError } from '../errors';
import { invalidId, isOktaId, type OktaItem } from './api';
import { adoptTaken } from './adoption';
import { changesNothing, isEmpty, mergedProfile, needsCurrent, passwordOf, profileChanges, resolveDelta } from './profile-delta';
import { isNotFound, isTaken, perObject } from './write-errors';
import { badRequest, EMAIL_FORM, missingMandatory, nameOf, PASSWORD_PATH, profileOf, resolveValues, writeSchema } from './write-paths';
import type { WriteContext } from './writes';

const USERS = '/api/v1/users';

export async function createUser(ctx: WriteContext, req: CreateRequest): Promise<WriteOutcome> {
  const schema = writeSchema(ctx.config, 'users');
  // `active` (any case, as SCIM names go) picks activate=true|false when `enabled` is not given.
  const activeKey = Object.keys(req.attributes).find((k) => k.toLowerCase() === 'active');
  const active = activeKey === undefined ? undefined : req.attributes[activeKey];
  const attributes = Object.fromEntries(Object.entries(req.attributes).filter(([k]) => k !== activeKey));
  const problems: string[] = [];
  if (active !== undefined && typeof active !== 'boolean') problems.push('active: must be true or false (it picks activate=true|false)');
  const r = resolveValues(schema, attributes, problems);
  const missing = missingMandatory('users', r);
  if (missing.length) problems.unshift(`missing mandatory ${missing.join(', ')}`);
  const login = r.values.get('profile.login');
  if (typeof login === 'string' && login.trim() && !EMAIL_FORM.test(login)) {
    problems.push(`${nameOf(r, 'profile.login')} (Username) must be in the form of an email address`);
  }
  const what = `cannot create user${typeof login === 'string' && login ? ` "${login}"` : ''}`;
  if (problems.length) throw badRequest(ctx.label, what, problems, 'users');

  const profile = profileOf(r.values);
  if (schema.keyAttribute) profile[schema.keyAttribute] = req.key;
  const enabled = req.enabled ?? (active as boolean | undefined) ?? true;
  const body = { profile, credentials: { password: { value: r.values.get(PASSWORD_PATH) } } };
  try {
    const res = await ctx.http.request<OktaItem>('POST', USERS, { query: { activate: String(enabled) }, body, resource: 'users' });
    return { targetId: res.body.id, action: 'created' };
  } catch (err) {
    if (!isTaken(err, 'login')) throw perObject(ctx.label, what, err);
    // A retried create finds its own user, or a stranger holds the login: see adoption.ts.
    return adoptTaken(ctx, {
      err,
      what,
      resource: 'users',
      holder: 'a user with this login',
      find: () => getUser(ctx, String(login), what),
      sent: r.values,
      key: { attribute: schema.keyAttribute, value: req.key },
    });
  }
}

export async function updateUser(ctx: WriteContext, targetId: string, delta: AttributeDelta): Promise<WriteOutcome> {
  if (!isOktaId(targetId)) throw invalidId(ctx.label, 'users', targetId);
  const schema = writeSchema(ctx.config, 'users');
  const what = `cannot update user ${targetId}`;
  const d = resolveDelta(schema, delta, ctx.label, what);
  if (isEmpty(d)) return { targetId, action: 'unchanged' };
  const put = ctx.config.updateMethod === 'put';
  const current = put || needsCurrent(d) ? await getUser(ctx, targetId, what) : undefined;
  if (current === null) throw gone(ctx, what);
  const currentProfile = (current?.profile ?? {}) as Record<string, unknown>;
  const changes = profileChanges(d, current ? currentProfile : undefined, ctx.label, what, schema);
  const password = passwordOf(d);
  if (password === null) throw badRequest(ctx.label, what, [`${nameOf(d.replace, PASSWORD_PATH)}: a password cannot be cleared`], 'users');
  if (current && password === undefined && changesNothing(currentProfile, changes)) return { targetId, action: 'unchanged' };

  const credentials = password === undefined ? undefined : { password: { value: password } };
  // PUT replaces the whole profile, so it carries every property the user has, changed or not;
  // POST merges, so it carries only the changed ones (null clears).
  const body = put ? { profile: mergedProfile(currentProfile, changes), credentials } : { ...(Object.keys(changes).length ? { profile: changes } : {}), credentials };
  try {
    await ctx.http.request(put ? 'PUT' : 'POST', `${USERS}/${targetId}`, { body, resource: 'users', idempotent: true });
  } catch (err) {
    throw perObject(ctx.label, what, err);
  }
  return { targetId, action: 'updated' };
}

/**
 * Disable = deactivate (DEPROVISIONED), not suspend: Okta suspends only ACTIVE users, while a user
 * activated without a password stays PROVISIONED (seed 001) and could never be disabled that way;
 * deactivation is also what Okta's own SCIM `active: false` does. Enable = activate from
 * DEPROVISIONED or STAGED (ACTIVE with a password, else PROVISIONED until the user sets one), or
 * unsuspend a SUSPENDED user (suspended outside this connector). A user already in the wanted
 * state is left as it is.
 */
export async function setUserEnabled(ctx: WriteContext, targetId: string, enabled: boolean): Promise<WriteOutcome> {
  if (!isOktaId(targetId)) throw invalidId(ctx.label, 'users', targetId);
  const what = `cannot ${enabled ? 'enable' : 'disable'} user ${targetId}`;
  const user = await getUser(ctx, targetId, what);
  if (!user) throw gone(ctx, what);
  const status = String(user.status);
  if (reached(status, enabled)) return { targetId, action: 'unchanged' };
  const action = !enabled ? 'deactivate' : status === 'SUSPENDED' ? 'unsuspend' : 'activate';
  try {
    // A repeated lifecycle call is refused by Okta (E0000016, E0000038…), never applied twice, so
    // the kit may retry it; a refusal is then checked against the state the user is now in.
    await ctx.http.request('POST', `${USERS}/${targetId}/lifecycle/${action}`, { resource: 'users', idempotent: true });
  } catch (err) {
    if (!(err instanceof ConnectorError) || err.retryable) throw perObject(ctx.label, what, err);
    const now = await getUser(ctx, targetId, what);
    if (!now || !reached(String(now.status), enabled)) throw perObject(ctx.label, what, err);
  }
  return { targetId, action: enabled ? 'enabled' : 'disabled' };
}

/** Enabled = anything but DEPROVISIONED, STAGED (never activated) and SUSPENDED; disabled =
 *  DEPROVISIONED (what disabling makes of any of them). */
const reached = (status: string, enabled: boolean) =>
  enabled ? !['DEPROVISIONED', 'STAGED', 'SUSPENDED'].includes(status) : status === 'DEPROVISIONED';

/** Okta's two-step delete: DELETE deactivates, DELETE on a DEPROVISIONED user deletes it. A 404
 *  at either step means the user is already gone, which is what was asked. */
export async function deleteUser(ctx: WriteContext, targetId: string): Promise<WriteOutcome> {
  if (!isOktaId(targetId)) throw invalidId(ctx.label, 'users', targetId);
  const what = `cannot delete user ${targetId}`;
  for (let step = 0; step < 2; step++) {
    try {
      await ctx.http.request('DELETE', `${USERS}/${targetId}`, { resource: 'users' });
    } catch (err) {
      if (isNotFound(err)) break;
      throw perObject(ctx.label, what, err);
    }
  }
  return { targetId, action: 'deleted' };
}

/** By id or login; null on 404. */
async function getUser(ctx: WriteContext, idOrLogin: string, what: string): Promise<OktaItem | null> {
  try {
    return (await ctx.http.getJson<OktaItem>(`${USERS}/${encodeURIComponent(idOrLogin)}`, { resource: 'users' })).body;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw perObject(ctx.label, what, err);
  }
}

const gone = (ctx: WriteContext, what: string) =>
  new ConnectorError('not-found', `${ctx.label}: ${what}: Okta has no such user (E0000007); it may have been deleted`, { connector: ctx.label, resource: 'users' });
