// What an entra-id connector needs: seed 004's fields exactly (tenantId, clientId, clientSecret,
// scopes; its attributeMapping is taken by the config module as the user mapping), plus where the
// token and Graph endpoints are (public cloud by default; national clouds and the local emulator
// otherwise), the page size and extra properties to $select. Messages never quote a value: it
// may have been resolved from a `${ENV}` or `{{secret:…}}` reference.

import { z } from 'zod';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const KNOWN = ['tenantId', 'clientId', 'clientSecret', 'scopes', 'authority', 'graphUrl', 'pageSize', 'select', 'notificationUrl'];

/** The Graph application permissions seed 004 asks the app registration to be granted. */
export const SEED_PERMISSIONS = ['User.Read.All', 'Group.Read.All', 'Directory.Read.All'] as const;

function originOf(raw: string, field: string, example: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`${field} is not a URL (expected e.g. ${example})`);
  }
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) throw new Error(`${field} uses http://, which is allowed only for 127.0.0.1/localhost (an emulator); use https://`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${field} has an unsupported scheme; use https://`);
  if (url.username || url.password || url.search || url.hash) throw new Error(`${field} must be a bare URL such as ${example} (no credentials, query or fragment)`);
  if (url.pathname.replace(/\/+$/, '') !== '') throw new Error(`${field} must be the host only, such as ${example} (the API version and tenant are added by the connector)`);
  return url.origin;
}

function isNotificationUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    const scheme = u.protocol === 'https:' || (u.protocol === 'http:' && LOCAL_HOSTS.has(u.hostname));
    return scheme && !u.username && !u.password && !u.hash;
  } catch {
    return false;
  }
}

const urlField = (field: string, example: string) =>
  z
    .string({ error: `${field} must be a URL such as ${example}` })
    .min(1, `${field} must not be empty`)
    .transform((u, ctx) => {
      try {
        return originOf(u, field, example);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    });

const required = (field: string, what: string) => z.string({ error: `${field} is required (${what})` }).trim().min(1, `${field} is required (${what})`);

/** Graph property names: letters and digits, an extension's underscores (extension_<app>_<name>). */
const property = (cls: string) => z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, `select.${cls} entries must be Graph property names such as employeeId or extension_<appId>_costCenter`);
const selectList = (cls: string) => z.array(property(cls), { error: `select.${cls} must be a list of Graph property names` });

export const entraConfigSchema = z.strictObject(
  {
    tenantId: required('tenantId', 'the directory (tenant) id, e.g. 12345678-1234-1234-1234-123456789abc, or a verified domain'),
    clientId: required('clientId', 'the application (client) id of the app registration'),
    clientSecret: required('clientSecret', 'a client secret of the app registration, as a reference such as {{secret:azure-client-secret}}'),
    /** The Graph application permissions granted to the app (seed 004's list). The token request
     *  always asks for https://graph.microsoft.com/.default; these name what a 403 means. */
    scopes: z
      .array(z.string().regex(/^([A-Za-z]+(\.[A-Za-z]+)+|https:\/\/\S+\/\.default)$/, 'must be Graph permission names such as User.Read.All'), {
        error: 'scopes must be a list of Graph permission names such as ["User.Read.All", "Group.Read.All", "Directory.Read.All"]',
      })
      .default([...SEED_PERMISSIONS]),
    authority: urlField('authority', 'https://login.microsoftonline.com').default('https://login.microsoftonline.com'),
    graphUrl: urlField('graphUrl', 'https://graph.microsoft.com').default('https://graph.microsoft.com'),
    /** `$top` of every list request; Graph allows 1–999 and may send fewer. */
    pageSize: z.number({ error: 'pageSize must be a whole number from 1 to 999' }).int('pageSize must be a whole number from 1 to 999').min(1, 'pageSize must be a whole number from 1 to 999').max(999, 'pageSize must be a whole number from 1 to 999 (Graph\'s $top limit)').default(999),
    /** Properties $selected in addition to each class's defaults (Graph returns only a few without $select). */
    select: z
      .strictObject({ users: selectList('users').optional(), groups: selectList('groups').optional(), apps: selectList('apps').optional() }, {
        error: (iss) => (iss.code === 'unrecognized_keys' ? `select takes users, groups and apps, not ${iss.keys.join(', ')}` : 'select must be an object such as {users: [employeeType]}'),
      })
      .default({}),
    /** Where Graph posts change notifications: this server's public `/webhooks/graph/<name>` URL.
     *  Without it no subscriptions are made (webhooks need a URL Graph can reach). */
    notificationUrl: z
      .string({ error: 'notificationUrl must be a URL such as https://tiger.example.com/webhooks/graph/<connector>' })
      .refine(isNotificationUrl, 'notificationUrl must be an https:// URL without credentials or fragment (http:// only for 127.0.0.1/localhost)')
      .optional(),
  },
  {
    // A misspelt field would otherwise be dropped without a word.
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `config.${k}`).join(', ')} (an entra-id connector takes ${KNOWN.join(', ')}, and attributeMapping)` : undefined),
  },
);

export type EntraConfig = z.output<typeof entraConfigSchema>;
export type EntraConfigInput = z.input<typeof entraConfigSchema>;
