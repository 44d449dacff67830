// The User and Group resource types, declared to scimmy once per process. scimmy keeps its
// declarations in a singleton, so the handlers hold no server state: each request's context
// (built by the server that received it) carries the store, the feature flags and the base URL.

import SCIMMY from 'scimmy';
import type { ScimFeatures } from './options';
import { NotFoundError, UniquenessError, type Condition, type Kind, type ScimDoc, type ScimStore, type StoredMember, type StoredResource } from './store';

export interface RequestContext {
  store: ScimStore;
  features: ScimFeatures;
  /** Absolute, e.g. http://127.0.0.1:1234/scim/v2 — for members' $ref. */
  baseUrl: string;
  method: string;
  ifMatch: string | undefined;
  defaultCount: number;
  maxResults: number;
  /** Set by a list read: scimmy's ListResponse is handed one page, so the real total travels here. */
  totalResults?: number;
}

const SCIMError = SCIMMY.Types.Error;

/** What scimmy hands to the handlers: the parsed query of the request. */
interface ResourceRequest {
  id?: string;
  filter?: SCIMMY.Types.Filter;
  constraints?: { startIndex?: number; count?: number; totalResults?: number; sortBy?: string; sortOrder?: string };
}

export const etagOf = (version: number) => `W/"${version}"`;

function meta(kind: Kind, r: StoredResource, ctx: RequestContext): Record<string, unknown> {
  return {
    resourceType: kind === 'users' ? 'User' : 'Group',
    created: new Date(r.created).toISOString(),
    lastModified: new Date(r.modified).toISOString(),
    ...(ctx.features.etag ? { version: etagOf(r.version) } : {}),
  };
}

export function userToScim(r: StoredResource, ctx: RequestContext): ScimDoc {
  const groups = ctx.store.groupsOf(r.id).map((g) => ({ ...g, $ref: `${ctx.baseUrl}/Groups/${g.value}`, type: 'direct' }));
  return { ...r.doc, id: r.id, ...(groups.length ? { groups } : {}), meta: meta('users', r, ctx) };
}

export function groupToScim(r: StoredResource, ctx: RequestContext): ScimDoc {
  const members = ctx.store.members(r.id).map((m) => ({ ...m, $ref: `${ctx.baseUrl}/${m.type === 'User' ? 'Users' : 'Groups'}/${m.value}` }));
  return { ...r.doc, id: r.id, members, meta: meta('groups', r, ctx) };
}

/** RFC 7644 §3.14: a write against a version the client has not seen is refused with 412. */
function checkIfMatch(ctx: RequestContext, current: StoredResource): void {
  if (!ctx.features.etag || ctx.ifMatch === undefined) return;
  const wanted = ctx.ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (wanted.includes('*') || wanted.includes(`"${current.version}"`)) return;
  throw new SCIMError(412, null as unknown as string, `If-Match ${ctx.ifMatch} does not match the current version ${etagOf(current.version)}`);
}

function mustGet(ctx: RequestContext, kind: Kind, id: string): StoredResource {
  const r = ctx.store.get(kind, id);
  if (!r) throw new SCIMError(404, null as unknown as string, `${kind === 'users' ? 'User' : 'Group'} ${id} not found`);
  return r;
}

/** A filter of and-ed comparisons on indexed columns is answered by SQL; anything else by scimmy's matcher. */
function toConditions(kind: Kind, filter: SCIMMY.Types.Filter, store: ScimStore): Condition[] | undefined {
  if (filter.length !== 1) return undefined;
  const out: Condition[] = [];
  const branch = filter[0] as Record<string, unknown>;
  for (const [attr, expr] of Object.entries(branch)) {
    if (attr === 'meta' && expr && typeof expr === 'object' && !Array.isArray(expr)) {
      for (const [sub, e] of Object.entries(expr as Record<string, unknown>)) {
        const c = comparison(`meta.${sub}`, e);
        if (!c || !store.filterable(kind, c.attr) || c.op === 'eq') return undefined;
        const ms = Date.parse(String(c.value));
        if (Number.isNaN(ms)) throw new SCIMError(400, 'invalidFilter', `meta.${sub} ${c.op}: "${String(c.value)}" is not a dateTime`);
        out.push({ ...c, value: ms });
      }
      continue;
    }
    const c = comparison(attr, expr);
    if (!c || c.op !== 'eq' || !store.filterable(kind, attr) || typeof c.value !== 'string') return undefined;
    out.push(c);
  }
  return out;
}

function comparison(attr: string, expr: unknown): Condition | undefined {
  if (!Array.isArray(expr) || expr.length !== 2) return undefined;
  const [op, value] = expr as [string, unknown];
  if (!['eq', 'gt', 'ge', 'lt', 'le'].includes(op)) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return { attr, op: op as Condition['op'], value };
}

function list(kind: Kind, resource: ResourceRequest, ctx: RequestContext, render: (r: StoredResource) => ScimDoc): ScimDoc[] {
  const startIndex = Math.max(1, resource.constraints?.startIndex ?? 1);
  const count = Math.min(ctx.maxResults, Math.max(0, resource.constraints?.count ?? ctx.defaultCount));
  const conditions = resource.filter ? toConditions(kind, resource.filter, ctx.store) : [];
  let total: number;
  let page: ScimDoc[];
  if (conditions) {
    const res = ctx.store.query(kind, conditions, { offset: startIndex - 1, limit: count });
    total = res.total;
    page = res.items.map(render);
  } else {
    const matched = resource.filter!.match(ctx.store.query(kind, []).items.map(render)) as ScimDoc[];
    total = matched.length;
    page = matched.slice(startIndex - 1, startIndex - 1 + count);
  }
  ctx.totalResults = total;
  // Told that this page is the tail of the list, ListResponse neither re-slices nor re-counts it.
  // sortBy is dropped: sorting is not offered (sort.supported false), and scimmy would sort only this page.
  resource.constraints = { startIndex, count, totalResults: startIndex - 1 + page.length };
  return page;
}

function plain(instance: unknown): ScimDoc {
  const doc = JSON.parse(JSON.stringify(instance)) as ScimDoc;
  delete doc.id;
  delete doc.meta;
  delete doc.groups;
  return doc;
}

function userIngress(resource: ResourceRequest, instance: unknown, ctx: RequestContext): ScimDoc {
  const doc = plain(instance);
  if (resource.id) checkIfMatch(ctx, mustGet(ctx, 'users', resource.id));
  try {
    return userToScim(ctx.store.putUser(doc, resource.id), ctx);
  } catch (e) {
    if (e instanceof UniquenessError) throw new SCIMError(409, 'uniqueness', e.message);
    if (e instanceof NotFoundError) throw new SCIMError(404, null as unknown as string, e.message);
    throw e;
  }
}

function groupIngress(resource: ResourceRequest, instance: unknown, ctx: RequestContext): ScimDoc {
  const doc = plain(instance);
  const raw = Array.isArray(doc.members) ? (doc.members as { value?: unknown }[]) : [];
  delete doc.members;
  if (resource.id) checkIfMatch(ctx, mustGet(ctx, 'groups', resource.id));
  const ids = raw.map((m, i) => {
    if (typeof m.value !== 'string' || !m.value) throw new SCIMError(400, 'invalidValue', `members[${i}].value: expected the id of a User or Group`);
    return m.value;
  });
  const types = ctx.store.memberTypes([...new Set(ids)]);
  const members: StoredMember[] = [];
  for (const id of new Set(ids)) {
    const type = types.get(id);
    if (!type) throw new SCIMError(400, 'invalidValue', `members: no User or Group has id ${id}`);
    if (id === resource.id) throw new SCIMError(400, 'invalidValue', `members: group ${id} cannot be a member of itself`);
    members.push({ value: id, type });
  }
  try {
    return groupToScim(ctx.store.putGroup(doc, members, resource.id), ctx);
  } catch (e) {
    if (e instanceof NotFoundError) throw new SCIMError(404, null as unknown as string, e.message);
    throw e;
  }
}

function egress(kind: Kind, render: (r: StoredResource, ctx: RequestContext) => ScimDoc) {
  return (resource: ResourceRequest, ctx: RequestContext): ScimDoc | ScimDoc[] => {
    if (!resource.id) return list(kind, resource, ctx, (r) => render(r, ctx));
    const current = mustGet(ctx, kind, resource.id);
    // A PATCH is scimmy's read-modify-write: check the client's version before the read it patches.
    if (ctx.method === 'PATCH') checkIfMatch(ctx, current);
    return render(current, ctx);
  };
}

function degress(kind: Kind) {
  return (resource: ResourceRequest, ctx: RequestContext): void => {
    checkIfMatch(ctx, mustGet(ctx, kind, resource.id!));
    ctx.store.delete(kind, resource.id!);
  };
}

let declared = false;

/** Idempotent: scimmy's registry is per process, every server in it shares these handlers. */
export function declareResources(): void {
  if (declared) return;
  declared = true;
  const User = SCIMMY.Resources.User as unknown as HandlerSetters;
  const Group = SCIMMY.Resources.Group as unknown as HandlerSetters;
  SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false));
  SCIMMY.Resources.declare(SCIMMY.Resources.Group);
  User.ingress(userIngress).egress(egress('users', userToScim)).degress(degress('users'));
  Group.ingress(groupIngress).egress(egress('groups', groupToScim)).degress(degress('groups'));
}

interface HandlerSetters {
  ingress(h: (resource: ResourceRequest, instance: unknown, ctx: RequestContext) => ScimDoc): HandlerSetters;
  egress(h: (resource: ResourceRequest, ctx: RequestContext) => ScimDoc | ScimDoc[]): HandlerSetters;
  degress(h: (resource: ResourceRequest, ctx: RequestContext) => void): HandlerSetters;
}
