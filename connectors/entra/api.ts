// Microsoft Graph as this connector reads it: list pages that follow `@odata.nextLink` only
// (empty pages included), gets by id, and what a refusal means — the permission a 403 lacks,
// a delta token Graph no longer accepts.

import { ConnectorError } from '../errors';
import type { HttpClient } from '../http/client';
import { ForbiddenError, isForbidden, type ForbiddenInfo } from '../http/forbidden';
import { nextPage, type Page, type PagedList } from '../http/paging';
import { isGraphId, PERMISSION, type EntraClass } from './classes';
import { pendingMs } from './throttle';

export type GraphItem = Record<string, unknown> & { id: string };

export interface GraphContext {
  http: HttpClient;
  label: string;
  pageSize: number;
  /** Permissions config.scopes says the app holds. */
  scopes: readonly string[];
  select: Record<'users' | 'groups' | 'apps', string[]>;
  /** Names this app registration in the tenant's throttle (throttle.ts). */
  throttleKey: string;
  sleep: (ms: number) => Promise<void>;
}

/** A server link kept as path and query only: cursors and watermarks never hold the host. */
export function relativeLink(link: string): string {
  const u = new URL(link, 'http://relative.invalid');
  return u.pathname + u.search;
}

async function waitForTenant(ctx: GraphContext): Promise<void> {
  const ms = pendingMs(ctx.throttleKey);
  if (ms > 0) await ctx.sleep(ms);
}

/** One page of a Graph list; `cursor` null is the first page. Items without an id are dropped
 *  (Graph never sends one; an id-less object could not be stored or deleted). */
export async function graphPage(ctx: GraphContext, list: PagedList, cursor: string | null): Promise<Page<GraphItem>> {
  await waitForTenant(ctx);
  const page = await nextPage<GraphItem>(ctx.http, list, cursor);
  const items = page.items.filter((i) => i && typeof i === 'object' && typeof i.id === 'string');
  return {
    ...page,
    items,
    nextCursor: page.nextCursor === null ? null : relativeLink(page.nextCursor),
    ...(page.deltaLink ? { deltaLink: relativeLink(page.deltaLink) } : {}),
  };
}

/** Every item of a list, all pages. */
export async function graphAll(ctx: GraphContext, list: PagedList): Promise<GraphItem[]> {
  const out: GraphItem[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<GraphItem> = await graphPage(ctx, list, cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** GET one object; null when Graph says it does not exist. */
export async function graphGet(ctx: GraphContext, path: string, select: readonly string[], resource: string): Promise<GraphItem | null> {
  await waitForTenant(ctx);
  try {
    const res = await ctx.http.getJson<GraphItem>(path, { query: { $select: select.join(',') }, resource });
    return res.body && typeof res.body.id === 'string' ? res.body : null;
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'not-found' && err.details.status === 404) return null;
    throw err;
  }
}

export function checkId(ctx: GraphContext, cls: string, id: string): string {
  if (!isGraphId(id)) throw new ConnectorError('bad-request', `${ctx.label}: "${String(id).slice(0, 80)}" is not a Graph object id (${cls})`, { connector: ctx.label, resource: cls });
  return id;
}

/** The run-log text of a 403: the permission of seed 004's list the read needs, and whether
 *  config.scopes claims it (then consent is what is missing). */
export function forbiddenText(ctx: GraphContext, cls: EntraClass, info: ForbiddenInfo): string {
  const permission = PERMISSION[cls];
  const claimed = ctx.scopes.includes(permission) || ctx.scopes.includes('Directory.Read.All');
  const code = info.code ?? 'Forbidden';
  const fix = claimed
    ? `config.scopes lists it, so grant admin consent for it to the app registration (config.clientId)`
    : `grant the application permission ${permission} (or Directory.Read.All) to the app registration (config.clientId) with admin consent, and add it to config.scopes`;
  return `Graph denied GET ${info.endpoint ?? cls} (403 ${code}): the app lacks the Microsoft Graph permission ${permission}; ${fix}. ${cls} were not read, and ${cls} not seen in this run are not deleted`;
}

/** The 403 rethrown with the permission named (for reads that fail instead of warning). */
export function explainForbidden(ctx: GraphContext, cls: EntraClass, err: unknown): unknown {
  if (!isForbidden(err)) return err;
  const info = err instanceof ForbiddenError ? err.info : {};
  return new ForbiddenError(new ConnectorError('forbidden', `${ctx.label}: ${forbiddenText(ctx, cls, info)}`, err.details), info);
}

const DELTA_CODES = /\b(syncStateNotFound|resyncRequired|syncStateInvalid|InvalidDeltaToken|invalidDeltaToken)\b/;

/** Why Graph will not continue from a delta link, or null when `err` is another failure. */
export function deltaRefusal(err: unknown): string | null {
  if (!(err instanceof ConnectorError)) return null;
  const code = DELTA_CODES.exec(err.message)?.[1];
  if (err.details.status === 410) return `Graph no longer accepts the delta token (410 Gone${code ? `, ${code}` : ''})`;
  if (code && (err.details.status === 400 || err.details.status === 404)) return `Graph rejected the delta token (${err.details.status} ${code})`;
  return null;
}
