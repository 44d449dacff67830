// What an Okta connector needs from its config. Seeds write the domain as a bare host name
// ("company.okta.com"); a URL is accepted too. Plain http is only for the local emulator.

import { z } from 'zod';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `company.okta.com` → `https://company.okta.com`. Messages never quote the value: it may have
 *  been resolved from a `${ENV}` reference, and the caller names the field. */
export function normalizeOktaDomain(domain: string): string {
  const raw = domain.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error('is not a host name or URL (expected e.g. company.okta.com)');
  }
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    throw new Error('uses http://, which is allowed only for 127.0.0.1/localhost (the emulator); use https://');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('has an unsupported scheme; use https://');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || raw.includes('?') || raw.includes('#')) {
    throw new Error('has a path or query; give only the host (e.g. company.okta.com)');
  }
  if (url.username || url.password) throw new Error('has credentials in it; give only the host, and the token as apiToken');
  return url.origin;
}

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

const customAttributeList = z
  .array(
    z
      .object({
        name: z.string().regex(ATTRIBUTE_NAME, 'must be a profile attribute name (letters, digits, _)'),
        multiValued: z.boolean().default(false),
      })
      .strict(),
  )
  .default([]);

export type CustomAttribute = z.output<typeof customAttributeList>[number];

export const oktaConfigSchema = z
  .object({
    domain: z
      .string({ error: 'domain is required (your Okta host name, e.g. company.okta.com)' })
      .min(1, 'domain is required (your Okta host name, e.g. company.okta.com)')
      .transform((d, ctx) => {
        try {
          return normalizeOktaDomain(d);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
          return z.NEVER;
        }
      }),
    apiToken: z
      .string({ error: 'apiToken is required (an Okta API token, e.g. ${OKTA_API_TOKEN})' })
      .min(1, 'apiToken is required (an Okta API token, e.g. ${OKTA_API_TOKEN})'),
    /** Users and apps pages are capped at 200 by Okta; groups allow more. */
    pageSize: z.number().int().min(1).max(1000).optional(),
    /** Accepted for the seed-004 shape; reads use the management API. */
    scimEndpoint: z.string().optional(),
    /** Deltas come from the System Log; false falls back to lastUpdated searches. */
    useSystemLog: z.boolean().default(true),
    /** Custom profile attributes per schema (seed 001's "Custom Attributes" of users and groups).
     *  Multi-valued ones are Okta string arrays, accepted on write as arrays or `[a;;b]` text and
     *  stored as arrays. */
    customAttributes: z
      .object({ users: customAttributeList, groups: customAttributeList })
      .partial()
      .strict()
      .optional(),
    /** User updates: `post` sends only the changed profile keys (Okta's partial update); `put`
     *  reads the user, merges the change and sends the documented whole-profile PUT. */
    updateMethod: z.enum(['post', 'put']).default('post'),
    /** A custom profile attribute (declared in customAttributes and in the Okta profile schema)
     *  in which creates record the identity's key, so a retried create can tell its own object
     *  from a stranger's by the key rather than by comparing attributes (see adoption.ts). */
    keyAttribute: z.string().regex(ATTRIBUTE_NAME, 'must be a profile attribute name (letters, digits, _)').optional(),
    /** Okta's limits are per org, and a token may use only part of them (Okta suggests half per
     *  token): reads spend at most `share` of each bucket's limit per window, one budget for every
     *  run of this org and token in a worker. */
    rateLimit: z
      .object({
        share: z
          .number({ error: 'rateLimit.share must be a number above 0 and at most 1 (e.g. 0.5)' })
          .gt(0, 'rateLimit.share must be above 0 and at most 1 (e.g. 0.5)')
          .max(1, 'rateLimit.share must be above 0 and at most 1 (e.g. 0.5)')
          .default(0.5),
      })
      .strict()
      .default({ share: 0.5 }),
  })
  .loose();

export type OktaConfig = z.output<typeof oktaConfigSchema>;
export type OktaConfigInput = z.input<typeof oktaConfigSchema>;
