// The user and group profile schemas: Okta's base properties plus the custom ones an admin
// declares through /api/v1/meta/schemas. Profile writes are checked against them (validate.ts),
// so a custom attribute must be declared before a value can be stored, as in a real org.

export type AttrType = 'string' | 'boolean' | 'number' | 'integer' | 'array';
export type ItemType = 'string' | 'number' | 'integer';

export interface AttrDef {
  name: string;
  title: string;
  type: AttrType;
  /** Element type of an array attribute (Okta's string-array, number-array, integer-array). */
  items?: ItemType;
  required: boolean;
  /** Email-shaped values only (login, email, secondEmail). */
  format?: 'email';
  unique?: boolean;
  description?: string;
}

export type SchemaKind = 'user' | 'group';

export interface ProfileSchema {
  kind: SchemaKind;
  base: Map<string, AttrDef>;
  custom: Map<string, AttrDef>;
  created: number;
  lastUpdated: number;
}

const str = (name: string, title: string, extra: Partial<AttrDef> = {}): AttrDef => ({ name, title, type: 'string', required: false, ...extra });

// Okta's base user profile, in the order its schema lists them.
const USER_BASE: AttrDef[] = [
  str('login', 'Username', { required: true, format: 'email', unique: true }),
  str('firstName', 'First name', { required: true }),
  str('lastName', 'Last name', { required: true }),
  str('middleName', 'Middle name'),
  str('honorificPrefix', 'Honorific prefix'),
  str('honorificSuffix', 'Honorific suffix'),
  str('email', 'Primary email', { required: true, format: 'email' }),
  str('title', 'Title'),
  str('displayName', 'Display name'),
  str('nickName', 'Nickname'),
  str('profileUrl', 'Profile Url'),
  str('secondEmail', 'Secondary email', { format: 'email' }),
  str('mobilePhone', 'Mobile phone'),
  str('primaryPhone', 'Primary phone'),
  str('streetAddress', 'Street address'),
  str('city', 'City'),
  str('state', 'State'),
  str('zipCode', 'Zip code'),
  str('countryCode', 'Country code'),
  str('postalAddress', 'Postal Address'),
  str('preferredLanguage', 'Preferred language'),
  str('locale', 'Locale'),
  str('timezone', 'Time zone'),
  str('userType', 'User type'),
  str('employeeNumber', 'Employee number'),
  str('costCenter', 'Cost center'),
  str('organization', 'Organization'),
  str('division', 'Division'),
  str('department', 'Department'),
  str('managerId', 'ManagerId'),
  str('manager', 'Manager'),
];

// Okta refuses a second OKTA_GROUP of the same name, hence `unique`.
const GROUP_BASE: AttrDef[] = [str('name', 'Name', { required: true, unique: true }), str('description', 'Description')];

/** Fixed in the past like the seeded org, so a fresh emulator renders the same schema every run. */
const SCHEMA_EPOCH = Date.UTC(2019, 0, 1);

export function defaultSchema(kind: SchemaKind): ProfileSchema {
  const base = kind === 'user' ? USER_BASE : GROUP_BASE;
  return { kind, base: new Map(base.map((a) => [a.name, a])), custom: new Map(), created: SCHEMA_EPOCH, lastUpdated: SCHEMA_EPOCH };
}

export function attrOf(schema: ProfileSchema, name: string): AttrDef | undefined {
  return schema.base.get(name) ?? schema.custom.get(name);
}

export function requiredAttrs(schema: ProfileSchema): AttrDef[] {
  return [...schema.base.values(), ...schema.custom.values()].filter((a) => a.required);
}
