// live/<name> on the real dev server while the Okta emulator fails every read: queued webhook
// events wait for the source to come back instead of being dropped with a failed workflow, and
// events given up after all their tries are named in the run log while later ones still apply.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveWorkflowId } from '../../runtime/ids';
import { refOf, sendLiveEvents } from '../../runtime/requests';
import type { ConnectorDefinition } from '../../config/types';
import { liveStateQuery, liveWorkflow } from '../../workflows/definitions';
import type { LiveEvent, LiveOptions, LiveState } from '../../workflows/types';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { oktaAdmin } from '../support/okta-admin';
import { connectorYaml, snapshot } from '../support/okta-expect';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ emulator: { users: 40, groups: 3, apps: 1, seed: 11 } });
  await h.startWorker();
});
afterAll(async () => h?.close());
afterEach(() => h.emulator!.setKnobs({ faultRate: 0 }));

const failEveryRead = () => h.emulator!.setKnobs({ faultRate: 1, faultKinds: ['5xx'] });

/** Polls until `check` returns a value; the deadline only bounds a test that is failing anyway. */
async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function setup(prefix: string) {
  const name = uniqueName(prefix);
  // One activity attempt per try: the workflow's own retries are what is under test.
  await h.addConnector(connectorYaml(name, 'retryPolicy:\n  maxAttempts: 1\n'));
  expect((await h.sync(name, 'full')).status).toBe('succeeded');
  const def = (await h.store.getConnector(name))!.definition as ConnectorDefinition;
  const users = (await snapshot(h.emulator!.url)).users.filter((u) => u.status === 'ACTIVE');
  return { name, def, users };
}

const profileEvent = (userId: string): LiveEvent => ({
  eventId: `evt-${randomUUID()}`,
  eventType: 'user.account.update_profile',
  targets: [{ resource: 'users', id: userId }],
});

async function storedEmail(connector: string, userId: string): Promise<unknown> {
  const users = (await h.store.exportData(connector, { includeDeleted: false })).users;
  return users.find((u) => u.id === userId)?.attributes.email;
}

/** The live workflow's state, or 'closed' once it is not running (it failed, on the old code). */
async function liveState(name: string): Promise<LiveState | 'closed' | null> {
  const handle = h.client.workflow.getHandle<typeof liveWorkflow>(liveWorkflowId(name));
  const desc = await handle.describe().catch(() => null);
  if (!desc || desc.status.name !== 'RUNNING') return 'closed';
  return handle.query(liveStateQuery).catch(() => null);
}

describe('live workflow under source failures', () => {
  it('keeps a failing batch and the events queued behind it until the source recovers, then applies them all', async () => {
    const { name, def, users } = await setup('live-recover');
    const admin = oktaAdmin(h.emulator!.url);
    const [a, c] = [users[0], users[1]];
    await admin.updateProfile(a.id, { ...a.profile, email: 'recovered.a@example.com' });
    await admin.updateProfile(c.id, { ...c.profile, email: 'recovered.c@example.com' });
    const options: LiveOptions = { retryBackoffMillis: 200, maxBackoffMillis: 1000, maxBatchTries: 1000 };

    failEveryRead();
    await sendLiveEvents(h.client, refOf(def), [profileEvent(a.id)], options);
    await until('a failed try of the first batch', async () => {
      const s = await liveState(name);
      return s === 'closed' || (s && s.batch && s.batch.failedTries >= 1);
    });
    // Queued behind the failing batch (or, once the workflow has died, starting a new one).
    await sendLiveEvents(h.client, refOf(def), [profileEvent(c.id)], options);
    await until('two failed tries', async () => {
      const s = await liveState(name);
      return s === 'closed' || (s && s.batch && s.batch.failedTries >= 2);
    });
    expect(await storedEmail(name, a.id)).not.toBe('recovered.a@example.com');

    h.emulator!.setKnobs({ faultRate: 0 });
    await until('both users applied', async () => (await storedEmail(name, c.id)) === 'recovered.c@example.com', 60_000).catch(() => undefined);
    expect(await storedEmail(name, a.id)).toBe('recovered.a@example.com');
    expect(await storedEmail(name, c.id)).toBe('recovered.c@example.com');
    const state = await liveState(name);
    expect(state).toMatchObject({ queued: 0, givenUp: 0, batch: null });
    const logs = await h.store.listLogs(name, { limit: 100 });
    expect(logs.filter((l) => l.message.includes('gave up'))).toEqual([]);
  });

  it('gives up on a batch only after its tries, names its events in the run log, and goes on with later events', async () => {
    const { name, def, users } = await setup('live-give-up');
    const admin = oktaAdmin(h.emulator!.url);
    const [b, c] = [users[2], users[3]];
    await admin.updateProfile(b.id, { ...b.profile, email: 'lost.b@example.com' });
    const options: LiveOptions = { retryBackoffMillis: 200, maxBackoffMillis: 400, maxBatchTries: 3 };

    failEveryRead();
    const lost = profileEvent(b.id);
    await sendLiveEvents(h.client, refOf(def), [lost], options);
    const line = await until('the give-up line', async () =>
      (await h.store.listLogs(name, { limit: 100 })).find((l) => l.message.includes('gave up')),
    );
    expect(line.level).toBe('error');
    expect(line.message).toContain(lost.eventId);
    expect(line.message).toContain('after 3 tries');
    expect(line.runId).toMatch(/^live\//);
    expect((await h.store.getRun(line.runId!))?.status).toBe('failed');
    expect(await storedEmail(name, b.id)).not.toBe('lost.b@example.com');

    h.emulator!.setKnobs({ faultRate: 0 });
    await admin.updateProfile(c.id, { ...c.profile, email: 'later.c@example.com' });
    await sendLiveEvents(h.client, refOf(def), [profileEvent(c.id)], options);
    await until('the later event applied', async () => (await storedEmail(name, c.id)) === 'later.c@example.com');
    // The same workflow carried on: it counts the given-up events.
    expect(await liveState(name)).toMatchObject({ givenUp: 1, queued: 0, batch: null });
  });
});
