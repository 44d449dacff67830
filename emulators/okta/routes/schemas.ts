// /api/v1/meta/schemas/user/{schemaId} and /api/v1/meta/schemas/group/default: read the profile
// schema in Okta's JSON-Schema shape, and declare or remove custom properties (POST).

import { notFound } from '../errors';
import type { AttrDef, ProfileSchema } from '../profileSchema';
import { json, type ApiRequest, type Route, type RouteContext } from '../router';
import { updateSchema } from '../schemaWrites';
import type { OktaState } from '../state';

const iso = (ms: number) => new Date(ms).toISOString();

function renderProperty(a: AttrDef): Record<string, unknown> {
  return {
    title: a.title,
    ...(a.description ? { description: a.description } : {}),
    type: a.type,
    ...(a.items ? { items: { type: a.items } } : {}),
    ...(a.format ? { format: a.format } : {}),
    required: a.required,
    ...(a.unique ? { unique: 'UNIQUE_VALIDATED' } : {}),
    mutability: 'READ_WRITE',
    scope: 'NONE',
    permissions: [{ principal: 'SELF', action: a.name === 'login' ? 'READ_ONLY' : 'READ_WRITE' }],
    master: { type: 'PROFILE_MASTER' },
  };
}

function section(id: string, attrs: Iterable<AttrDef>): Record<string, unknown> {
  const list = [...attrs];
  return {
    id,
    type: 'object',
    properties: Object.fromEntries(list.map((a) => [a.name, renderProperty(a)])),
    required: list.filter((a) => a.required).map((a) => a.name),
  };
}

function renderSchema(schema: ProfileSchema, schemaId: string, base: string): Record<string, unknown> {
  const user = schema.kind === 'user';
  const self = `${base}/api/v1/meta/schemas/${schema.kind}/${schemaId}`;
  return {
    id: `${base}/meta/schemas/${schema.kind}/${schemaId}`,
    $schema: 'http://json-schema.org/draft-04/schema#',
    name: schema.kind,
    title: user ? 'User' : 'Okta group',
    description: user ? 'Okta user profile template with default permission settings' : 'Okta group profile template',
    lastUpdated: iso(schema.lastUpdated),
    created: iso(schema.created),
    definitions: { custom: section('#custom', schema.custom.values()), base: section('#base', schema.base.values()) },
    type: 'object',
    properties: { profile: { allOf: [{ $ref: '#/definitions/custom' }, { $ref: '#/definitions/base' }] } },
    _links: { self: { rel: 'self', href: self, method: user ? 'GET' : 'POST' } },
  };
}

/** The org has one user type: its schema answers to `default` and to its own `osc…` id. */
function userSchemaId(state: OktaState, req: ApiRequest): string {
  const id = req.params.schemaId!;
  const typeId = state.users[0]?.typeId;
  if (id === 'default' || (typeId && id === `osc${typeId.slice(3)}`)) return id;
  throw notFound(id, 'UserSchema');
}

export function schemaRoutes({ state }: RouteContext): Route[] {
  const user = state.schemas.user;
  const group = state.schemas.group;
  return [
    { method: 'GET', pattern: '/api/v1/meta/schemas/user/:schemaId', handler: (req) => json(renderSchema(user, userSchemaId(state, req), req.base)) },
    {
      method: 'POST',
      pattern: '/api/v1/meta/schemas/user/:schemaId',
      handler: (req) => {
        const id = userSchemaId(state, req);
        updateSchema(state, user, req.body);
        return json(renderSchema(user, id, req.base));
      },
    },
    { method: 'GET', pattern: '/api/v1/meta/schemas/group/default', handler: (req) => json(renderSchema(group, 'default', req.base)) },
    {
      method: 'POST',
      pattern: '/api/v1/meta/schemas/group/default',
      handler: (req) => {
        updateSchema(state, group, req.body);
        return json(renderSchema(group, 'default', req.base));
      },
    },
  ];
}
