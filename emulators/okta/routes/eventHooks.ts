// /api/v1/eventHooks: create, list, read, verify, activate/deactivate, delete.

import { notFound, OktaApiError, validation } from '../errors';
import { oktaId } from '../random';
import { renderHook } from '../render';
import { json, noContent, type ApiRequest, type Route, type RouteContext } from '../router';
import type { EventHookRecord, OktaState } from '../state';

function requireHook(state: OktaState, id: string): EventHookRecord {
  const h = state.hooks.find((x) => x.id === id);
  if (!h) throw notFound(id, 'EventHook');
  return h;
}

function parseHook(state: OktaState, body: Record<string, unknown> | undefined): EventHookRecord {
  if (!body) throw validation('body', 'a JSON object is required');
  if (typeof body.name !== 'string' || !body.name) throw validation('name', 'The field cannot be left blank');
  const events = body.events as { type?: unknown; items?: unknown } | undefined;
  if (events?.type !== 'EVENT_TYPE' || !Array.isArray(events.items) || !events.items.every((x) => typeof x === 'string')) {
    throw validation('events', 'expected {type: "EVENT_TYPE", items: [event types]}');
  }
  const channel = body.channel as { type?: unknown; config?: Record<string, unknown> } | undefined;
  const config = channel?.config;
  if (channel?.type !== 'HTTP' || !config || typeof config.uri !== 'string') {
    throw validation('channel.config.uri', 'an HTTP channel with a uri is required');
  }
  try {
    new URL(config.uri);
  } catch {
    throw validation('channel.config.uri', 'must be an absolute URL');
  }
  const headers = Array.isArray(config.headers)
    ? (config.headers as { key?: unknown; value?: unknown }[]).map((h) => ({ key: String(h.key), value: String(h.value) }))
    : [];
  const scheme = config.authScheme as { type?: unknown; key?: unknown; value?: unknown } | null | undefined;
  const auth = scheme && typeof scheme.key === 'string' && typeof scheme.value === 'string'
    ? { key: scheme.key, value: scheme.value }
    : null;
  const now = Date.now();
  return {
    id: oktaId(state.rng, 'who'),
    name: body.name,
    status: 'ACTIVE',
    verificationStatus: 'UNVERIFIED',
    created: now,
    lastUpdated: now,
    eventTypes: events.items as string[],
    uri: config.uri,
    headers,
    auth,
  };
}

export function eventHookRoutes({ state, hooks }: RouteContext): Route[] {
  const lifecycle = async (req: ApiRequest) => {
    const h = requireHook(state, req.params.id!);
    const action = req.params.action;
    if (action === 'verify') {
      if (!(await hooks.verify(h))) {
        throw new OktaApiError(400, 'E0000001', 'Api validation failed: eventHook', [
          'Verification failed: the endpoint did not echo the x-okta-verification-challenge value',
        ]);
      }
      h.verificationStatus = 'VERIFIED';
    } else if (action === 'activate' || action === 'deactivate') {
      h.status = action === 'activate' ? 'ACTIVE' : 'INACTIVE';
    } else {
      throw notFound(req.url.pathname, 'Path');
    }
    h.lastUpdated = Date.now();
    return json(renderHook(h, req.base));
  };
  return [
    {
      method: 'POST',
      pattern: '/api/v1/eventHooks',
      handler: (req) => {
        const h = parseHook(state, req.body);
        state.hooks.push(h);
        return json(renderHook(h, req.base));
      },
    },
    { method: 'GET', pattern: '/api/v1/eventHooks', handler: (req) => json(state.hooks.map((h) => renderHook(h, req.base))) },
    { method: 'GET', pattern: '/api/v1/eventHooks/:id', handler: (req) => json(renderHook(requireHook(state, req.params.id!), req.base)) },
    { method: 'POST', pattern: '/api/v1/eventHooks/:id/lifecycle/:action', handler: lifecycle },
    {
      method: 'DELETE',
      pattern: '/api/v1/eventHooks/:id',
      handler: (req) => {
        const h = requireHook(state, req.params.id!);
        if (h.status === 'ACTIVE') {
          throw new OktaApiError(400, 'E0000001', 'Api validation failed: eventHook', ['Deactivate the event hook before deleting it']);
        }
        state.hooks.splice(state.hooks.indexOf(h), 1);
        return noContent();
      },
    },
  ];
}
