// What a SCIM 2.0 connector needs from its config: the service provider's base URL, how to
// authenticate (the HTTP kit's schemes), and a few knobs. Seed 004's Okta form names the URL
// `scimEndpoint`; it is accepted here as another spelling of `baseUrl`. Messages never quote a
// value: it may have been resolved from a `${ENV}` reference.

import { z } from 'zod';
import { authSchemaAt } from '../http/auth';
import { parseFilter } from '../../config/filter';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const KNOWN = ['baseUrl', 'scimEndpoint', 'auth', 'pageSize', 'userFilter', 'groupFilter', 'discover', 'memberBatch'];

/** A base URL without a trailing slash; plain http only for a local emulator. */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error('is not a URL (expected e.g. https://app.example.com/scim/v2)');
  }
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) throw new Error('uses http://, which is allowed only for 127.0.0.1/localhost; use https://');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('has an unsupported scheme; use https://');
  if (url.username || url.password) throw new Error('has credentials in it; put them in config.auth');
  if (url.search || url.hash) throw new Error('has a query or fragment; give only the SCIM base URL');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

const filterText = (field: string) =>
  z
    .string({ error: `${field} must be a SCIM filter such as active eq true` })
    .min(1, `${field} must not be empty`)
    .superRefine((f, ctx) => {
      try {
        parseFilter(f);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `${field} is not a valid SCIM filter: ${(e as Error).message}` });
      }
    });

const baseUrlField = (field: string) =>
  z
    .string({ error: `${field} must be the SCIM base URL, e.g. https://app.example.com/scim/v2` })
    .min(1, `${field} is required (the SCIM base URL, e.g. https://app.example.com/scim/v2)`)
    .transform((u, ctx) => {
      try {
        return normalizeBaseUrl(u);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `${field} ${(e as Error).message}` });
        return z.NEVER;
      }
    });

export const scimConfigSchema = z
  .strictObject({
    baseUrl: baseUrlField('baseUrl').optional(),
    /** Seed 004's Okta spelling of the base URL. */
    scimEndpoint: baseUrlField('scimEndpoint').optional(),
    auth: authSchemaAt('config.auth'),
    /** Resources per page (`count`); the server may send fewer, and caps it at filter.maxResults. */
    pageSize: z.number({ error: 'pageSize must be a whole number from 1 to 1000' }).int().min(1).max(1000).default(100),
    /** Sent as `filter=` on full reads of /Users and /Groups (needs filter support). */
    userFilter: filterText('userFilter').optional(),
    groupFilter: filterText('groupFilter').optional(),
    /** Push behaviour lives in the target's `provisioning` section, which the push run reads; a
     *  copy here would be a knob that does nothing, so it is refused with where to put it. */
    deleteOnRemoval: z
      .unknown()
      .optional()
      .refine((v) => v === undefined, { message: 'deleteOnRemoval belongs in the provisioning section (provisioning.deleteOnRemoval: true), not in config' }),
    /** Read /ServiceProviderConfig, /Schemas and /ResourceTypes to learn PATCH, filter and ETag
     *  support; false assumes PATCH and filter without ETags (RFC 7644's common case). */
    discover: z.boolean().default(true),
    /** Members per PATCH when linking or unlinking (servers bound request size). */
    memberBatch: z.number().int().min(1).max(1000).default(100),
  }, {
    // A misspelt field would otherwise be dropped without a word.
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `config.${k}`).join(', ')} (a scim connector takes ${KNOWN.join(', ')})` : undefined),
  })
  .superRefine((c, ctx) => {
    if (!c.baseUrl && !c.scimEndpoint) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'baseUrl is required (the SCIM base URL, e.g. https://app.example.com/scim/v2)' });
    if (c.baseUrl && c.scimEndpoint && c.baseUrl !== c.scimEndpoint) ctx.addIssue({ code: 'custom', path: ['scimEndpoint'], message: 'scimEndpoint and baseUrl name different URLs; keep one' });
  })
  .transform(({ scimEndpoint, baseUrl, deleteOnRemoval: _unused, ...rest }) => ({ ...rest, baseUrl: (baseUrl ?? scimEndpoint)! }));

export type ScimConfig = z.output<typeof scimConfigSchema>;
export type ScimConfigInput = z.input<typeof scimConfigSchema>;
