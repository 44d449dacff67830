// Custom profile properties declared, changed or removed through POST /api/v1/meta/schemas/…:
// Okta's partial update of `definitions.custom` (a property set to null is removed, with its
// values). The whole request is checked before anything changes.

import type { AttrDef, AttrType, ItemType, ProfileSchema } from './profileSchema';
import type { OktaState } from './state';
import { profileObject, validationFailed, type Cause } from './validate';

const TYPES: AttrType[] = ['string', 'boolean', 'number', 'integer', 'array'];
const ITEM_TYPES: ItemType[] = ['string', 'number', 'integer'];
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

const cause = (field: string, message: string): Cause => ({ field, text: `${field}: ${message}` });

function parseProperty(schema: ProfileSchema, name: string, raw: unknown, causes: Cause[]): AttrDef | null | undefined {
  if (raw === null) return null;
  if (!NAME.test(name)) return void causes.push(cause(name, 'A property name must start with a letter and hold only letters, digits and _'));
  if (schema.base.has(name)) return void causes.push(cause(name, 'A base property cannot be declared as a custom property'));
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return void causes.push(cause(name, 'The property definition must be a JSON object'));
  const d = raw as { title?: unknown; description?: unknown; type?: unknown; items?: { type?: unknown } | null; unique?: unknown };
  const before = causes.length;
  if (typeof d.title !== 'string' || !d.title.trim()) causes.push(cause(`${name}.title`, 'The field cannot be left blank'));
  if (!TYPES.includes(d.type as AttrType)) causes.push(cause(`${name}.type`, `must be one of ${TYPES.join(', ')}`));
  const items = d.type === 'array' ? d.items?.type : undefined;
  if (d.type === 'array' && !ITEM_TYPES.includes(items as ItemType)) {
    causes.push(cause(`${name}.items.type`, `an array property needs items.type, one of ${ITEM_TYPES.join(', ')}`));
  }
  const existing = schema.custom.get(name);
  if (existing && (existing.type !== d.type || existing.items !== items)) {
    causes.push(cause(name, `The type of an existing property cannot be changed (it is ${existing.type}${existing.items ? ` of ${existing.items}` : ''})`));
  }
  if (causes.length > before) return undefined;
  return {
    name,
    title: d.title as string,
    type: d.type as AttrType,
    ...(items ? { items: items as ItemType } : {}),
    required: existing?.required ?? false,
    ...(d.unique === 'UNIQUE_VALIDATED' && d.type === 'string' ? { unique: true } : {}),
    ...(typeof d.description === 'string' ? { description: d.description } : {}),
  };
}

export function updateSchema(state: OktaState, schema: ProfileSchema, body: Record<string, unknown> | undefined): void {
  const definitions = profileObject(body?.definitions, 'definitions');
  const causes: Cause[] = [];
  // The base section may come back as read (a client posting the whole schema); it may not add
  // properties, and its permission settings are not modelled.
  if (definitions.base !== undefined) {
    const baseProps = profileObject(definitions.base, 'definitions.base').properties;
    for (const name of Object.keys(baseProps && typeof baseProps === 'object' ? baseProps : {})) {
      if (!schema.base.has(name)) causes.push({ field: name, text: `Property name '${name}' is not a base property` });
    }
  }
  const custom = definitions.custom === undefined ? {} : profileObject(definitions.custom, 'definitions.custom');
  const properties = custom.properties === undefined ? {} : profileObject(custom.properties, 'definitions.custom.properties');
  const changes = new Map<string, AttrDef | null>();
  for (const [name, raw] of Object.entries(properties)) {
    const def = parseProperty(schema, name, raw, causes);
    if (def !== undefined) changes.set(name, def);
  }
  const after = new Set([...schema.custom.keys(), ...changes.keys()].filter((n) => changes.get(n) !== null));
  let required: Set<string> | undefined;
  if (custom.required !== undefined) {
    if (!Array.isArray(custom.required) || custom.required.some((n) => typeof n !== 'string' || !after.has(n))) {
      causes.push(cause('definitions.custom.required', 'must list custom properties of this schema'));
    } else {
      required = new Set(custom.required as string[]);
    }
  }
  if (causes.length) throw validationFailed(causes);

  for (const [name, def] of changes) {
    if (def) schema.custom.set(name, def);
    else schema.custom.delete(name);
  }
  if (required) for (const def of schema.custom.values()) def.required = required.has(def.name);
  // Removing a property removes its values from every profile, as Okta does.
  const removed = [...changes].filter(([, def]) => def === null).map(([name]) => name);
  if (removed.length) {
    const records = schema.kind === 'user' ? state.users : state.groups;
    for (const r of records) for (const name of removed) delete r.profile[name];
  }
  schema.lastUpdated = Date.now();
}
