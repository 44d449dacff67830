// The Okta System Log event types a connector may subscribe to through an event hook: those of
// Okta's event-types catalogue (developer.okta.com/docs/reference/api/event-types, filter
// "event-hook-eligible") that change users, groups, memberships, apps or app assignments. The one
// list the config check, the webhook server and the docs use.

export const OKTA_EVENT_TYPES: readonly string[] = [
  'user.lifecycle.create',
  'user.lifecycle.activate',
  'user.lifecycle.deactivate',
  'user.lifecycle.suspend',
  'user.lifecycle.unsuspend',
  'user.lifecycle.reactivate',
  'user.lifecycle.delete.initiated',
  'user.lifecycle.delete.completed',
  'user.account.update_profile',
  'user.account.lock',
  'user.account.unlock',
  'user.account.unlock_by_admin',
  'user.account.update_password',
  'user.account.reset_password',
  'user.account.privilege.grant',
  'user.account.privilege.revoke',
  'group.lifecycle.create',
  'group.lifecycle.delete',
  'group.profile.update',
  'group.user_membership.add',
  'group.user_membership.remove',
  'group.privilege.grant',
  'group.privilege.revoke',
  'group.application_assignment.add',
  'group.application_assignment.remove',
  'group.application_assignment.update',
  'application.lifecycle.create',
  'application.lifecycle.activate',
  'application.lifecycle.deactivate',
  'application.lifecycle.delete',
  'application.lifecycle.update',
  'application.user_membership.add',
  'application.user_membership.remove',
  'application.user_membership.update',
  'application.user_membership.change_username',
];

/** Seed 000's quick start subscribes to `user.lifecycle.update`, which Okta does not have; it
 *  means a profile change, which Okta reports as `user.account.update_profile`. */
export const OKTA_EVENT_ALIASES: Readonly<Record<string, string>> = {
  'user.lifecycle.update': 'user.account.update_profile',
};

export function canonicalOktaEventType(type: string): string {
  return Object.prototype.hasOwnProperty.call(OKTA_EVENT_ALIASES, type) ? OKTA_EVENT_ALIASES[type] : type;
}
