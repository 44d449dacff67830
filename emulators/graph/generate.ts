// A seeded tenant: the same seed gives the same ids, names and memberships, so tests and benchmarks
// compare against a known directory. It carries the shapes sync tools get wrong: unicode names, a
// disabled user, empty groups, nested groups, service principals as members, and one group large
// enough that its members span pages.

import { createRng, type Rng } from '../okta/random';
import type { AppRoleAssignment } from './model';
import { Tenant } from './tenant';

export interface GenerateOptions {
  tenantId: string;
  seed: number;
  users: number;
  groups: number;
  apps: number;
  membersPerGroup: number;
  bigGroupMembers: number;
}

const GIVEN = ['Ada', 'Zoë', 'José', 'Łukasz', 'Ana', 'Søren', 'Mei', 'Đorđe', 'Amélie', 'Björn', 'Chloé', 'Ivan', 'Noor', 'Kenji', 'Fatima', 'Olu', 'Priya', 'Grace', 'Mateo', 'Ярослав', '伟'];
const FAMILY = ['Lovelace', 'Ångström', 'Núñez', 'Żółć', 'Petrova', 'Kierkegaard', 'Chen', 'Šimić', 'Dubois', 'Borg', 'Müller', 'Okafor', 'Khan', 'Tanaka', 'Haddad', 'Hopper', 'Iyer', 'García', 'Шевченко', '陈'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Finance', 'Marketing', 'Support', 'Legal', 'Operations', 'Research & Development'];
const TITLES = ['Engineer', 'Manager', 'Analyst', 'Director', 'Specialist', 'Consultant'];
const CITIES = ['Zürich', 'München', 'São Paulo', 'Kraków', 'Seattle', 'Tokyo', 'Lagos', 'Reykjavík'];
const APP_NAMES = ['Salesforce', 'Workday', 'ServiceNow', 'GitHub Enterprise', 'Slack', 'Zoom', 'Atlassian Cloud', 'Box', 'Dropbox Business', 'Tableau'];

export function guid(rng: Rng): string {
  const h = (bits: number) => Math.floor(rng.next() * 2 ** bits).toString(16).padStart(bits / 4, '0');
  return `${h(32)}-${h(16)}-4${h(12)}-${'89ab'[rng.int(4)]}${h(12)}-${h(24)}${h(24)}`;
}

/** ASCII local part for a unicode name (UPNs and mail nicknames are ASCII on Entra ID). */
function ascii(s: string, fallback: string): string {
  const a = s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[łŁ]/g, 'l').replace(/[đĐ]/g, 'd').replace(/ø/g, 'o').replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return a || fallback;
}

function seededDate(rng: Rng): string {
  const t = Date.UTC(2019, 0, 1) + rng.int(5 * 365 * 24 * 3600) * 1000;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function generateTenant(o: GenerateOptions): Tenant {
  const rng = createRng(o.seed);
  const t = new Tenant(o.tenantId);
  const domain = 'contoso.onmicrosoft.com';

  const userIds: string[] = [];
  for (let i = 0; i < o.users; i++) {
    const given = rng.pick(GIVEN);
    const family = rng.pick(FAMILY);
    const nick = `${ascii(given, 'user')}.${ascii(family, 'x')}${i}`;
    const id = guid(rng);
    userIds.push(id);
    t.seedObject('user', id, {
      // The second user is the disabled one: a sync must carry accountEnabled:false through.
      accountEnabled: i !== 1 && !rng.chance(0.03),
      businessPhones: rng.chance(0.5) ? [`+1 425 555 ${String(1000 + rng.int(9000))}`] : [],
      city: rng.pick(CITIES),
      companyName: 'Contoso',
      country: 'CH',
      createdDateTime: seededDate(rng),
      deletedDateTime: null,
      department: rng.pick(DEPARTMENTS),
      displayName: `${given} ${family}`,
      employeeId: String(100000 + i),
      employeeType: 'Employee',
      givenName: given,
      jobTitle: rng.pick(TITLES),
      mail: `${nick}@contoso.com`,
      mailNickname: nick,
      mobilePhone: rng.chance(0.3) ? `+41 79 ${String(1000000 + rng.int(9000000))}` : null,
      officeLocation: `${rng.int(40) + 1}/${rng.int(3000)}`,
      onPremisesImmutableId: null,
      onPremisesSamAccountName: null,
      onPremisesSyncEnabled: null,
      otherMails: [],
      postalCode: String(8000 + rng.int(999)),
      preferredLanguage: rng.pick(['en-US', 'de-CH', 'fr-FR', 'ja-JP']),
      proxyAddresses: [`SMTP:${nick}@contoso.com`],
      state: null,
      streetAddress: `${rng.int(200) + 1} Bahnhofstrasse`,
      surname: family,
      usageLocation: 'CH',
      userPrincipalName: `${nick}@${domain}`,
      userType: i % 50 === 49 ? 'Guest' : 'Member',
    });
  }

  const spIds: string[] = [];
  for (let i = 0; i < o.apps; i++) {
    const name = i < APP_NAMES.length ? APP_NAMES[i]! : `Line-of-business app ${i + 1}`;
    const appId = guid(rng);
    const roles = [
      { id: guid(rng), allowedMemberTypes: ['User'], description: 'Users of the app', displayName: 'User', isEnabled: true, origin: 'Application', value: 'User' },
      { id: guid(rng), allowedMemberTypes: ['User'], description: 'Administrators of the app', displayName: 'Administrator', isEnabled: true, origin: 'Application', value: 'Admin' },
    ];
    const created = seededDate(rng);
    t.seedObject('application', guid(rng), {
      appId, appRoles: roles, createdDateTime: created, deletedDateTime: null, displayName: name,
      identifierUris: [`api://${appId}`], publisherDomain: 'contoso.com', signInAudience: 'AzureADMyOrg',
    });
    const spId = guid(rng);
    spIds.push(spId);
    t.seedObject('servicePrincipal', spId, {
      accountEnabled: true, appDisplayName: name, appId, appOwnerOrganizationId: o.tenantId, appRoles: roles,
      createdDateTime: created, deletedDateTime: null, displayName: name, servicePrincipalNames: [appId, `api://${appId}`],
      servicePrincipalType: 'Application', tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
    });
  }

  const groupIds: string[] = [];
  for (let i = 0; i < o.groups; i++) {
    const dept = DEPARTMENTS[i % DEPARTMENTS.length]!;
    const unified = i % 5 === 4;
    const name = i === 0 && o.bigGroupMembers > 0 ? 'All Employees – Ünïcode' : `${dept} ${unified ? 'Team' : 'Security'} ${i}`;
    const nick = ascii(name, 'group') + i;
    const id = guid(rng);
    groupIds.push(id);
    t.seedObject('group', id, {
      classification: null, createdDateTime: seededDate(rng), deletedDateTime: null,
      description: i % 7 === 3 ? null : `${name} — seeded group`, displayName: name,
      groupTypes: unified ? ['Unified'] : [], isAssignableToRole: null,
      mail: unified ? `${nick}@contoso.com` : null, mailEnabled: unified, mailNickname: nick, membershipRule: null,
      onPremisesSamAccountName: null, onPremisesSyncEnabled: null, proxyAddresses: unified ? [`SMTP:${nick}@contoso.com`] : [],
      renewedDateTime: seededDate(rng), securityEnabled: !unified,
      securityIdentifier: `S-1-12-1-${rng.int(2 ** 31)}-${rng.int(2 ** 31)}-${rng.int(2 ** 31)}-${rng.int(2 ** 31)}`,
      visibility: unified ? 'Private' : null,
    });
  }

  // Members: group 0 is the big one; every 6th group stays empty; every 4th nests a later group
  // (only later ones, so there are no cycles); every 9th holds a service principal.
  for (let i = 0; i < groupIds.length; i++) {
    const gid = groupIds[i]!;
    if (userIds.length === 0) break;
    if (i === 0 && o.bigGroupMembers > 0) {
      const n = Math.min(o.bigGroupMembers, userIds.length);
      for (let k = 0; k < n; k++) t.seedMember(gid, userIds[k]!);
      continue;
    }
    if (i % 6 === 5) continue;
    const n = Math.max(1, Math.round(o.membersPerGroup * (0.5 + rng.next())));
    for (let k = 0; k < n; k++) t.seedMember(gid, userIds[rng.int(userIds.length)]!);
    if (i % 4 === 1 && i + 1 < groupIds.length) t.seedMember(gid, groupIds[i + 1 + rng.int(Math.min(3, groupIds.length - i - 1))]!);
    if (i % 9 === 2 && spIds.length) t.seedMember(gid, spIds[rng.int(spIds.length)]!);
  }

  // Assignments: each app gets a few users and one group (its first role for users, second for the group).
  for (let a = 0; a < spIds.length; a++) {
    const spId = spIds[a]!;
    const sp = t.get(spId)!;
    const roles = sp.props.appRoles as Array<{ id: string }>;
    const count = Math.min(userIds.length, 3 + rng.int(12));
    const chosen = new Set<string>();
    for (let k = 0; k < count; k++) chosen.add(userIds[rng.int(userIds.length)]!);
    if (groupIds.length) chosen.add(groupIds[rng.int(groupIds.length)]!);
    for (const pid of chosen) {
      const p = t.get(pid)!;
      const isGroup = p.kind === 'group';
      const asg: AppRoleAssignment = {
        id: assignmentIdFrom(rng), appRoleId: roles[isGroup ? 1 : 0]!.id, createdDateTime: seededDate(rng), deletedDateTime: null,
        principalDisplayName: String(p.props.displayName), principalId: pid, principalType: isGroup ? 'Group' : 'User',
        resourceDisplayName: String(sp.props.displayName), resourceId: spId,
      };
      t.seedAssignment(spId, asg);
    }
  }
  return t;
}

function assignmentIdFrom(rng: Rng): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return Array.from({ length: 43 }, () => chars[rng.int(64)]).join('');
}
