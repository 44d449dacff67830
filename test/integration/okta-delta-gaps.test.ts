// Okta deltas that cannot read everything must not pretend they did: a System Log that no longer
// reaches the watermark asks for a full sync (with a fresh watermark), a lastUpdated fallback
// phase that was refused keeps its start in the watermark, and one object Okta refuses (403) or
// an event id that is not an Okta id is skipped with a warning naming it while the rest applies.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';
import { appendEvent, userTarget } from '../../emulators/okta/systemLog';
import type { OktaConnector } from '../../connectors/okta';
import { oktaAdmin } from '../support/okta-admin';
import { snapshot, type Snapshot } from '../support/okta-expect';
import { ALL_RESOURCES, drainChanges, objectsOf, oktaTestConnector, testDefinition } from '../support/okta-reading';
import { build } from '../../activities/connector-cache';

const TOKEN = 'it-okta-delta-gaps';
let emu: OktaEmulator;
let snap: Snapshot;
const open: OktaConnector[] = [];
const admin = () => oktaAdmin(emu.url, TOKEN);

function connector(extra: Record<string, unknown> = {}): OktaConnector {
  const c = oktaTestConnector(emu.url, TOKEN, extra);
  open.push(c);
  return c;
}

/** A watermark after everything logged so far, so a test sees only its own changes. */
async function freshWatermark(c: OktaConnector): Promise<string> {
  return (await drainChanges(c, ALL_RESOURCES, await c.currentWatermark())).watermark;
}

const activeUsers = () => snap.users.filter((u) => u.status === 'ACTIVE');

beforeAll(async () => {
  emu = await startOktaEmulator({ port: 0, users: 120, groups: 6, apps: 2, seed: 11, apiToken: TOKEN, membershipsPerGroup: 10 });
  snap = await snapshot(emu.url, TOKEN);
});

afterEach(() => emu.setKnobs({ forbidden: [], forbiddenIds: [], logRetentionDays: 180 }));

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await emu?.close();
});

describe('okta delta: the System Log cannot reach the watermark', () => {
  it('E0000053 on since asks for a full sync and returns a fresh watermark, not the stale one', async () => {
    const c = connector();
    const stale = await c.currentWatermark();
    await new Promise((r) => setTimeout(r, 20));
    // The org's log now reaches back less than a second: the watermark has aged out.
    emu.setKnobs({ logRetentionDays: 1 / 86_400 / 10 });
    const before = Date.now();
    const r = await c.readChanges(ALL_RESOURCES, stale, null);
    expect(r.fullSyncRequired).toMatch(/System Log no longer reaches back to .*E0000053/);
    expect(r.records).toEqual([]);
    expect(r.watermark).not.toBe(stale);
    const since = Date.parse((JSON.parse(r.watermark) as { since: string }).since);
    expect(since).toBeGreaterThan(Date.parse((JSON.parse(stale) as { since: string }).since));
    expect(since).toBeGreaterThanOrEqual(before - 120_000);
  });

  it('a poll link that aged out falls back to since, and asks for a full sync when that is gone too', async () => {
    const c = connector();
    const u = activeUsers()[0]!;
    const start = await freshWatermark(c);
    await admin().updateProfile(u.id, { ...u.profile, title: 'Aged' });
    const wm = (await drainChanges(c, ['users'], start)).watermark;
    expect((JSON.parse(wm) as { next?: string }).next).toMatch(/after=/);
    await new Promise((r) => setTimeout(r, 20));
    emu.setKnobs({ logRetentionDays: 1 / 86_400 / 100 });
    const r = await c.readChanges(['users'], wm, null);
    expect(r.fullSyncRequired).toMatch(/E0000053/);
  });

  it('a watermark older than the 180 days Okta keeps asks for a full sync', async () => {
    const old = JSON.stringify({ v: 1, since: new Date(Date.now() - 200 * 86_400_000).toISOString() });
    const r = await connector().readChanges(ALL_RESOURCES, old, null);
    expect(r.fullSyncRequired).toMatch(/older than the System Log keeps \(180 days\)/);
    expect(r.watermark).not.toBe(old);
  });
});

describe('okta delta: lastUpdated fallback with a phase refused', () => {
  it('keeps the refused phase at its start, so the next delta still finds its changes', async () => {
    const c = connector();
    const wm = await c.currentWatermark();
    const oldSince = (JSON.parse(wm) as { since: string }).since;
    const s = await snapshot(emu.url, TOKEN);
    const u = s.users.filter((x) => x.status === 'ACTIVE').at(-1)!;
    const g = s.groups.find((x) => x.type === 'OKTA_GROUP')!;
    const joiner = s.users.find((x) => x.status === 'ACTIVE' && !s.memberships.some((m) => m.groupId === g.id && m.userId === x.id))!;
    await admin().updateProfile(u.id, { ...u.profile, title: 'Fallback' });
    await admin().addMember(g.id, joiner.id);

    emu.setKnobs({ forbidden: ['logs', 'groups'] });
    // The fallback's window ends a little in the past (clock skew): let it pass the changes above.
    await new Promise((r) => setTimeout(r, 10));
    const first = await drainChanges(c, ['users', 'groups', 'memberships'], wm);
    expect(objectsOf(first.records).map((o) => o.id)).toContain(u.id);
    expect(first.linkSets).toEqual([]);
    const text = first.warnings.map((w) => w.message).join('\n');
    expect(text).toContain('okta.logs.read');
    expect(text).toContain('okta.groups.read');
    expect(first.warnings.find((w) => w.resource === 'groups')).toMatchObject({ incomplete: true });
    const mark = JSON.parse(first.watermark) as { since: string; phases?: Record<string, string> };
    expect(mark.since).toBe(oldSince);
    expect(mark.phases?.groups).toBe(oldSince);
    expect(Date.parse(mark.phases!.users!)).toBeGreaterThan(Date.parse(oldSince));

    // Groups readable again (the log still is not): the membership change is read from the old start.
    emu.setKnobs({ forbidden: ['logs'] });
    const second = await drainChanges(c, ['users', 'groups', 'memberships'], first.watermark);
    const set = second.linkSets.find((x) => x.parentId === g.id);
    expect(set?.links.map((l) => l.childId)).toContain(joiner.id);
    const after = JSON.parse(second.watermark) as { since: string; phases?: Record<string, string> };
    expect(after.phases).toBeUndefined();
    expect(Date.parse(after.since)).toBeGreaterThan(Date.parse(oldSince));
  });
});

describe('okta delta: per-object 403 and malformed ids', () => {
  it('skips a user Okta refuses (403) and an event id that is not an Okta id, naming each; the rest is applied', async () => {
    const c = connector();
    const start = await freshWatermark(c);
    const [refused, allowed, removed] = activeUsers().slice(3, 6);
    await admin().updateProfile(refused!.id, { ...refused!.profile, title: 'Refused' });
    await admin().updateProfile(allowed!.id, { ...allowed!.profile, title: 'Allowed' });
    await admin().deleteUser(removed!.id);
    const info = { requestId: 'test', uri: '/api/v1/users', userAgent: 'test', ip: '127.0.0.1' };
    const target = userTarget(emu.state.findUser(allowed!.id)!);
    for (const id of ['.', '../x', '', 'a/b']) appendEvent(emu.state, 'user.account.update_profile', [{ ...target, id }], info);
    emu.setKnobs({ forbiddenIds: [refused!.id] });

    const delta = await drainChanges(c, ['users'], start);
    expect(objectsOf(delta.records).map((o) => o.id)).toEqual([allowed!.id]);
    expect(delta.deletions).toEqual([{ resource: 'users', id: removed!.id }]);
    const refusedWarning = delta.warnings.find((w) => w.message.includes(refused!.id));
    expect(refusedWarning?.message).toMatch(/403 E0000006.*okta\.users\.read.*user .* was skipped/);
    for (const id of ['.', '../x', '', 'a/b']) {
      expect(delta.warnings.some((w) => w.message.includes(`users id ${JSON.stringify(id)} is not an Okta id`))).toBe(true);
    }
    expect(delta.warnings).toHaveLength(5);
  });
});

describe('okta errors never quote a resolved domain', () => {
  it('a refused TCP connection names config.domain, not the host or address it came from', async () => {
    const hidden = oktaTestConnector('http://localhost:9', TOKEN);
    open.push(hidden);
    const err = await hidden.readPage('users', null).then(() => null, (e: Error) => e);
    expect(err?.message).toContain('config.domain');
    expect(err?.message).toContain('ECONNREFUSED');
    expect(err?.message).not.toContain('localhost');
    expect(err?.message).not.toContain('127.0.0.1');
    expect(err?.message).not.toMatch(/:9\b/);
  });

  it.each([
    ['a path', 'https://hidden-tenant.okta.com/admin'],
    ['plain http', 'http://hidden-tenant.okta.com'],
    ['no host at all', 'https://'],
  ])('a domain reference that resolves to %s is refused naming config.domain and the reference, not the value', (_what, value) => {
    const def = { ...testDefinition('okta-hidden'), config: { domain: '${HIDDEN_OKTA_DOMAIN}', apiToken: '${HIDDEN_TOKEN}' } };
    let message = '';
    try {
      build(def, { HIDDEN_OKTA_DOMAIN: value, HIDDEN_TOKEN: 'hidden-token-value' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('config.domain');
    expect(message).toContain('resolved from a reference');
    expect(message).not.toContain('hidden-tenant');
    expect(message).not.toContain('/admin');
    expect(message).not.toContain('hidden-token-value');
  });
});
