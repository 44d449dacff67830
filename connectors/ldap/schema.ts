// Settings of the `active-directory` and `ldap` connectors: seed 004's Active Directory example
// (attributeMapping is taken out by the config module before this runs) plus TLS, timeouts,
// paging and the projection rules used when the directory is a write target.
import { z } from 'zod';

const projectionSchema = z
  .object({
    /** e.g. `OU={{department}},OU=Users,DC=corp,DC=com`; tokens resolve from the identity's attributes. */
    targetContainer: z.string().min(1),
    groupContainer: z.string().min(1).optional(),
    disableInsteadOfDelete: z.boolean().default(true),
    /** directory attribute → store attribute; replaces the type's default set when given. */
    attributes: z.record(z.string(), z.string()).optional(),
    /** How a generic LDAP entry is disabled (AD always uses userAccountControl bit 0x2). */
    disableAttribute: z.string().default('pwdAccountLockedTime'),
    disableValue: z.string().default('000001010000Z'),
  })
  .strict();

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
    userSearchFilter: z.string().min(1).optional(),
    groupSearchBase: z.string().min(1).optional(),
    groupSearchFilter: z.string().min(1).optional(),
    connectTimeoutMs: z.number().int().positive().default(10_000),
    timeoutMs: z.number().int().positive().default(60_000),
    /** Must not exceed the server's MaxPageSize (AD default 1000). */
    pageSize: z.number().int().min(1).max(1000).default(500),
    /** Values per `member;range=…` request; AD's MaxValRange is 1500. */
    rangeSize: z.number().int().min(1).max(5000).default(1500),
    /** OpenLDAP delta: re-read this much before the watermark, against same-second writes. */
    overlapMs: z.number().int().min(0).default(2000),
    projection: projectionSchema.optional(),
  })
  .strict()
  .refine((c) => !(c.useSsl && c.startTls), { message: 'useSsl and startTls exclude each other', path: ['startTls'] });

export type LdapConfig = z.output<typeof ldapConfigSchema>;
export type LdapConfigInput = z.input<typeof ldapConfigSchema>;
export type ProjectionConfig = z.output<typeof projectionSchema>;
