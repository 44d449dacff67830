// Seeded org generation. Timestamps are fixed in the past (not relative to now) so the same seed
// gives byte-identical data on every run; writes made later carry the real clock and therefore
// sort after every seeded `lastUpdated`, as fresh changes do in a real org.

import { createRng, oktaId, type Rng } from './random';
import { OktaState, type AppRecord, type GroupRecord, type UserRecord, type UserStatus } from './state';

export interface GenerateOptions {
  users: number;
  groups: number;
  apps: number;
  seed: number;
  membershipsPerGroup: number;
}

const EPOCH = Date.UTC(2019, 0, 1);
const SEED_END = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;

const FIRST = ['Ada', 'Alan', 'Barbara', 'Carlos', 'Chen', 'Dana', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal',
  'Kara', 'Liam', 'Maya', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Uma', 'Victor', 'Wen', 'Yusuf', 'Zoe'];
const LAST = ['Abbott', 'Brooks', 'Castillo', 'Diaz', 'Eriksen', 'Fischer', 'Garcia', 'Hughes', 'Ivanova', 'Jensen',
  'Khan', 'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Vargas', 'Weber', 'Young'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Support', 'Legal', 'People', 'Operations', 'Security', 'Design'];
const TITLES = ['Engineer', 'Senior Engineer', 'Manager', 'Director', 'Analyst', 'Specialist', 'Associate', 'Lead', 'Coordinator'];
const TEAMS = ['Platform', 'EMEA', 'Americas', 'APAC', 'Core', 'Growth', 'Infra', 'Contractors', 'Admins', 'Leads', 'Oncall'];

const APP_CATALOG: { name: string; label: string; signOnMode: string; features: string[] }[] = [
  { name: 'salesforce', label: 'Salesforce.com', signOnMode: 'SAML_2_0', features: ['PUSH_NEW_USERS', 'PUSH_USER_DEACTIVATION'] },
  { name: 'slack', label: 'Slack', signOnMode: 'SAML_2_0', features: ['PUSH_NEW_USERS', 'PUSH_PROFILE_UPDATES', 'GROUP_PUSH'] },
  { name: 'zoomus', label: 'Zoom', signOnMode: 'SAML_2_0', features: ['PUSH_NEW_USERS'] },
  { name: 'github_enterprise', label: 'GitHub Enterprise', signOnMode: 'SAML_2_0', features: [] },
  { name: 'box', label: 'Box', signOnMode: 'SAML_2_0', features: ['PUSH_NEW_USERS', 'IMPORT_NEW_USERS'] },
  { name: 'oidc_client', label: 'Internal Portal', signOnMode: 'OPENID_CONNECT', features: [] },
  { name: 'bookmark', label: 'Benefits Site', signOnMode: 'BOOKMARK', features: [] },
  { name: 'template_swa', label: 'Expense Tool', signOnMode: 'BROWSER_PLUGIN', features: [] },
];

/** Upper bound on seeded app assignments overall, so many apps do not multiply memory. */
const MAX_TOTAL_ASSIGNMENTS = 2_000_000;

export function generateOrg(opts: GenerateOptions): OktaState {
  const rng = createRng(opts.seed);
  const admin = { id: oktaId(rng, '00u'), login: 'admin@example.com', displayName: 'Emulator Admin' };
  const state = new OktaState(createRng(opts.seed ^ 0x5bd1e995), admin);
  const typeId = oktaId(rng, 'oty');
  generateUsers(state, rng, opts.users, typeId);
  generateApps(state, rng, opts.apps, opts.users);
  generateGroups(state, rng, opts);
  return state;
}

function statusFor(rng: Rng, i: number, n: number): UserStatus {
  // Every org, however small, holds each state a sync must handle.
  if (n > 8) {
    if (i === 3) return 'DEPROVISIONED';
    if (i === 5) return 'SUSPENDED';
    if (i === 7) return 'STAGED';
  }
  const r = rng.next();
  if (r < 0.80) return 'ACTIVE';
  if (r < 0.86) return 'DEPROVISIONED';
  if (r < 0.89) return 'SUSPENDED';
  if (r < 0.92) return 'STAGED';
  if (r < 0.95) return 'PROVISIONED';
  if (r < 0.97) return 'LOCKED_OUT';
  if (r < 0.985) return 'PASSWORD_EXPIRED';
  return 'RECOVERY';
}

function generateUsers(state: OktaState, rng: Rng, n: number, typeId: string): void {
  const loginCounts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const firstName = rng.pick(FIRST);
    const lastName = rng.pick(LAST);
    const base = `${firstName}.${lastName}`.toLowerCase();
    const seen = loginCounts.get(base) ?? 0;
    loginCounts.set(base, seen + 1);
    const login = `${seen ? base + seen : base}@example.com`;
    const status = statusFor(rng, i, n);
    const created = EPOCH + rng.int(SEED_END - EPOCH - 30 * DAY);
    const staged = status === 'STAGED';
    const activated = staged ? null : created + rng.int(7 * DAY);
    const neverLoggedIn = staged || status === 'PROVISIONED' || rng.chance(0.1);
    const lastLogin = neverLoggedIn ? null : activated! + rng.int(SEED_END - activated!);
    const statusChanged = staged ? null : status === 'ACTIVE' && rng.chance(0.3) ? null : activated! + rng.int(SEED_END - activated!);
    const hasPassword = !staged && status !== 'PROVISIONED';
    const passwordChanged = hasPassword ? (activated ?? created) + rng.int(DAY) : null;
    const lastUpdated = Math.max(created, activated ?? 0, statusChanged ?? 0, passwordChanged ?? 0) + rng.int(DAY);
    const user: UserRecord = {
      index: i,
      id: oktaId(rng, '00u'),
      status,
      created,
      activated,
      statusChanged,
      lastLogin,
      lastUpdated,
      passwordChanged,
      typeId,
      hasPassword,
      deleted: false,
      profile: {
        firstName,
        lastName,
        mobilePhone: rng.chance(0.6) ? `+1 555 ${String(1000000 + rng.int(8999999)).slice(0, 7)}` : null,
        secondEmail: null,
        login,
        email: login,
        displayName: `${firstName} ${lastName}`,
        department: rng.pick(DEPARTMENTS),
        title: rng.pick(TITLES),
        employeeNumber: String(100000 + i),
        costCenter: rng.chance(0.7) ? `CC-${100 + rng.int(40)}` : null,
      },
    };
    state.users.push(user);
    state.userById.set(user.id, i);
    state.userByLogin.set(login, i);
  }
}

function generateApps(state: OktaState, rng: Rng, n: number, users: number): void {
  const perAppCap = n ? Math.floor(MAX_TOTAL_ASSIGNMENTS / n) : 0;
  for (let i = 0; i < n; i++) {
    const kind = APP_CATALOG[i % APP_CATALOG.length]!;
    const round = Math.floor(i / APP_CATALOG.length);
    const created = EPOCH + rng.int(SEED_END - EPOCH - 30 * DAY);
    const share = 0.02 + rng.next() * 0.18;
    const app: AppRecord = {
      index: i,
      id: oktaId(rng, '0oa'),
      name: kind.name,
      label: round ? `${kind.label} ${round + 1}` : kind.label,
      status: rng.chance(0.9) ? 'ACTIVE' : 'INACTIVE',
      signOnMode: kind.signOnMode,
      features: kind.features,
      created,
      lastUpdated: created + rng.int(SEED_END - created),
      assigned: sample(rng, users, Math.min(perAppCap, Math.round(users * share))),
      custom: new Map(),
    };
    state.apps.push(app);
    state.appById.set(app.id, i);
  }
}

function generateGroups(state: OktaState, rng: Rng, opts: GenerateOptions): void {
  for (let i = 0; i < opts.groups; i++) {
    const everyone = i === 0;
    const appSourced = !everyone && state.apps.length > 0 && rng.chance(0.05);
    const created = everyone ? EPOCH : EPOCH + rng.int(SEED_END - EPOCH - 30 * DAY);
    const lastUpdated = created + rng.int(SEED_END - created);
    const members = everyone
      ? ('everyone' as const)
      : sample(rng, opts.users, Math.min(opts.users, rng.int(2 * opts.membershipsPerGroup + 1)));
    const name = everyone ? 'Everyone' : `${rng.pick(DEPARTMENTS)} ${rng.pick(TEAMS)} ${i}`;
    const group: GroupRecord = {
      index: i,
      id: oktaId(rng, '00g'),
      type: everyone ? 'BUILT_IN' : appSourced ? 'APP_GROUP' : 'OKTA_GROUP',
      created,
      lastUpdated,
      lastMembershipUpdated: created + rng.int(SEED_END - created),
      profile: everyone
        ? { name, description: 'All users in your organization' }
        : { name, description: rng.chance(0.7) ? `Members of ${name}` : null },
      members,
      sourceAppId: appSourced ? rng.pick(state.apps).id : null,
      deleted: false,
    };
    state.groups.push(group);
    state.groupById.set(group.id, i);
  }
}

/** `count` distinct indices of [0, n), sorted. */
function sample(rng: Rng, n: number, count: number): Int32Array {
  if (count <= 0 || n <= 0) return new Int32Array(0);
  if (count * 2 > n) {
    // Dense: one pass choosing each index with the remaining probability (selection sampling).
    const out = new Int32Array(count);
    let chosen = 0;
    for (let i = 0; i < n && chosen < count; i++) {
      if (rng.int(n - i) < count - chosen) out[chosen++] = i;
    }
    return out;
  }
  const picked = new Set<number>();
  while (picked.size < count) picked.add(rng.int(n));
  return Int32Array.from(picked).sort();
}
