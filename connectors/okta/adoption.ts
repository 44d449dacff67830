// Whether an object that holds the unique value of a create (a user's login, a group's name) is
// the one an earlier attempt of this same create made, and so may be adopted.
//
// Okta users and groups have no externalId, so the rule is:
//  1. With `keyAttribute` configured (a custom profile property declared in customAttributes and
//     in Okta's profile schema), creates write the identity key into it; the existing object is
//     ours exactly when it holds the same key.
//  2. Otherwise the object is ours only when every profile attribute we sent has the same value
//     on it (the password is not readable and is left out; logins and emails compare ignoring
//     case, as Okta does; multi-valued ones as sets; null and absent are the same). A stranger
//     whose profile happens to equal ours in every attribute we send is indistinguishable from
//     our own object: that is the residual risk, and configuring keyAttribute removes it.
// Anything else is a stranger's object: never adopted, never modified; the create fails naming
// the unique value and the attributes that differ.

import type { WriteOutcome } from '../framework/spi';
import { ConnectorError } from '../errors';
import type { OktaItem } from './api';
import { perObject } from './write-errors';
import { PASSWORD_PATH } from './write-paths';
import type { WriteContext } from './writes';

const CASELESS = new Set(['login', 'email', 'name']);

export interface AdoptionCheck {
  ours: boolean;
  /** Why not: the profile attributes that differ, or the key attribute. */
  differs: string[];
}

export function checkAdoption(sent: Map<string, unknown>, existing: Record<string, unknown>, key: { attribute?: string; value: string }): AdoptionCheck {
  const profile = (existing.profile ?? {}) as Record<string, unknown>;
  if (key.attribute) {
    const ours = profile[key.attribute] === key.value;
    return { ours, differs: ours ? [] : [`profile.${key.attribute} (the identity key)`] };
  }
  const differs: string[] = [];
  for (const [path, value] of sent) {
    if (path === PASSWORD_PATH || !path.startsWith('profile.')) continue;
    const prop = path.slice('profile.'.length);
    if (!same(value, profile[prop], CASELESS.has(prop))) differs.push(path);
  }
  return { ours: differs.length === 0, differs };
}

export interface TakenCreate {
  /** The create's own error, thrown again when nothing holds the value after all. */
  err: unknown;
  what: string;
  resource: 'users' | 'groups';
  /** The holder as messages name it ("a user with this login"). */
  holder: string;
  /** Reads the object that holds the unique value, or null. */
  find: () => Promise<OktaItem | null>;
  sent: Map<string, unknown>;
  key: { attribute?: string; value: string };
}

/** A create was refused because its unique value is taken: the holder is adopted when it is
 *  ours (a retried create), and otherwise left untouched and the create fails naming what differs. */
export async function adoptTaken(ctx: WriteContext, t: TakenCreate): Promise<WriteOutcome> {
  const existing = await t.find();
  if (!existing) throw perObject(ctx.label, t.what, t.err);
  const check = checkAdoption(t.sent, existing, t.key);
  if (check.ours) return { targetId: existing.id, action: 'adopted' };
  throw new ConnectorError(
    'bad-request',
    `${ctx.label}: ${t.what}: Okta already has ${t.holder} that this identity did not create (it differs in ${check.differs.join(', ')}); it was left untouched`,
    { connector: ctx.label, resource: t.resource, step: 'adopt' },
  );
}

function same(a: unknown, b: unknown, caseless: boolean): boolean {
  const norm = (v: unknown) => (v === undefined || (Array.isArray(v) && v.length === 0) ? null : v);
  a = norm(a);
  b = norm(b);
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    const sa = new Set(a.map(String));
    const sb = new Set(b.map(String));
    return sa.size === sb.size && [...sa].every((x) => sb.has(x));
  }
  if (caseless && typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return JSON.stringify(a) === JSON.stringify(b);
}
