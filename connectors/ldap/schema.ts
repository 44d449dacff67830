// Settings of the `active-directory` and `ldap` connectors: seed 004's Active Directory example
// (attributeMapping is taken out by the config module before this runs) plus TLS, timeouts,
// paging and the projection rules used when the directory is a write target.
import { FilterParser } from 'ldapts';
import { z } from 'zod';

// Checks run on the file as written and again on resolved values inside activities, so their
// messages never quote the value.

/** ldapts parses filters but accepts a missing final ")"; parentheses inside values are escaped
 *  (\28, \29), so literal ones must balance. */
export function ldapFilterProblem(filter: string): string | null {
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    const ch = filter[i];
    if (ch === '\\') i++;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) break;
  }
  if (depth !== 0) return 'unbalanced parentheses';
  try {
    FilterParser.parseString(filter);
    return null;
  } catch (err) {
    // ldapts appends the filter (and sometimes the value) after a colon: keep only the reason.
    return String((err as Error).message).split(':')[0].trim() || 'not a valid filter';
  }
}

const ldapFilter = z
  .string()
  .min(1)
  .superRefine((f, ctx) => {
    const problem = ldapFilterProblem(f);
    if (problem) ctx.addIssue({ code: 'custom', message: `expected an LDAP search filter (RFC 4515) such as (&(objectClass=user)(objectCategory=person)): ${problem}` });
  });

/** `{{attribute}}` tokens must be closed and name an attribute (letters, digits, ".", "_", "-"). */
export function templateProblem(template: string): string | null {
  const rest = template.replace(/\{\{\s*[A-Za-z0-9_.-]+\s*\}\}/g, '');
  if (rest.includes('{{')) return 'a "{{" is not closed by "}}" around an attribute name such as {{department}}';
  if (rest.includes('}}')) return 'a "}}" has no opening "{{"';
  return null;
}

const containerTemplate = z
  .string()
  .min(1)
  .superRefine((t, ctx) => {
    const problem = templateProblem(t);
    if (problem) ctx.addIssue({ code: 'custom', message: `expected a DN template such as OU={{department}},OU=Users,DC=corp,DC=com: ${problem}` });
  });

// Beyond these a hung server holds a fetch activity past its own time bound.
const MAX_CONNECT_TIMEOUT_MS = 120_000;
const MAX_TIMEOUT_MS = 300_000;

const keyAttribute = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'expected an LDAP attribute name such as adminDescription');

const projectionSchema = z
  .object({
    /** e.g. `OU={{department}},OU=Users,DC=corp,DC=com`; tokens resolve from the identity's attributes. */
    targetContainer: containerTemplate,
    groupContainer: containerTemplate.optional(),
    disableInsteadOfDelete: z.boolean().default(true),
    /** directory attribute → store attribute; replaces the type's default set when given. */
    attributes: z.record(z.string(), z.string()).optional(),
    /** How a generic LDAP entry is disabled (AD always uses userAccountControl bit 0x2). */
    disableAttribute: z.string().default('pwdAccountLockedTime'),
    disableValue: z.string().default('000001010000Z'),
    /** Where a user entry holds the identity key (`<source>:<id>`) that tells a retried create's
     *  own entry from a stranger's. Unset: the type's default (KEY_ATTRIBUTE_DEFAULTS); null: none,
     *  and a retry is then recognised by mail/employeeNumber alone. */
    keyAttribute: keyAttribute.nullable().optional(),
    /** The same for group entries (a group has no mail/employeeNumber: with null, never adopted). */
    groupKeyAttribute: keyAttribute.nullable().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    // A key attribute also written from an identity attribute would be overwritten by updates.
    const a = p.keyAttribute;
    if (a && Object.keys(p.attributes ?? {}).some((m) => m.toLowerCase() === a.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['keyAttribute'], message: `is also a projected attribute (projection.attributes.${a}): the identity key needs an attribute of its own` });
    }
  });

/** Defaults of projection.keyAttribute/groupKeyAttribute, chosen from attributes the stock schemas
 *  allow on both users and groups, that the default attribute map leaves free and that hold the
 *  longest keys:
 *  - AD: `adminDescription` (class top, single-valued, 1024 characters, not shown on ADUC's tabs).
 *    `employeeID` holds only 16 characters and `info` is the "Notes" box admins type into.
 *  - OpenLDAP: `businessCategory` (a MAY of both inetOrgPerson and groupOfNames). `employeeNumber`
 *    already carries the HR employee id, and `description` a group's description. */
export const KEY_ATTRIBUTE_DEFAULTS = { ad: 'adminDescription', ldap: 'businessCategory' } as const;

export const ldapConfigSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).optional(),
    useSsl: z.boolean().default(false),
    startTls: z.boolean().default(false),
    caFile: z.string().min(1).optional(),
    rejectUnauthorized: z.boolean().default(true),
    baseDn: z.string().min(1),
    bindDn: z.string().min(1),
    bindPassword: z.string().min(1),
    userSearchBase: z.string().min(1).optional(),
    userSearchFilter: ldapFilter.optional(),
    groupSearchBase: z.string().min(1).optional(),
    groupSearchFilter: ldapFilter.optional(),
    connectTimeoutMs: z.number().int().positive().max(MAX_CONNECT_TIMEOUT_MS).default(10_000),
    timeoutMs: z.number().int().positive().max(MAX_TIMEOUT_MS).default(60_000),
    /** Must not exceed the server's MaxPageSize (AD default 1000). */
    pageSize: z.number().int().min(1).max(1000).default(500),
    /** Values per `member;range=…` request; AD's MaxValRange is 1500. */
    rangeSize: z.number().int().min(1).max(5000).default(1500),
    /** OpenLDAP delta: re-read this much before the watermark, against same-second writes. */
    overlapMs: z.number().int().min(0).max(3_600_000).default(2000),
    projection: projectionSchema.optional(),
  })
  .strict()
  .refine((c) => !(c.useSsl && c.startTls), { message: 'useSsl and startTls exclude each other', path: ['startTls'] });

export type LdapConfig = z.output<typeof ldapConfigSchema>;
export type LdapConfigInput = z.input<typeof ldapConfigSchema>;
export type ProjectionConfig = z.output<typeof projectionSchema>;
