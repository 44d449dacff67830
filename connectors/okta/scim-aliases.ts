// Okta objects read in the SCIM shape of seed 001's "User mapping" and "Group mapping" tables: a
// mapping may name a SCIM path (`name.givenName`, `emails[0].value`, the enterprise extension's
// URN paths) and it resolves to the Okta management API's own field or rule. Keys match
// case-insensitively (seed 001 writes `Name.GivenName`). Seed 001's on-demand `groups[]` of a
// user and a group's `members[]` are memberships, read as links, so they are not here.

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const OKTA_USER_SCIM_ALIASES: Readonly<Record<string, string>> = {
  id: 'id',
  userName: 'profile.login',
  displayName: 'profile.displayName',
  nickName: 'profile.nickName',
  'name.givenName': 'profile.firstName',
  'name.familyName': 'profile.lastName',
  'name.middleName': 'profile.middleName',
  'name.honorificPrefix': 'profile.honorificPrefix',
  'name.honorificSuffix': 'profile.honorificSuffix',
  'addresses[0].streetAddress': 'profile.streetAddress',
  'addresses[0].locality': 'profile.city',
  'addresses[0].region': 'profile.state',
  'addresses[0].postalCode': 'profile.zipCode',
  'addresses[0].country': 'profile.countryCode',
  'addresses[type eq "work"].streetAddress': 'profile.streetAddress',
  'addresses[type eq "work"].locality': 'profile.city',
  'addresses[type eq "work"].region': 'profile.state',
  'addresses[type eq "work"].postalCode': 'profile.zipCode',
  'addresses[type eq "work"].country': 'profile.countryCode',
  'emails[0].value': 'profile.email',
  'emails[type eq "work"].value': 'profile.email',
  'emails[primary eq true].value': 'profile.email',
  // Seed 001's table writes the multi-valued attribute without an index.
  'emails.value': 'profile.email',
  'phoneNumbers[0].value': 'profile.primaryPhone',
  'phoneNumbers[type eq "work"].value': 'profile.primaryPhone',
  'phoneNumbers[type eq "mobile"].value': 'profile.mobilePhone',
  'phoneNumbers.value': 'profile.primaryPhone',
  userType: 'profile.userType',
  title: 'profile.title',
  preferredLanguage: 'profile.preferredLanguage',
  locale: 'profile.locale',
  timezone: 'profile.timezone',
  // Okta's SCIM view counts only ACTIVE as active (STAGED, SUSPENDED, DEPROVISIONED… are not).
  active: 'status == "ACTIVE"',
  [`${ENTERPRISE}:employeeNumber`]: 'profile.employeeNumber',
  [`${ENTERPRISE}:department`]: 'profile.department',
  [`${ENTERPRISE}:division`]: 'profile.division',
  [`${ENTERPRISE}:costCenter`]: 'profile.costCenter',
  [`${ENTERPRISE}:organization`]: 'profile.organization',
  [`${ENTERPRISE}:manager.value`]: 'profile.managerId',
  [`${ENTERPRISE}:manager.displayName`]: 'profile.manager',
  'meta.created': 'created',
  'meta.lastModified': 'lastUpdated',
};

export const OKTA_GROUP_SCIM_ALIASES: Readonly<Record<string, string>> = {
  id: 'id',
  displayName: 'profile.name',
  description: 'profile.description',
  'meta.created': 'created',
  'meta.lastModified': 'lastUpdated',
};
