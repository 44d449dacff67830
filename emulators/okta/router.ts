// A tiny route table: `/api/v1/users/:id` patterns matched segment by segment.

import type { HookDispatcher } from './hooks';
import type { Knobs } from './options';
import type { OktaState } from './state';
import type { RequestInfo } from './systemLog';

export interface ApiRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  body: Record<string, unknown> | undefined;
  /** Origin the client used (`http://host:port`), for `_links` and `Link` headers. */
  base: string;
  info: RequestInfo;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  /** `Link` header lines. */
  links?: string[];
}

export type Handler = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

export interface Route {
  method: string;
  pattern: string;
  handler: Handler;
}

export interface RouteContext {
  state: OktaState;
  hooks: HookDispatcher;
  /** The knobs as currently set (they change while the server runs). */
  knobs: () => Knobs;
}

export type RouteMatch = { route: Route; params: Record<string, string> } | 'method-not-allowed' | null;

export function matchRoute(routes: Route[], method: string, pathname: string): RouteMatch {
  const parts = pathname.replace(/\/+$/, '').split('/');
  let pathMatched = false;
  for (const route of routes) {
    const pat = route.pattern.split('/');
    if (pat.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pat.length && ok; i++) {
      if (pat[i]!.startsWith(':')) params[pat[i]!.slice(1)] = decodeURIComponent(parts[i]!);
      else ok = pat[i] === parts[i];
    }
    if (!ok) continue;
    if (route.method === method) return { route, params };
    pathMatched = true;
  }
  return pathMatched ? 'method-not-allowed' : null;
}

export const json = (body: unknown, status = 200): ApiResponse => ({ status, body });
export const noContent = (): ApiResponse => ({ status: 204 });
