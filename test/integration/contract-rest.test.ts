// The connector contract for the generic REST source against the REST test server (emulators/rest,
// real HTTP), configured with users, groups and memberships, deltas by `updated_since`. The
// server is seeded and changed out of band through its own data, never through the connector.
import { createRestConnector, restManifest } from '../../connectors/rest';
import { DEFAULT_REST_TOKEN, startRestServer, type RestServer } from '../../emulators/rest';
import { describeConnectorContract, type Seeded } from '../connector-contract';
import { restConfig } from '../support/rest-config';

const PAGE = 3;
const auth = { type: 'bearer', token: DEFAULT_REST_TOKEN } as const;
let srv: RestServer;
let userIds: string[] = [];
let groupIds: string[] = [];
const run = Date.now().toString(36);

describeConnectorContract({
  name: 'rest (REST test server, cursor paging)',
  // The classes come from the config; the URL does not change them.
  manifest: restManifest(restConfig('http://127.0.0.1:1', 'cursor', auth, PAGE)),
  async open() {
    srv = await startRestServer({ paging: 'cursor' });
    return createRestConnector({ name: 'contract-rest', type: 'rest' }, restConfig(srv.url, 'cursor', auth, PAGE), { maxAttempts: 2, backoffBaseMs: 5, backoffMaxMs: 20 });
  },
  async seed(): Promise<Seeded> {
    userIds = Array.from({ length: 12 }, (_, i) => srv.data.addPerson({ userName: `seed${i}-${run}@example.com` }).id);
    groupIds = Array.from({ length: 7 }, (_, i) => srv.data.addTeam({ displayName: `seed-team-${i}-${run}` }).id);
    groupIds.forEach((g, i) => [i, i + 1, i + 2].forEach((k) => srv.data.addMember(g, userIds[k % userIds.length]!)));
    return { ids: { users: userIds, groups: groupIds, memberships: groupIds.flatMap((g) => srv.data.memberIds(g).map((u) => `${g}>${u}`)) } };
  },
  async mutate(cls, id) {
    if (cls === 'users') srv.data.updatePerson(id, { department: `changed ${run}` });
    else if (cls === 'groups') srv.data.updateTeam(id, { displayName: `changed-${id}` });
    else if (cls === 'memberships') srv.data.addMember(id, userIds.find((u) => !srv.data.memberIds(id).includes(u))!);
    else throw new Error(`contract-rest: cannot change ${cls} out of band`);
  },
  async remove(cls, id) {
    if (cls === 'users') srv.data.removePerson(id);
    else if (cls === 'groups') srv.data.removeTeam(id);
    else throw new Error(`contract-rest: cannot remove ${cls} out of band`);
  },
  async makeIncomplete(cls) {
    // The second page of the list (users, groups) or one group's members (memberships) is refused.
    const prefix = cls === 'users' ? '/api/people' : cls === 'groups' ? '/api/teams' : `/api/teams/${groupIds[2]}/members`;
    srv.setFaults({ forbidden: [{ prefix, fromPage: cls === 'memberships' ? 1 : 2 }] });
    return async () => srv.setFaults({});
  },
  writeSample() {
    throw new Error('the rest connector is a source only: its manifest declares no writes');
  },
  // Marks stay lagSeconds (1 s) behind the server's Date header (whole seconds): seeding must be older.
  settleMs: 2500,
  unsupported(kase) {
    if (kase === 'delta-delete') return 'a REST source has no tombstones: deletions are found by full runs (sync.fullInterval)';
    return undefined;
  },
  async cleanup() {
    await srv?.close();
  },
});
