// Okta reads that end before Okta's last page must say so: an empty page that still links on,
// a 404/410 on a next link, or a page that stays malformed after retries marks the resource
// incomplete (so a full run deletes none of it) with the reason, instead of passing for the
// whole list. Lists that must be whole (a group's members re-read for a delta or a webhook)
// follow every link or fail.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';
import type { PageFault } from '../../emulators/okta/options';
import type { OktaConnector } from '../../connectors/okta';
import { snapshot, type Snapshot } from '../support/okta-expect';
import { linksOf, objectsOf, oktaTestConnector, pairsOf, readAll } from '../support/okta-reading';

const TOKEN = 'it-okta-incomplete';
const PAGE = 50;
/** More empty pages in a row than the connector follows (MAX_EMPTY_PAGES). */
const ENDLESS = 100;
let emu: OktaEmulator;
let snap: Snapshot;
let everyone: string;
const open: OktaConnector[] = [];

function connector(): OktaConnector {
  const c = oktaTestConnector(emu.url, TOKEN, { pageSize: PAGE });
  open.push(c);
  return c;
}

const breakPages = (...pageFaults: PageFault[]) => emu.setKnobs({ pageFaults });

beforeAll(async () => {
  emu = await startOktaEmulator({ port: 0, users: 260, groups: 8, apps: 3, seed: 42, apiToken: TOKEN, membershipsPerGroup: 30 });
  snap = await snapshot(emu.url, TOKEN);
  everyone = snap.groups.find((g) => g.type === 'BUILT_IN')!.id;
});

afterEach(() => emu.setKnobs({ pageFaults: [] }));

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await emu?.close();
});

const LOST: { kind: PageFault['kind']; times: number; why: RegExp }[] = [
  { kind: 'empty-next', times: ENDLESS, why: /empty pages in a row that still had a next link/ },
  { kind: '404', times: 1, why: /GET \/api\/v1\/users was not found .*on a next-page link/ },
  { kind: '410', times: 1, why: /GET \/api\/v1\/users is gone \(410 .*on a next-page link/ },
  { kind: 'truncated', times: 20, why: /GET \/api\/v1\/users with 200 but a malformed \(truncated or invalid\) JSON body/ },
  { kind: 'not-array', times: 20, why: /GET \/api\/v1\/users with 200 but a JSON object where a JSON array was expected/ },
];

describe('okta full read: a list that ends early is incomplete', () => {
  it.each(LOST)('users: a $kind answer on page 3 ends the read as incomplete and says why', async ({ kind, times, why }) => {
    breakPages({ path: '/api/v1/users', page: 3, kind, times });
    const { records, warnings } = await readAll(connector(), 'users');
    // Pages 1 and 2 were read; nothing after the broken page was taken for the whole list.
    const all = snap.users.map((u) => u.id);
    expect(objectsOf(records).map((o) => o.id)).toEqual(all.slice(0, 2 * PAGE));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ resource: 'users', incomplete: true });
    expect(warnings[0]!.message).toMatch(why);
    expect(warnings[0]!.message).toContain('users not seen in this run are not deleted');
    expect(warnings[0]!.message).not.toContain(TOKEN);
    expect(warnings[0]!.message).not.toContain('after=');
  });

  it('users: a few empty pages that still link on are followed, and the read is whole', async () => {
    breakPages({ path: '/api/v1/users', page: 2, kind: 'empty-next', times: 3 }, { path: '/api/v1/users', page: 6, kind: 'empty-next', times: 1 });
    const { records, warnings } = await readAll(connector(), 'users');
    expect(warnings).toEqual([]);
    expect(objectsOf(records).map((o) => o.id)).toEqual(snap.users.map((u) => u.id));
  });

  it('memberships: a lost page inside one big group marks memberships incomplete; other groups are read whole', async () => {
    breakPages({ path: `/api/v1/groups/${everyone}/users`, page: 2, kind: '404', times: 1 });
    const { records, warnings } = await readAll(connector(), 'memberships');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ resource: 'memberships', incomplete: true });
    expect(warnings[0]!.message).toContain(`the memberships of ${everyone}`);
    expect(warnings[0]!.message).toMatch(/was not found .*on a next-page link/);
    const got = pairsOf(linksOf(records));
    const others = snap.memberships.filter((m) => m.groupId !== everyone).map((m) => `${m.groupId}/${m.userId}`).sort();
    expect(got.filter((p) => !p.startsWith(`${everyone}/`))).toEqual(others);
    expect(got.filter((p) => p.startsWith(`${everyone}/`))).toHaveLength(PAGE);
  });

  it('memberships: empty pages with next inside a group are followed, and the read is whole', async () => {
    breakPages({ path: `/api/v1/groups/${everyone}/users`, page: 2, kind: 'empty-next', times: 4 });
    const { records, warnings } = await readAll(connector(), 'memberships');
    expect(warnings).toEqual([]);
    expect(pairsOf(linksOf(records))).toEqual(snap.memberships.map((m) => `${m.groupId}/${m.userId}`).sort());
  });
});

describe('okta whole lists (a group re-read for a delta or a webhook)', () => {
  const members = () => snap.memberships.filter((m) => m.groupId === everyone).map((m) => m.userId).sort();

  it('follows empty pages that still link on to the end', async () => {
    breakPages({ path: `/api/v1/groups/${everyone}/users`, page: 2, kind: 'empty-next', times: 2 });
    const links = await connector().getLinks('memberships', everyone);
    expect(links.map((l) => l.childId).sort()).toEqual(members());
  });

  it.each(['404', '410', 'truncated'] as const)('fails rather than return part of the members when a later page answers %s', async (kind) => {
    breakPages({ path: `/api/v1/groups/${everyone}/users`, page: 2, kind, times: 20 });
    await expect(connector().getLinks('memberships', everyone)).rejects.toThrow(new RegExp(`/api/v1/groups/${everyone}/users`));
  });

  it('still answers [] for a group that is gone (404 on its first page)', async () => {
    expect(await connector().getLinks('memberships', '00gDoesNotExist000000')).toEqual([]);
  });
});
