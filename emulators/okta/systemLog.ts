// System Log events with the fields Okta's LogEvent carries, appended in `published` order so a
// cursor position is also a point in time.

import { randomToken, uuid } from './random';
import type { AppRecord, GroupRecord, LogEvent, OktaState, UserRecord } from './state';

export interface LogTarget {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
  detailEntry: null;
}

const MESSAGES: Record<string, string> = {
  'user.lifecycle.create': 'Create Okta user',
  'user.account.update_profile': 'Update user profile for Okta',
  'user.lifecycle.activate': 'Activate Okta user',
  'user.lifecycle.deactivate': 'Deactivate Okta user',
  'user.lifecycle.suspend': 'Suspend Okta user',
  'user.lifecycle.unsuspend': 'Unsuspend Okta user',
  'user.lifecycle.reactivate': 'Reactivate Okta user',
  'user.lifecycle.delete.initiated': 'Delete Okta user',
  'user.account.update_password': 'Update password for Okta',
  'user.account.unlock_by_admin': 'Unlock user account by admin',
  'group.user_membership.add': 'Add user to group membership',
  'group.user_membership.remove': 'Remove user from group membership',
  'group.lifecycle.create': 'Create okta group',
  'group.lifecycle.delete': 'Delete okta group',
  'group.profile.update': 'Update group profile',
  'application.user_membership.add': 'Add user to application membership',
  'application.user_membership.remove': 'Remove user from application membership',
  'event_hook.created': 'Event hook created',
  'event_hook.verified': 'Event hook verified',
};

export const userTarget = (u: UserRecord): LogTarget => ({
  id: u.id,
  type: 'User',
  alternateId: String(u.profile.login),
  displayName: `${u.profile.firstName ?? ''} ${u.profile.lastName ?? ''}`.trim(),
  detailEntry: null,
});

export const groupTarget = (g: GroupRecord): LogTarget => ({
  id: g.id,
  type: 'UserGroup',
  alternateId: 'unknown',
  displayName: String(g.profile.name),
  detailEntry: null,
});

export const appTarget = (a: AppRecord): LogTarget => ({
  id: a.id,
  type: 'AppInstance',
  alternateId: a.label,
  displayName: a.label,
  detailEntry: null,
});

export interface RequestInfo {
  requestId: string;
  uri: string;
  userAgent: string;
  ip: string;
}

export function appendEvent(state: OktaState, eventType: string, target: LogTarget[], req: RequestInfo): LogEvent {
  const last = state.log[state.log.length - 1];
  // Monotonic so that "events after position p" and "events since t" agree.
  const publishedMs = Math.max(Date.now(), last?.publishedMs ?? 0);
  const event: LogEvent = {
    actor: { id: state.admin.id, type: 'User', alternateId: state.admin.login, displayName: state.admin.displayName, detailEntry: null },
    client: {
      userAgent: { rawUserAgent: req.userAgent, os: 'Unknown', browser: 'UNKNOWN' },
      zone: 'null',
      device: 'Unknown',
      id: null,
      ipAddress: req.ip,
      geographicalContext: null,
    },
    device: null,
    authenticationContext: {
      authenticationProvider: null,
      credentialProvider: null,
      credentialType: null,
      issuer: null,
      interface: null,
      authenticationStep: 0,
      externalSessionId: `trs${randomToken(state.rng, 22)}`,
    },
    displayMessage: MESSAGES[eventType] ?? eventType,
    eventType,
    outcome: { result: 'SUCCESS', reason: null },
    published: new Date(publishedMs).toISOString(),
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    severity: 'INFO',
    debugContext: { debugData: { requestId: req.requestId, requestUri: req.uri.split('?')[0], url: req.uri } },
    legacyEventType: null,
    transaction: { type: 'WEB', id: req.requestId, detail: {} },
    uuid: uuid(state.rng),
    version: '0',
    request: { ipChain: [{ ip: req.ip, geographicalContext: null, version: 'V4', source: null }] },
    target,
  };
  state.log.push({ seq: state.log.length, publishedMs, event });
  for (const listener of state.logListeners) listener(event);
  return event;
}
