// Profile validation with Okta's E0000001 shape: every problem becomes one errorCauses entry
// naming its field ("login: The field cannot be left blank"), so a client can report all of them
// at once; the summary names the first.

import { OktaApiError } from './errors';
import type { AttrDef, ProfileSchema } from './profileSchema';

export interface Cause {
  field: string;
  text: string;
}

export function validationFailed(causes: Cause[]): OktaApiError {
  return new OktaApiError(400, 'E0000001', `Api validation failed: ${causes[0]!.field}`, causes.map((c) => c.text));
}

const cause = (field: string, message: string): Cause => ({ field, text: `${field}: ${message}` });

/** Okta's own check is looser than RFC 5322; this one refuses what it refuses in practice. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function typeName(a: AttrDef): string {
  if (a.type === 'array') return `an array of ${a.items ?? 'string'}s`;
  return a.type === 'integer' ? 'an integer' : `a ${a.type}`;
}

function hasType(v: unknown, type: AttrDef['type'] | NonNullable<AttrDef['items']>, items?: AttrDef['items']): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return Number.isInteger(v);
    case 'array': return Array.isArray(v) && v.every((x) => hasType(x, items ?? 'string'));
  }
}

export interface ProfileChecks {
  /** True when another object already holds `value` for a unique attribute. */
  taken(attr: AttrDef, value: string): boolean;
}

/** Every cause that keeps `profile` (the whole profile as it would be stored) from being valid. */
export function profileCauses(schema: ProfileSchema, profile: Record<string, unknown>, checks: ProfileChecks): Cause[] {
  const causes: Cause[] = [];
  for (const attr of [...schema.base.values(), ...schema.custom.values()]) {
    const v = profile[attr.name];
    if (isBlank(v)) {
      if (attr.required) causes.push(cause(attr.name, 'The field cannot be left blank'));
      continue;
    }
    if (!hasType(v, attr.type, attr.items)) {
      causes.push(cause(attr.name, `The value must be ${typeName(attr)}`));
      continue;
    }
    if (attr.format === 'email' && !EMAIL.test(v as string)) {
      causes.push(cause(attr.name, attr.name === 'login' ? 'Username must be in the form of an email address' : 'Does not match required pattern'));
      continue;
    }
    if (attr.unique && checks.taken(attr, v as string)) {
      causes.push(cause(attr.name, 'An object with this field already exists in the current organization'));
    }
  }
  for (const key of Object.keys(profile)) {
    if (!schema.base.has(key) && !schema.custom.has(key)) {
      causes.push({ field: key, text: `Property name '${key}' is not defined in profile` });
    }
  }
  return causes;
}

/** A profile body must be a JSON object; anything else is refused before it is looked at. */
export function profileObject(v: unknown, field = 'profile'): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw validationFailed([cause(field, 'must be a JSON object')]);
  return v as Record<string, unknown>;
}
