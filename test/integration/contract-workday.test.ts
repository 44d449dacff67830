// The connector contract against the Workday emulator, through the REST workers API (the API that
// pages; a RaaS report is one page by nature, so the contract's paging case cannot hold for it —
// RaaS reads and deltas are covered in workday-connector.test.ts). Out-of-band changes go through
// the emulator's admin API, as a Workday admin would make them in the tenant.
import { createWorkdayConnector, workdayType } from '../../connectors/workday';
import { DEFAULTS, startWorkdayEmulator, workdayAdmin, type WorkdayEmulator } from '../../emulators/workday';
import { describeConnectorContract, type Seeded } from '../connector-contract';

let emu: WorkdayEmulator;
let admin: ReturnType<typeof workdayAdmin>;
const run = Date.now().toString(36);

describeConnectorContract({
  name: 'workday (emulator, REST API)',
  manifest: workdayType.manifest,
  async open() {
    emu = await startWorkdayEmulator({ workers: 40, organizations: 12, seed: 5 });
    admin = workdayAdmin(emu.url);
    const { clientId, clientSecret, refreshToken } = DEFAULTS.oauth;
    return createWorkdayConnector(
      { name: 'contract-workday', type: 'workday' },
      { baseUrl: emu.url, tenant: emu.tenant, mode: 'rest', auth: { type: 'oauth2RefreshToken', clientId, clientSecret, refreshToken }, pageSize: 7 },
      { maxAttempts: 2, backoffBaseMs: 5, backoffMaxMs: 20 },
    );
  },
  async seed(): Promise<Seeded> {
    const s = await admin.snapshot();
    return {
      ids: {
        workers: s.workers.map((w) => w.id),
        organizations: s.organizations.map((o) => o.id),
        memberships: s.workers.filter((w) => w.orgId).map((w) => `${w.orgId}>${w.id}`),
      },
      // Organisations with members, so a membership change has a parent to land on.
      mutable: { memberships: s.organizations.filter((o) => s.workers.some((w) => w.orgId === o.id)).map((o) => o.id) },
    };
  },
  async mutate(cls, id) {
    if (cls === 'workers') await admin.updateWorker(id, { businessTitle: `changed ${run}` });
    else if (cls === 'organizations') await admin.updateOrganization(id, { name: `Changed ${run}` });
    else if (cls === 'memberships') {
      const s = await admin.snapshot();
      const outsider = s.workers.find((w) => w.orgId !== id)!;
      await admin.updateWorker(outsider.id, { orgId: id });
    } else throw new Error(`contract-workday: cannot change ${cls} out of band`);
  },
  async remove(cls, id) {
    if (cls === 'workers') await admin.removeWorker(id);
    else if (cls === 'organizations') await admin.removeOrganization(id);
    else throw new Error(`contract-workday: cannot remove ${cls} out of band`);
  },
  async makeIncomplete(cls) {
    // The integration user loses the domain that lets it page the list (403 past page one).
    await admin.setKnobs({ refuse: cls === 'organizations' ? 'supervisoryOrganizations' : 'workers' });
    return async () => {
      await admin.setKnobs({ refuse: null });
    };
  },
  writeSample() {
    throw new Error('contract-workday: Workday is a source here; its manifest declares no writes');
  },
  unsupported(kase) {
    if (kase === 'delta-change') return "Workday's REST API has no change filter: a REST delta re-reads every list, so the window before the change is never empty (RaaS deltas by report prompts are tested in workday-connector.test.ts)";
    if (kase === 'delta-delete') return 'Workday reports no deletions (terminated workers stay, with a termination date): removed objects are found by full runs';
    return undefined;
  },
  async cleanup() {
    await emu?.close();
  },
});
