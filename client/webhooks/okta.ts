// Okta event hooks: the one-time verification challenge, the shared-secret check, and turning a
// delivery into LiveEvents (type + target ids only: objects are re-read from Okta by id).
import { createHash, timingSafeEqual } from 'node:crypto';
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

/** Events of types the connector subscribes to (all, when it lists none), as LiveEvents. */
export function toLiveEvents(body: unknown, subscribed: string[]): { events: LiveEvent[]; ignored: number } {
  const raw = (body as { data?: { events?: OktaLogEvent[] } })?.data?.events;
  if (!Array.isArray(raw)) throw new Error('body.data.events: expected an array of Okta log events');
  const events: LiveEvent[] = [];
  let ignored = 0;
  for (const e of raw) {
    if (!e.uuid || !e.eventType || (subscribed.length > 0 && !subscribed.includes(e.eventType))) {
      ignored++;
      continue;
    }
    const targets = (e.target ?? [])
      .filter((t) => t.id && t.type && TARGET_RESOURCE[t.type])
      .map((t) => ({ resource: TARGET_RESOURCE[t.type as string], id: t.id as string }));
    if (targets.length === 0) {
      ignored++;
      continue;
    }
    events.push({ eventId: e.uuid, eventType: e.eventType, targets });
  }
  return { events, ignored };
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
