// Seed 004's Okta file maps in SCIM paths (`userName`, `emails[0].value`, `name.givenName`, …).
// Okta's management API has none of them, so before the SCIM view of seed 001's table every one
// came out null on every user, silently. Read real users from the Okta emulator through the
// production path (file → normalize → the type's manifest → record mapper) and compare with the
// emulator's own data; a path that matches nothing must be said, at create time and in the run log.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMapping } from '../../config/mapping';
import { formatMultiValued } from '../../config/multi-valued';
import { PostgresStore } from '../../store/postgres';
import { SqliteStore } from '../../store/sqlite';
import type { IdentityStore } from '../../store/types';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';
import { normalizeWithWarnings } from '../../config/normalize';
import { typeSchemas } from '../../connectors/registry';
import { oktaType, type OktaConnector } from '../../connectors/okta';
import { createRecordMapper } from '../../pipeline/mapper';
import { coverageWarning, MappingCoverage, unresolvedPaths } from '../../pipeline/mapping-coverage';
import type { SourceObject } from '../../connectors/types';
import { objectsOf, oktaTestConnector, readAll } from '../support/okta-reading';
import { snapshot, type Snapshot } from '../support/okta-expect';

const TOKEN = 'it-okta-scim-mapping';

// Seed 004's "Okta Configuration" example, as written there.
const seed004 = (attributeMapping: Record<string, string>) => ({
  type: 'okta',
  name: 'Okta Production',
  config: {
    domain: 'company.okta.com',
    apiToken: '{{secret:okta-api-token}}',
    scimEndpoint: 'https://company.okta.com/api/v1/scim/v2',
    attributeMapping,
  },
});
const SEED_004_MAPPING = {
  username: 'userName',
  email: 'emails[0].value',
  firstName: 'name.givenName',
  lastName: 'name.familyName',
  displayName: 'displayName',
  active: 'active',
};

let emu: OktaEmulator;
let connector: OktaConnector;
let users: SourceObject[];
let org: Snapshot;

beforeAll(async () => {
  emu = await startOktaEmulator({ port: 0, users: 150, groups: 4, apps: 1, seed: 7, apiToken: TOKEN, membershipsPerGroup: 5 });
  connector = oktaTestConnector(emu.url, TOKEN);
  users = objectsOf((await readAll(connector, 'users')).records);
  org = await snapshot(emu.url, TOKEN);
});

afterAll(async () => {
  await connector?.close();
  await emu?.close();
});

function mapperFor(attributeMapping: Record<string, string>) {
  const { definition, warnings } = normalizeWithWarnings(seed004(attributeMapping), 'okta.json', typeSchemas());
  // The display name earns its own (slug) warning; only the mapping's are under test here.
  const mappingWarnings = warnings.filter((w) => w.path.startsWith('config.attributeMapping'));
  return { mapper: createRecordMapper(definition, oktaType.manifest), warnings: mappingWarnings };
}

describe('seed 004 Okta attributeMapping in SCIM paths', () => {
  it('maps every user to the emulator\'s values, none of them null', () => {
    expect(users.length).toBe(org.users.length);
    expect(users.length).toBeGreaterThan(100);
    const { mapper, warnings } = mapperFor(SEED_004_MAPPING);
    const staged = mapper.toStaged(users, 'full').objects;
    expect(staged).toHaveLength(org.users.length);
    const byId = new Map(staged.map((o) => [o.id, o.attrs]));
    const statuses = new Set<string>();
    for (const u of org.users) {
      statuses.add(u.status);
      const attrs = byId.get(u.id)!;
      // The type's default entries (login, status) are stored too; the file's six are under test.
      const six = Object.fromEntries(Object.keys(SEED_004_MAPPING).map((k) => [k, attrs[k]]));
      expect(six, u.id).toEqual({
        username: u.profile.login,
        email: u.profile.email,
        firstName: u.profile.firstName,
        lastName: u.profile.lastName,
        displayName: u.profile.displayName,
        active: u.status === 'ACTIVE',
      });
      for (const [key, value] of Object.entries(six)) expect(value, `${u.id} ${key}`).not.toBeNull();
    }
    // Both sides of the `status == "ACTIVE"` rule occur in this org.
    expect(statuses.has('ACTIVE') && statuses.size > 1).toBe(true);
    // And the config check knows these paths now.
    expect(warnings).toEqual([]);
  });

  it('says when a mapping path matches nothing: at create time and after reading', () => {
    const mapping = {
      ...SEED_004_MAPPING,
      // A typo under profile.*: allowed by the type's paths, but no user has it.
      jobTitle: 'profile.jobTitel',
      // The enterprise extension's cost centre is in the SCIM view; this attribute is not.
      badge: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:badgeNumber',
    };
    const { mapper, warnings } = mapperFor(mapping);
    expect(warnings).toEqual([
      {
        file: 'okta.json',
        path: 'config.attributeMapping.badge',
        message: 'source path urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:badgeNumber does not occur on okta users, so badge would be null on every row',
      },
    ]);
    const compiled = mapper.mappingOf('users')!;
    const raws = users.map((u) => u.raw);
    expect(unresolvedPaths(compiled, raws)).toEqual(['jobTitle', 'badge']);
    const coverage = new MappingCoverage(compiled);
    raws.forEach((r) => coverage.observe(r));
    expect(coverageWarning('users', coverage)).toBe(
      `mapping of users: jobTitle (profile.jobTitel); badge (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:badgeNumber) resolved on none of ${users.length} objects read, so they are null (or constant) on every row; check the path's spelling and the source's attribute names`,
    );
  });

  it('reads the enterprise extension and a cost centre only some users have', () => {
    const { mapper } = mapperFor({
      ...SEED_004_MAPPING,
      employeeNumber: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
      costCenter: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter',
    });
    const byId = new Map(mapper.toStaged(users, 'full').objects.map((o) => [o.id, o.attrs]));
    for (const u of org.users) {
      expect(byId.get(u.id)?.employeeNumber).toBe(u.profile.employeeNumber);
      expect(byId.get(u.id)?.costCenter).toBe(u.profile.costCenter ?? null);
    }
    expect(unresolvedPaths(mapper.mappingOf('users')!, users.map((u) => u.raw))).toEqual([]);
  });
});

describe('multi-valued custom attributes through the store', () => {
  const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const pgSchema = `tiger_multi_valued_${process.pid}_${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'tiger-multi-'));
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const client = new Client({ connectionString: pgUrl });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
    } finally {
      await client.end();
    }
  });

  it.each([
    ['sqlite', () => new SqliteStore(join(dir, 'tiger.db'))],
    ['postgres', () => new PostgresStore(pgUrl, { schema: pgSchema })],
  ] as [string, () => IdentityStore][])('%s keeps declared multi-valued attributes as arrays', async (_engine, open) => {
    const store = open();
    try {
      await store.migrate();
      // Emulator users with a multi-valued custom attribute in each form a source may give it.
      const given = [['go', 'ts'], formatMultiValued(['a;b', '[x]', '']), 'solo'];
      const picked = users.slice(0, 3);
      const raws = picked.map((u, i) => ({ ...u.raw, profile: { ...(u.raw.profile as object), skills: given[i] } }));
      const m = compileMapping({ skills: 'profile.skills', email: 'profile.email' }, {}, { multiValued: ['skills'] });
      const runId = `mv-${process.pid}-${Date.now()}`;
      await store.beginRun({ runId, connector: 'mv', mode: 'full', trigger: 'test' });
      const objects = raws.map((r, i) => ({ kind: 'user' as const, id: picked[i].id, attrs: m.map(r) }));
      await store.stagePage(`${runId}/p1`, 'mv', { objects, links: [], deletions: [], linkSets: [] }, runId);
      await store.applyStagedPage(`${runId}/p1`, 'mv', runId);
      const stored = await store.getObjects('mv', 'user', objects.map((o) => o.id), { includeDeleted: false });
      const skills = new Map(stored.map((o) => [o.id, o.attributes.skills]));
      expect(objects.map((o) => skills.get(o.id))).toEqual([['go', 'ts'], ['a;b', '[x]', ''], ['solo']]);
    } finally {
      await store.close();
    }
  });
});
