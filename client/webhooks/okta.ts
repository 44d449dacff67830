// Okta event hooks: the one-time verification challenge, the shared-secret check, and turning a
// delivery into LiveEvents (type + target ids only: objects are re-read from Okta by id).
import { createHash, timingSafeEqual } from 'node:crypto';
import { canonicalOktaEventType } from '../../connectors/okta/event-types';
import type { LiveEvent } from '../../workflows/types';

export function verificationAnswer(challenge: string | undefined): { verification: string } | null {
  return challenge ? { verification: challenge } : null;
}

/** Constant-time, also in length: both sides are hashed first. */
export function secretMatches(given: string | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const TARGET_RESOURCE: Record<string, LiveEvent['targets'][number]['resource']> = {
  User: 'users',
  UserGroup: 'groups',
  AppInstance: 'apps',
};

interface OktaLogEvent {
  uuid?: string;
  eventType?: string;
  target?: { id?: string; type?: string }[] | null;
}

// Okta ids are letters and digits (`00u1abcd…`). Anything else ("", ".", "../x", "a/b") would end
// up in a URL path when the object is re-read, so it is dropped here, before any signal.
const OKTA_ID = /^[A-Za-z0-9]{1,64}$/;
const MAX_EVENT_ID = 128;

export interface DroppedTarget {
  eventId: string;
  /** The id as received, quoted and cut short for a log line. */
  id: string;
}

/**
 * Events of types the connector subscribes to (all, when it lists none), as LiveEvents. A target
 * whose id is not an Okta id is dropped alone: the rest of its event and of the batch go on.
 */
export function toLiveEvents(body: unknown, subscribed: string[]): { events: LiveEvent[]; ignored: number; dropped: DroppedTarget[] } {
  const raw = (body as { data?: { events?: unknown } } | null)?.data?.events;
  if (!Array.isArray(raw)) throw new Error('body.data.events: expected an array of Okta log events');
  const wanted = new Set(subscribed.map(canonicalOktaEventType));
  const events: LiveEvent[] = [];
  const dropped: DroppedTarget[] = [];
  let ignored = 0;
  for (const item of raw as unknown[]) {
    const e = (item !== null && typeof item === 'object' ? item : {}) as OktaLogEvent;
    if (typeof e.uuid !== 'string' || !e.uuid || e.uuid.length > MAX_EVENT_ID || typeof e.eventType !== 'string' || (wanted.size > 0 && !wanted.has(canonicalOktaEventType(e.eventType)))) {
      ignored++;
      continue;
    }
    const targets: LiveEvent['targets'] = [];
    for (const t of Array.isArray(e.target) ? e.target : []) {
      const resource = t && typeof t.type === 'string' && Object.prototype.hasOwnProperty.call(TARGET_RESOURCE, t.type) ? TARGET_RESOURCE[t.type] : undefined;
      if (!resource) continue;
      if (typeof t.id === 'string' && OKTA_ID.test(t.id)) targets.push({ resource, id: t.id });
      else dropped.push({ eventId: e.uuid, id: shown(t.id) });
    }
    if (targets.length === 0) {
      ignored++;
      continue;
    }
    events.push({ eventId: e.uuid, eventType: e.eventType, targets });
  }
  return { events, ignored, dropped };
}

function shown(id: unknown): string {
  const text = JSON.stringify(id) ?? String(id);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A sample delivery as Okta would send it, for `tiger connector test-webhook`. */
export function sampleDelivery(userId: string, eventType = 'user.account.update_profile'): unknown {
  const now = new Date().toISOString();
  return {
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    source: 'tiger connector test-webhook',
    eventId: `test-${Date.now()}`,
    eventTime: now,
    contentType: 'application/json',
    data: {
      events: [
        {
          uuid: `tiger-test-${Date.now()}-${Math.random().toString(36).slice(2)}`,
          published: now,
          eventType,
          displayMessage: 'Sample event from tiger connector test-webhook',
          severity: 'INFO',
          outcome: { result: 'SUCCESS' },
          target: [{ id: userId, type: 'User', alternateId: userId, displayName: userId }],
        },
      ],
    },
  };
}
