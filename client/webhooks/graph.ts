// Microsoft Graph change notifications: the validation handshake (`?validationToken=…` echoed as
// text/plain), and turning a delivery into LiveEvents. Only the changed object's class and id are
// taken from the body; the object itself is re-read from Graph by id (a `deleted` change re-reads
// as "not found", which the live activity applies as a deletion).
import { randomUUID } from 'node:crypto';
import type { LiveEvent } from '../../workflows/types';

/** Graph sends a token of ~150 characters; anything far longer is not a validation request. */
const MAX_VALIDATION_TOKEN = 1024;

/** The token to echo, or null when the request is not a validation request; throws on a bad one. */
export function validationToken(url: URL): string | null {
  const token = url.searchParams.get('validationToken');
  if (token === null) return null;
  if (token.length === 0 || token.length > MAX_VALIDATION_TOKEN) throw new Error(`validationToken: expected 1 to ${MAX_VALIDATION_TOKEN} characters`);
  return token;
}

// Directory object ids are GUIDs; letters, digits and dashes keep anything else (a path, "..")
// out of the re-read URL.
const GRAPH_ID = /^[A-Za-z0-9-]{1,64}$/;
const RESOURCE = /^\/?(users|groups)\/([^/]+)$/i;
const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);

interface GraphNotification {
  subscriptionId?: unknown;
  clientState?: unknown;
  changeType?: unknown;
  resource?: unknown;
  resourceData?: { id?: unknown } | null;
}

export interface ParsedNotifications {
  events: LiveEvent[];
  /** The clientState of every item, checked by the caller against the connector's secret. */
  clientStates: (string | undefined)[];
  ignored: number;
  dropped: string[];
}

/** `{value: [...]}` as LiveEvents, one per user or group change. Items of other resources (or
 *  lifecycle notifications) are counted as ignored; an item whose id is not a Graph id is dropped. */
export function toGraphEvents(body: unknown): ParsedNotifications {
  const raw = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(raw)) throw new Error('body.value: expected an array of Graph change notifications');
  const events: LiveEvent[] = [];
  const clientStates: (string | undefined)[] = [];
  const dropped: string[] = [];
  let ignored = 0;
  for (const item of raw as unknown[]) {
    const n = (item !== null && typeof item === 'object' ? item : {}) as GraphNotification;
    clientStates.push(typeof n.clientState === 'string' ? n.clientState : undefined);
    const match = typeof n.resource === 'string' ? RESOURCE.exec(n.resource) : null;
    const changeType = typeof n.changeType === 'string' ? n.changeType : '';
    if (!match || !CHANGE_TYPES.has(changeType)) {
      ignored++;
      continue;
    }
    const resource = match[1]!.toLowerCase() as 'users' | 'groups';
    let id = match[2]!;
    try {
      id = decodeURIComponent(id);
    } catch {
      // Left as sent: the id check below drops it.
    }
    const dataId = n.resourceData?.id;
    if (!GRAPH_ID.test(id) || (dataId !== undefined && dataId !== id)) {
      dropped.push(shown(id));
      continue;
    }
    // Graph gives notifications no id of their own; a redelivered one is re-read again, which
    // changes nothing.
    events.push({ eventId: `graph-${randomUUID()}`, eventType: `${resource}.${changeType}`, targets: [{ resource, id }] });
  }
  return { events, clientStates, ignored, dropped };
}

function shown(id: string): string {
  const text = JSON.stringify(id);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A sample delivery as Graph would post it, for `tiger connector test-webhook`. */
export function sampleNotification(userId: string, clientState: string): unknown {
  return {
    value: [
      {
        subscriptionId: `tiger-test-${randomUUID()}`,
        subscriptionExpirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
        changeType: 'updated',
        clientState,
        resource: `Users/${userId}`,
        resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${userId}`, id: userId },
        tenantId: '00000000-0000-0000-0000-000000000000',
      },
    ],
  };
}
