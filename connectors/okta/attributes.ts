// The attribute paths of Okta's user, group and app objects (management API), so a filter on a
// path they never have is flagged when the connector is created. Profiles take custom attributes,
// hence `profile.*`; a group's `type` is a plain string (OKTA_GROUP, APP_GROUP, BUILT_IN).

export const OKTA_ATTRIBUTE_PATHS = {
  users: [
    'id', 'status', 'created', 'activated', 'statusChanged', 'lastLogin', 'lastUpdated', 'passwordChanged',
    'transitioningToStatus', 'type.id', 'profile.*', 'credentials.*', '_links.*', '_embedded.*',
  ],
  groups: [
    'id', 'created', 'lastUpdated', 'lastMembershipUpdated', 'objectClass', 'type', 'profile.*', 'source.id',
    '_links.*', '_embedded.*',
  ],
  apps: [
    'id', 'name', 'label', 'status', 'created', 'lastUpdated', 'signOnMode', 'features', 'accessibility.*',
    'visibility.*', 'credentials.*', 'settings.*', 'profile.*', 'licensing.*', '_links.*', '_embedded.*',
  ],
} as const;
