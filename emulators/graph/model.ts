// The directory objects and how Graph renders them: which properties each type has, which ones a
// request gets without `$select` (for users only a small default set — `accountEnabled` must be
// selected, as on Graph v1.0), and the `@odata.type` of each kind.

export type Kind = 'user' | 'group' | 'servicePrincipal' | 'application';

/** active; soft = in deleted items (restorable); hard = gone (kept only as a tombstone for delta). */
export type ObjectState = 'active' | 'soft' | 'hard';

export interface DirObject {
  kind: Kind;
  id: string;
  props: Record<string, unknown>;
  state: ObjectState;
  /** Change-log sequence numbers of this object, ascending (users and groups only). */
  changeSeqs: number[];
}

export interface MemberOp {
  seq: number;
  memberId: string;
  op: 'add' | 'remove';
}

export interface GroupObject extends DirObject {
  kind: 'group';
  members: import('./ordered').OrderedIndex;
  memberOps: MemberOp[];
}

export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  deletedDateTime: null;
  principalDisplayName: string;
  principalId: string;
  principalType: 'User' | 'Group' | 'ServicePrincipal';
  resourceDisplayName: string;
  resourceId: string;
}

export const ODATA_TYPE: Record<Kind, string> = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  servicePrincipal: '#microsoft.graph.servicePrincipal',
  application: '#microsoft.graph.application',
};

export const USER_PROPERTIES = [
  'id', 'accountEnabled', 'businessPhones', 'city', 'companyName', 'country', 'createdDateTime', 'deletedDateTime',
  'department', 'displayName', 'employeeId', 'employeeType', 'givenName', 'jobTitle', 'mail', 'mailNickname',
  'mobilePhone', 'officeLocation', 'onPremisesImmutableId', 'onPremisesSamAccountName', 'onPremisesSyncEnabled',
  'otherMails', 'postalCode', 'preferredLanguage', 'proxyAddresses', 'state', 'streetAddress', 'surname',
  'usageLocation', 'userPrincipalName', 'userType',
] as const;

/** What `GET /users` returns without `$select` (Graph v1.0 default property set). */
export const USER_DEFAULT = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'surname', 'userPrincipalName', 'id',
] as const;

export const GROUP_PROPERTIES = [
  'id', 'classification', 'createdDateTime', 'deletedDateTime', 'description', 'displayName', 'groupTypes',
  'isAssignableToRole', 'mail', 'mailEnabled', 'mailNickname', 'membershipRule', 'onPremisesSamAccountName',
  'onPremisesSyncEnabled', 'proxyAddresses', 'renewedDateTime', 'securityEnabled', 'securityIdentifier', 'visibility',
] as const;

export const SERVICE_PRINCIPAL_PROPERTIES = [
  'id', 'accountEnabled', 'appDisplayName', 'appId', 'appOwnerOrganizationId', 'appRoles', 'createdDateTime',
  'deletedDateTime', 'displayName', 'servicePrincipalNames', 'servicePrincipalType', 'tags',
] as const;

export const APPLICATION_PROPERTIES = [
  'id', 'appId', 'appRoles', 'createdDateTime', 'deletedDateTime', 'displayName', 'identifierUris',
  'publisherDomain', 'signInAudience',
] as const;

export const PROPERTIES: Record<Kind, readonly string[]> = {
  user: USER_PROPERTIES,
  group: GROUP_PROPERTIES,
  servicePrincipal: SERVICE_PRINCIPAL_PROPERTIES,
  application: APPLICATION_PROPERTIES,
};

const DEFAULTS: Record<Kind, readonly string[]> = {
  user: USER_DEFAULT,
  group: GROUP_PROPERTIES,
  servicePrincipal: SERVICE_PRINCIPAL_PROPERTIES,
  application: APPLICATION_PROPERTIES,
};

const GRAPH_TYPE_NAME: Record<Kind, string> = {
  user: 'microsoft.graph.user',
  group: 'microsoft.graph.group',
  servicePrincipal: 'microsoft.graph.servicePrincipal',
  application: 'microsoft.graph.application',
};

/** Parses `$select`; names Graph does not know for `kind` fail as Graph fails them. `extra` are
 *  navigation names a request may also select (`members` on groups delta). */
export function parseSelect(raw: string | null, kind: Kind, extra: readonly string[] = []): string[] | null {
  if (raw === null || raw.trim() === '') return null;
  const known = PROPERTIES[kind];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!known.includes(n) && !extra.includes(n)) {
      throw new SelectError(`Could not find a property named '${n}' on type '${GRAPH_TYPE_NAME[kind]}'.`);
    }
  }
  return names;
}

export class SelectError extends Error {}

/** The object as Graph returns it: the selected (or default) properties, `id` always; properties
 *  a type knows but the object lacks are null, as on Graph. */
export function render(obj: DirObject, select: string[] | null, withType = false): Record<string, unknown> {
  const names = select ?? DEFAULTS[obj.kind];
  const out: Record<string, unknown> = {};
  if (withType) out['@odata.type'] = ODATA_TYPE[obj.kind];
  const known = PROPERTIES[obj.kind];
  for (const n of names) {
    if (!known.includes(n)) continue;
    const v = obj.props[n];
    out[n] = v === undefined ? null : v;
  }
  out.id = obj.id;
  return out;
}

/** Properties settable through the admin API (everything but the id and the read-only dates). */
export function checkWritable(kind: 'user' | 'group', props: Record<string, unknown>): void {
  const known = PROPERTIES[kind];
  for (const k of Object.keys(props)) {
    if (k === 'id' || k === 'createdDateTime' || k === 'deletedDateTime' || !known.includes(k)) {
      throw new Error(`${kind} property ${k} cannot be set (settable: ${known.filter((n) => n !== 'id' && !n.endsWith('DateTime')).join(', ')})`);
    }
  }
}
