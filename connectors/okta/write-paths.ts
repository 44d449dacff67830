// Target attributes of an Okta write, as the caller names them, turned into Okta's request shape.
// A caller may name Okta's own paths (`profile.firstName`, `credentials.password.value`) or the
// SCIM paths of seed 001's table (`name.givenName`, `userName`, `emails[0].value`, `password`);
// messages name an attribute the way the caller wrote it. Everything is checked here, before any
// request: a bad attribute leaves Okta untouched.

import { toMultiValued } from '../../config/multi-valued';
import { ConnectorError } from '../errors';
import type { CustomAttribute, OktaConfig } from './config';
import { OKTA_GROUP_SCIM_ALIASES, OKTA_USER_SCIM_ALIASES } from './scim-aliases';

export type WriteClass = 'users' | 'groups';

export const PASSWORD_PATH = 'credentials.password.value';
const PROFILE_PATH = /^profile\.([A-Za-z][A-Za-z0-9_]*)$/;

/** Only aliases that name one profile property can be written; computed ones (`active`) cannot. */
function writeAliases(table: Readonly<Record<string, string>>, extra: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [from, to] of Object.entries({ ...table, ...extra })) if (PROFILE_PATH.test(to) || to === PASSWORD_PATH) out.set(key(from), to);
  return out;
}
const key = (p: string) => p.toLowerCase().replace(/\s+/g, ' ');

const ALIASES: Record<WriteClass, Map<string, string>> = {
  // SCIM core has `password` (RFC 7643 §4.1.1); seed 001's Password is it.
  users: writeAliases(OKTA_USER_SCIM_ALIASES, { password: PASSWORD_PATH }),
  groups: writeAliases(OKTA_GROUP_SCIM_ALIASES, {}),
};

/** Set through enable/disable (and read as computed values), never as attributes. */
const LIFECYCLE = new Set(['active', 'status']);

export interface Mandatory {
  path: string;
  scim: string;
  /** Seed 001's name of the field. */
  seed: string;
}

/** Seed 001's mandatory fields of a created object. */
export const MANDATORY: Record<WriteClass, readonly Mandatory[]> = {
  users: [
    { path: 'profile.firstName', scim: 'name.givenName', seed: 'GivenName' },
    { path: 'profile.lastName', scim: 'name.familyName', seed: 'FamilyName' },
    { path: 'profile.login', scim: 'userName', seed: 'Username' },
    { path: 'profile.email', scim: 'emails[0].value', seed: 'Email' },
    { path: PASSWORD_PATH, scim: 'password', seed: 'Password' },
  ],
  groups: [{ path: 'profile.name', scim: 'displayName', seed: 'Name' }],
};

export interface WriteSchema {
  cls: WriteClass;
  /** Profile properties declared multi-valued (Okta string arrays). */
  multi: ReadonlySet<string>;
  /** Profile property holding the identity key on create, when configured and declared. */
  keyAttribute?: string;
}

export function writeSchema(config: OktaConfig, cls: WriteClass): WriteSchema {
  const declared: CustomAttribute[] = config.customAttributes?.[cls] ?? [];
  const keyAttribute = config.keyAttribute && declared.some((a) => a.name === config.keyAttribute) ? config.keyAttribute : undefined;
  return { cls, multi: new Set(declared.filter((a) => a.multiValued).map((a) => a.name)), keyAttribute };
}

export interface ResolvedValues {
  /** Okta path → value, converted (multi-valued ones are arrays, null clears). */
  values: Map<string, unknown>;
  /** Okta path → the name the caller used, for messages. */
  named: Map<string, string>;
  /** The caller spoke SCIM (at least one attribute came through an alias). */
  scim: boolean;
}

/**
 * Resolves one set of attributes (a create's attributes, or one of a delta's replace/add/remove).
 * Every problem is collected, so one error names all of them.
 */
export function resolveValues(schema: WriteSchema, attrs: Record<string, unknown>, problems: string[], into?: ResolvedValues): ResolvedValues {
  const out = into ?? { values: new Map(), named: new Map(), scim: false };
  for (const [name, raw] of Object.entries(attrs)) {
    const path = oktaPath(schema.cls, name);
    if (typeof path !== 'string') {
      problems.push(`${name}: ${path.problem}`);
      continue;
    }
    if (path !== name) out.scim = true;
    const earlier = out.named.get(path);
    if (earlier !== undefined && earlier !== name) {
      problems.push(`${name} and ${earlier} both set ${path}; give one of them`);
      continue;
    }
    try {
      out.values.set(path, convert(schema, path, raw));
      out.named.set(path, name);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
    }
  }
  return out;
}

function oktaPath(cls: WriteClass, name: string): string | { problem: string } {
  if (PROFILE_PATH.test(name)) return name;
  if (cls === 'users' && name === PASSWORD_PATH) return name;
  const alias = ALIASES[cls].get(key(name));
  if (alias) return alias;
  if (LIFECYCLE.has(key(name))) return { problem: 'is changed by enabling or disabling the user, not written as an attribute' };
  return {
    problem: `is not a writable Okta ${cls === 'users' ? 'user' : 'group'} attribute (write profile.<property>${cls === 'users' ? `, ${PASSWORD_PATH}` : ''} or a SCIM path of seed 001's table)`,
  };
}

/** Multi-valued properties become string arrays (from arrays or `[a;;b]` text); others pass as given. */
function convert(schema: WriteSchema, path: string, raw: unknown): unknown {
  if (raw === undefined) return null;
  if (path === PASSWORD_PATH) {
    if (raw !== null && typeof raw !== 'string') throw new Error('must be text');
    return raw;
  }
  const prop = path.slice('profile.'.length);
  if (!schema.multi.has(prop)) return raw;
  const list = toMultiValued(raw);
  if (list === null) return null;
  return list.map((v, i) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new Error(`value ${i + 1} of a multi-valued attribute must be text, got ${v === null ? 'null' : typeof v}`);
  });
}

export const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Okta's own rule for logins, loosely: it refuses what it refuses in practice. */
export const EMAIL_FORM = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The mandatory fields a create lacks, named in the caller's vocabulary with seed 001's name. */
export function missingMandatory(cls: WriteClass, r: ResolvedValues): string[] {
  return MANDATORY[cls].filter((m) => isBlank(r.values.get(m.path))).map((m) => `${r.scim ? m.scim : m.path} (${m.seed})`);
}

export function nameOf(r: ResolvedValues, path: string): string {
  return r.named.get(path) ?? path;
}

/** The profile part of resolved values (`profile.x` → `x`). */
export function profileOf(values: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, v] of values) if (path.startsWith('profile.')) out[path.slice('profile.'.length)] = v;
  return out;
}

export function badRequest(label: string, what: string, problems: string[], resource: WriteClass): ConnectorError {
  return new ConnectorError('bad-request', `${label}: ${what}: ${problems.join('; ')}; nothing was written`, { connector: label, resource, step: 'attributes' });
}
