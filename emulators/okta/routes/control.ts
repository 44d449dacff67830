// /__emulator/*: not Okta. Lets tests and benchmarks read the whole org, turn knobs and read
// counters. Never faulted or rate limited.

import type { ServerResponse } from 'node:http';
import type { HookDispatcher } from '../hooks';
import { parseKnobs, type KnobUpdate } from '../options';
import { renderApp, renderAppUser, renderGroup, renderUser } from '../render';
import type { AppRecord, OktaState } from '../state';
import type { Traffic } from '../traffic';

export interface ControlContext {
  state: OktaState;
  traffic: Traffic;
  hooks: HookDispatcher;
  setKnobs(k: KnobUpdate): void;
}

/** Bytes buffered before handing them to the socket (and honouring its back-pressure). */
const CHUNK_BYTES = 1 << 20;

/**
 * Streams JSON without holding the whole document (1M memberships alone are ~60 MB of text).
 * `_links` are left out: they are navigation, not data, and would double the size.
 */
async function writeSnapshot(state: OktaState, base: string, res: ServerResponse): Promise<void> {
  res.writeHead(200);
  let buffer = '';
  const flush = async () => {
    const ok = res.write(buffer);
    buffer = '';
    if (!ok) await new Promise<void>((resolve) => res.once('drain', resolve));
  };
  const section = async <T>(name: string, first: boolean, items: Iterable<T>, render: (x: T) => string) => {
    buffer += `${first ? '{' : ','}"${name}":[`;
    let sep = '';
    for (const item of items) {
      buffer += sep + render(item);
      sep = ',';
      if (buffer.length >= CHUNK_BYTES) await flush();
    }
    buffer += ']';
  };
  const data = (o: Record<string, unknown>) => {
    delete o._links;
    return JSON.stringify(o);
  };
  await section('users', true, state.liveUsers(), (u) => data(renderUser(u, base)));
  await section('groups', false, state.liveGroups(), (g) => data(renderGroup(g, base)));
  // Ids are alphanumeric, so the membership pairs need no escaping.
  await section('memberships', false, memberships(state), ([g, u]) => `{"groupId":"${g}","userId":"${u}"}`);
  await section('apps', false, state.apps, (a) => data(renderApp(a, base)));
  await section('appUsers', false, appUsers(state), ([a, i]) =>
    data({ appId: a.id, userId: state.users[i]!.id, ...renderAppUser(state, a, i, base) }));
  buffer += '}';
  await flush();
  res.end();
}

function* memberships(state: OktaState): Generator<[string, string]> {
  for (const g of state.groups) {
    if (g.deleted) continue;
    for (const i of state.memberIndices(g)) yield [g.id, state.users[i]!.id];
  }
}

function* appUsers(state: OktaState): Generator<[AppRecord, number]> {
  for (const a of state.apps) {
    for (const i of a.assigned) if (!state.users[i]!.deleted) yield [a, i];
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status);
  res.end(JSON.stringify(body));
}

export async function handleControl(
  ctx: ControlContext,
  method: string,
  pathname: string,
  body: unknown,
  base: string,
  res: ServerResponse,
): Promise<void> {
  ctx.traffic.stats.control++;
  if (method === 'GET' && pathname === '/__emulator/snapshot') return writeSnapshot(ctx.state, base, res);
  if (method === 'GET' && pathname === '/__emulator/stats') {
    return sendJson(res, 200, { ...ctx.traffic.stats, hooks: ctx.hooks.stats, logEvents: ctx.state.log.length });
  }
  if (method === 'POST' && pathname === '/__emulator/knobs') {
    try {
      ctx.setKnobs(parseKnobs(body));
    } catch (e) {
      return sendJson(res, 400, { error: (e as Error).message });
    }
    return sendJson(res, 200, ctx.traffic.knobs);
  }
  if (method === 'GET' && pathname === '/__emulator/knobs') return sendJson(res, 200, ctx.traffic.knobs);
  sendJson(res, 404, { error: `no emulator control endpoint ${method} ${pathname}` });
}
