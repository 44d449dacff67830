// What a generic REST source needs from its config: where the API is, how to authenticate (the
// HTTP kit's schemes), and per object class the endpoint that lists it, where its records, id and
// change time sit in the JSON, how it pages, and the request parameter that selects changes.
// Messages name the field to fix and never quote a value (it may come from a reference).

import { z } from 'zod';
import { authSchemaAt } from '../http/auth';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const f = (path: string) => `config.${path}`;

/** JSON paths are dotted keys (`data.items`); '' is the body itself. */
const jsonPath = (field: string, example: string) =>
  z.string({ error: `${f(field)} must be a dotted JSON path such as ${example}` }).regex(/^$|^[^.\s][^\s]*[^.\s]$|^[^.\s]$/, `${f(field)} must be a dotted JSON path such as ${example} (no spaces, no leading or trailing dot)`);

const param = (field: string) => z.string({ error: `${f(field)} must be a query parameter name` }).min(1, `${f(field)} must not be empty`).regex(/^[A-Za-z0-9_.\-[\]]+$/, `${f(field)} must be a plain query parameter name`);

const endpointPath = (field: string, needsId: boolean) =>
  z
    .string({ error: `${f(field)} must be a path such as ${needsId ? '/api/groups/{id}/members' : '/api/people'}` })
    .regex(/^\/[^?#\s]*$/, `${f(field)} must start with / and hold no query (put fixed parameters in query)`)
    .refine((p) => !needsId || p.includes('{id}'), `${f(field)} must contain {id} (where the parent's id goes)`)
    .refine((p) => needsId || !p.includes('{id}'), `${f(field)} lists every object: {id} does not belong in it`);

function pagingSchema(field: string) {
  const strict = <T extends z.ZodRawShape>(shape: T) =>
    z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `${f(field)}.${k}`).join(', ')}` : undefined) });
  return z.discriminatedUnion(
    'style',
    [
      strict({ style: z.literal('link'), rel: z.string().min(1).optional(), sizeParam: param(`${field}.sizeParam`).optional() }),
      strict({
        style: z.literal('cursor'),
        cursorPath: jsonPath(`${field}.cursorPath`, 'meta.next_cursor').refine((p) => p !== '', `${f(field)}.cursorPath is required (where the next page's token is, e.g. meta.next_cursor)`),
        param: param(`${field}.param`).default('cursor'),
        sizeParam: param(`${field}.sizeParam`).optional(),
      }),
      strict({ style: z.literal('offset'), offsetParam: param(`${field}.offsetParam`).optional(), limitParam: param(`${field}.limitParam`).optional(), totalPath: jsonPath(`${field}.totalPath`, 'meta.total').optional() }),
      strict({
        style: z.literal('page'),
        pageParam: param(`${field}.pageParam`).optional(),
        sizeParam: param(`${field}.sizeParam`).optional(),
        firstPage: z.union([z.literal(0), z.literal(1)], { error: `${f(field)}.firstPage must be 0 or 1` }).optional(),
        totalPath: jsonPath(`${field}.totalPath`, 'meta.total').optional(),
        totalPagesPath: jsonPath(`${field}.totalPagesPath`, 'meta.pages').optional(),
      }),
    ],
    { error: `${f(field)}.style must be one of link, cursor, offset, page` },
  );
}
export type RestPaging = z.output<ReturnType<typeof pagingSchema>>;

const query = (field: string) => z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), { error: `${f(field)} must map parameter names to values` }).optional();

function deltaSchema(field: string) {
  return z.strictObject(
    {
      /** The request parameter that selects changed records. */
      param: param(`${field}.param`),
      /** Its value; `{{watermark}}` is the last mark (e.g. `updated>={{watermark}}` for a filter parameter). */
      template: z
        .string()
        .default('{{watermark}}')
        .refine((t) => t.includes('{{watermark}}'), `${f(field)}.template must contain {{watermark}}`)
        .refine((t) => !/\{\{(?!watermark\}\})/.test(t), `${f(field)}.template knows only {{watermark}}`),
      /** The record's incremental field; default: the class's updatedAt. */
      field: jsonPath(`${field}.field`, 'meta.updated').optional(),
      /** Where the first mark comes from: the server's clock (Date header) for time fields, or
       *  the largest value in the source (`scan`, for sequence numbers and versions). */
      start: z.enum(['server-clock', 'scan'], { error: `${f(field)}.start must be server-clock or scan` }).default('server-clock'),
      /** How a server-clock mark is written: ISO-8601, epoch seconds or epoch milliseconds. */
      format: z.enum(['iso', 'epoch', 'epochMs'], { error: `${f(field)}.format must be iso, epoch or epochMs` }).default('iso'),
      /** Marks stay this far behind the server's clock, so a write that commits late with an
       *  earlier time is still read next time. */
      lagSeconds: z.number({ error: `${f(field)}.lagSeconds must be a number of seconds` }).min(0).max(3600).default(5),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `${f(field)}.${k}`).join(', ')} (delta takes param, template, field, start, format, lagSeconds)` : undefined) },
  );
}

const CLASS_FIELDS = 'kind, path, query, records, id, updatedAt, get, getRecord, paging, delta';
function classSchema(cls: 'users' | 'groups') {
  const at = `classes.${cls}`;
  const kind = cls === 'users' ? 'user' : 'group';
  return z.strictObject(
    {
      /** Optional, for readers of the file: the class name fixes the kind. */
      kind: z.literal(kind, { error: `${f(at)}.kind must be ${kind} (the class name fixes it)` }).optional(),
      path: endpointPath(`${at}.path`, false),
      query: query(`${at}.query`),
      records: jsonPath(`${at}.records`, 'data.items').optional(),
      id: jsonPath(`${at}.id`, 'id').default('id'),
      updatedAt: jsonPath(`${at}.updatedAt`, 'meta.updated').optional(),
      /** One object by id (webhook re-fetches, checks), e.g. /api/people/{id}. */
      get: z.string().regex(/^\/[^?#\s]*\{id\}[^?#\s]*$/, `${f(at)}.get must be a path with {id}, e.g. /api/people/{id}`).optional(),
      getRecord: jsonPath(`${at}.getRecord`, 'data').default(''),
      paging: pagingSchema(`${at}.paging`).optional(),
      delta: deltaSchema(`${at}.delta`).optional(),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `${f(at)}.${k}`).join(', ')} (a class takes ${CLASS_FIELDS})` : undefined) },
  );
}

const linkSchema = z.strictObject(
  {
    parent: z.literal('groups', { error: `${f('links.memberships.parent')} must be groups` }).default('groups'),
    child: z.enum(['users', 'groups'], { error: `${f('links.memberships.child')} must be users or groups` }).default('users'),
    path: endpointPath('links.memberships.path', true),
    query: query('links.memberships.query'),
    records: jsonPath('links.memberships.records', 'data').optional(),
    childId: jsonPath('links.memberships.childId', 'id').default('id'),
    paging: pagingSchema('links.memberships.paging').optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `${f('links.memberships')}.${k}`).join(', ')} (a link takes parent, child, path, query, records, childId, paging)` : undefined) },
);

function baseUrl(raw: string, ctx: z.RefinementCtx): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    ctx.addIssue({ code: 'custom', message: `${f('baseUrl')} is not a URL (expected e.g. https://hr.example.com)` });
    return z.NEVER;
  }
  const bad =
    url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname) ? 'uses http://, which is allowed only for 127.0.0.1/localhost; use https://'
      : url.protocol !== 'https:' && url.protocol !== 'http:' ? 'has an unsupported scheme; use https://'
        : url.username || url.password ? 'has credentials in it; put them in config.auth'
          : url.search || url.hash ? 'has a query or fragment; give only the API base URL' : null;
  if (bad) {
    ctx.addIssue({ code: 'custom', message: `${f('baseUrl')} ${bad}` });
    return z.NEVER;
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

const KNOWN = ['baseUrl', 'auth', 'pageSize', 'paging', 'classes', 'links'];

export const restConfigSchema = z
  .strictObject(
    {
      baseUrl: z.string({ error: `${f('baseUrl')} is required (the API's base URL, e.g. https://hr.example.com)` }).transform(baseUrl),
      auth: authSchemaAt('config.auth'),
      /** Records asked for per page (the server may send fewer). */
      pageSize: z.number({ error: `${f('pageSize')} must be a whole number from 1 to 1000` }).int().min(1).max(1000).default(100),
      /** How every endpoint pages unless it says otherwise. */
      paging: pagingSchema('paging').optional(),
      classes: z.strictObject(
        { users: classSchema('users').optional(), groups: classSchema('groups').optional() },
        { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown class ${iss.keys.map((k) => f(`classes.${k}`)).join(', ')} (a rest connector reads users and groups; memberships go under config.links)` : `${f('classes')} must map users and/or groups to their endpoints`) },
      ),
      links: z
        .strictObject(
          { memberships: linkSchema.optional() },
          { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown link class ${iss.keys.map((k) => f(`links.${k}`)).join(', ')} (a rest connector knows memberships)` : `${f('links')} must map memberships to its endpoint`) },
        )
        .default({}),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => f(k)).join(', ')} (a rest connector takes ${KNOWN.join(', ')})` : undefined) },
  )
  .superRefine((c, ctx) => {
    const classes = Object.entries(c.classes).filter(([, v]) => v) as [string, NonNullable<(typeof c.classes)['users']>][];
    if (classes.length === 0) ctx.addIssue({ code: 'custom', path: ['classes'], message: `${f('classes')} must configure users, groups or both` });
    for (const [cls, spec] of classes) {
      if (!spec.paging && !c.paging) ctx.addIssue({ code: 'custom', path: ['classes', cls, 'paging'], message: `${f(`classes.${cls}.paging`)} (or ${f('paging')} for every endpoint) is required: link, cursor, offset or page` });
      if (spec.delta && !spec.delta.field && !spec.updatedAt) {
        ctx.addIssue({ code: 'custom', path: ['classes', cls, 'delta', 'field'], message: `${f(`classes.${cls}.delta.field`)} (or ${f(`classes.${cls}.updatedAt`)}) is required: the record field the delta parameter compares` });
      }
    }
    const m = c.links.memberships;
    if (m) {
      if (!c.classes.groups) ctx.addIssue({ code: 'custom', path: ['links', 'memberships', 'parent'], message: `${f('links.memberships')} needs ${f('classes.groups')}: memberships are read per group` });
      if (!c.classes[m.child]) ctx.addIssue({ code: 'custom', path: ['links', 'memberships', 'child'], message: `${f('links.memberships.child')} is ${m.child}, which ${f('classes')} does not configure` });
      if (!m.paging && !c.paging) ctx.addIssue({ code: 'custom', path: ['links', 'memberships', 'paging'], message: `${f('links.memberships.paging')} (or ${f('paging')} for every endpoint) is required: link, cursor, offset or page` });
    }
  });

export type RestConfig = z.output<typeof restConfigSchema>;
export type RestConfigInput = z.input<typeof restConfigSchema>;
export type RestClassConfig = NonNullable<RestConfig['classes']['users']>;
export type RestLinkConfig = NonNullable<RestConfig['links']['memberships']>;
export type RestDelta = NonNullable<RestClassConfig['delta']>;
