// Records → the JSON Okta returns. Built per response so memory holds only the compact records.

import type { AppRecord, EventHookRecord, GroupRecord, OktaState, UserRecord } from './state';

// Formatting a date is most of what rendering a user costs, and a list renders the same few
// timestamps of each user again on every page that holds it (a user in 100 groups: 100 times).
const isoCache = new Map<number, string>();
const ISO_CACHE_MAX = 2_000_000;
const iso = (ms: number | null): string | null => {
  if (ms === null) return null;
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= ISO_CACHE_MAX) isoCache.clear();
    text = new Date(ms).toISOString();
    isoCache.set(ms, text);
  }
  return text;
};

export function renderUser(u: UserRecord, base: string): Record<string, unknown> {
  const self = `${base}/api/v1/users/${u.id}`;
  const links: Record<string, unknown> = { self: { href: self } };
  if (u.status === 'ACTIVE') {
    links.suspend = { href: `${self}/lifecycle/suspend`, method: 'POST' };
    links.deactivate = { href: `${self}/lifecycle/deactivate`, method: 'POST' };
  } else if (u.status === 'SUSPENDED') {
    links.unsuspend = { href: `${self}/lifecycle/unsuspend`, method: 'POST' };
    links.deactivate = { href: `${self}/lifecycle/deactivate`, method: 'POST' };
  } else if (u.status === 'DEPROVISIONED' || u.status === 'STAGED') {
    links.activate = { href: `${self}/lifecycle/activate`, method: 'POST' };
  } else {
    links.deactivate = { href: `${self}/lifecycle/deactivate`, method: 'POST' };
  }
  links.schema = { href: `${base}/api/v1/meta/schemas/user/osc${u.typeId.slice(3)}` };
  links.type = { href: `${base}/api/v1/meta/types/user/${u.typeId}` };
  const credentials: Record<string, unknown> = {};
  if (u.hasPassword) credentials.password = {};
  credentials.emails = [{ value: u.profile.email, status: 'VERIFIED', type: 'PRIMARY' }];
  credentials.provider = { type: 'OKTA', name: 'OKTA' };
  return {
    id: u.id,
    status: u.status,
    created: iso(u.created),
    activated: iso(u.activated),
    statusChanged: iso(u.statusChanged),
    lastLogin: iso(u.lastLogin),
    lastUpdated: iso(u.lastUpdated),
    passwordChanged: iso(u.passwordChanged),
    type: { id: u.typeId },
    profile: u.profile,
    credentials,
    _links: links,
  };
}

export function renderGroup(g: GroupRecord, base: string): Record<string, unknown> {
  const self = `${base}/api/v1/groups/${g.id}`;
  const links: Record<string, unknown> = {
    logo: [
      { name: 'medium', href: `${base}/assets/img/logos/groups/okta-medium.png`, type: 'image/png' },
      { name: 'large', href: `${base}/assets/img/logos/groups/okta-large.png`, type: 'image/png' },
    ],
    users: { href: `${self}/users` },
    apps: { href: `${self}/apps` },
  };
  if (g.sourceAppId) links.source = { href: `${base}/api/v1/apps/${g.sourceAppId}` };
  return {
    id: g.id,
    created: iso(g.created),
    lastUpdated: iso(g.lastUpdated),
    lastMembershipUpdated: iso(g.lastMembershipUpdated),
    objectClass: [g.type === 'APP_GROUP' ? 'okta:windows_security_principal' : 'okta:user_group'],
    type: g.type,
    profile: g.profile,
    _links: links,
  };
}

export function renderApp(a: AppRecord, base: string): Record<string, unknown> {
  const self = `${base}/api/v1/apps/${a.id}`;
  return {
    id: a.id,
    name: a.name,
    label: a.label,
    status: a.status,
    lastUpdated: iso(a.lastUpdated),
    created: iso(a.created),
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
    visibility: { autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { [`${a.name}_link`]: true } },
    features: a.features,
    signOnMode: a.signOnMode,
    credentials: { userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' }, signing: {} },
    settings: { app: {}, notifications: { vpn: { network: { connection: 'DISABLED' } } } },
    _links: {
      users: { href: `${self}/users` },
      groups: { href: `${self}/groups` },
      logo: [{ name: 'medium', href: `${base}/assets/img/logos/${a.name}.png`, type: 'image/png' }],
      appLinks: [{ name: `${a.name}_link`, href: `${base}/home/${a.name}/${a.id}/1`, type: 'text/html' }],
      deactivate: { href: `${self}/lifecycle/deactivate` },
    },
  };
}

/** Seeded assignments derive their fields from the user, so nothing is stored per assignment. */
export function renderAppUser(state: OktaState, a: AppRecord, userIndex: number, base: string): Record<string, unknown> {
  const u = state.users[userIndex]!;
  const custom = a.custom.get(userIndex);
  const created = custom?.created ?? Math.max(a.created, u.created);
  const lastUpdated = custom?.lastUpdated ?? Math.max(created, u.lastUpdated);
  const active = u.status !== 'DEPROVISIONED' && u.status !== 'STAGED';
  return {
    id: u.id,
    externalId: null,
    created: iso(created),
    lastUpdated: iso(lastUpdated),
    scope: custom?.scope ?? (userIndex % 4 === 0 ? 'GROUP' : 'USER'),
    status: active ? (a.features.includes('PUSH_NEW_USERS') ? 'PROVISIONED' : 'ACTIVE') : 'INACTIVE',
    statusChanged: iso(created),
    passwordChanged: null,
    syncState: a.features.includes('PUSH_NEW_USERS') ? 'SYNCHRONIZED' : 'DISABLED',
    credentials: { userName: custom?.userName ?? u.profile.login },
    profile: custom?.profile ?? {},
    _links: {
      app: { href: `${base}/api/v1/apps/${a.id}` },
      user: { href: `${base}/api/v1/users/${u.id}` },
    },
  };
}

export function renderHook(h: EventHookRecord, base: string): Record<string, unknown> {
  const self = `${base}/api/v1/eventHooks/${h.id}`;
  return {
    id: h.id,
    status: h.status,
    verificationStatus: h.verificationStatus,
    name: h.name,
    created: iso(h.created),
    createdBy: null,
    lastUpdated: iso(h.lastUpdated),
    events: { type: 'EVENT_TYPE', items: h.eventTypes, filter: null },
    channel: {
      type: 'HTTP',
      version: '1.0.0',
      // Okta never returns the secret of the auth scheme.
      config: {
        uri: h.uri,
        headers: h.headers,
        method: 'POST',
        authScheme: h.auth ? { type: 'HEADER', key: h.auth.key } : null,
      },
    },
    _links: {
      self: { href: self },
      verify: { href: `${self}/lifecycle/verify`, hints: { allow: ['POST'] } },
      deactivate: { href: `${self}/lifecycle/deactivate`, hints: { allow: ['POST'] } },
    },
  };
}
