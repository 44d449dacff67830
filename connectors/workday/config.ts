// What a Workday source needs: the tenant's services host and name, which API to read (RaaS
// custom reports or the REST workers API), how to authenticate (the integration system user with
// Basic auth, or an API client's refresh token), and for RaaS the reports and their delta prompts.
// Messages name fields and never quote a value: it may have come from a `${ENV}` reference.

import { z } from 'zod';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const KNOWN = ['baseUrl', 'tenant', 'mode', 'auth', 'raas', 'pageSize', 'timeZone'];

const required = (field: string, what: string) => z.string({ error: `${field} is required (${what})` }).min(1, `${field} is required (${what})`);

/** Report owners, report names, tenants and prompts are single path segments or query names. */
const name = (field: string, what: string) =>
  required(field, what).regex(/^[A-Za-z0-9_.@-]+$/, `${field} may hold only letters, digits and _ . @ - (${what})`);

const baseUrl = z
  .string({ error: 'config.baseUrl is required (the services host, e.g. https://wd2-impl-services1.workday.com)' })
  .min(1, 'config.baseUrl is required (the services host, e.g. https://wd2-impl-services1.workday.com)')
  .transform((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: 'config.baseUrl is not a URL (expected e.g. https://wd2-impl-services1.workday.com)' });
      return z.NEVER;
    }
    const problem =
      url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname) ? 'uses http://, which is allowed only for 127.0.0.1/localhost; use https://'
      : url.protocol !== 'https:' && url.protocol !== 'http:' ? 'has an unsupported scheme; use https://'
      : url.username || url.password ? 'has credentials in it; put them in config.auth'
      : url.pathname !== '/' && url.pathname !== '' ? 'has a path; give only the host (the connector adds /ccx/…)'
      : url.search || url.hash ? 'has a query or fragment; give only the host'
      : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `config.baseUrl ${problem}` });
      return z.NEVER;
    }
    return url.origin;
  });

const auth = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('basic'),
      username: required('config.auth.username', 'the integration system user, written user@tenant'),
      password: required('config.auth.password', 'its password, e.g. ${WORKDAY_PASSWORD}'),
    }),
    z.object({
      type: z.literal('oauth2RefreshToken'),
      clientId: required('config.auth.clientId', 'the API client id registered in Workday'),
      clientSecret: required('config.auth.clientSecret', 'the API client secret, e.g. ${WORKDAY_CLIENT_SECRET}'),
      refreshToken: required('config.auth.refreshToken', 'a refresh token issued for the integration user, e.g. ${WORKDAY_REFRESH_TOKEN}'),
      /** Default: {baseUrl}/ccx/oauth2/{tenant}/token. */
      tokenUrl: z.string().url('config.auth.tokenUrl must be a URL').optional(),
    }),
  ],
  { error: 'config.auth.type must be "basic" (integration system user) or "oauth2RefreshToken" (API client with a refresh token)' },
);

const prompts = z.strictObject(
  {
    /** Report prompts (query parameters) bounding Last_Updated; Workday datetimes are sent. */
    updatedFrom: name('config.raas.prompts.updatedFrom', 'the prompt for the start of the change window, e.g. Updated_From'),
    updatedThrough: name('config.raas.prompts.updatedThrough', 'the prompt for the end of the change window, e.g. Updated_Through'),
    /** Prompts bounding hire or termination dates (dates, inclusive): without them a delta whose
     *  day moved on reads the whole workers report to catch effective-dated changes. */
    effectiveFrom: name('config.raas.prompts.effectiveFrom', 'e.g. Effective_From').optional(),
    effectiveThrough: name('config.raas.prompts.effectiveThrough', 'e.g. Effective_Through').optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `config.raas.prompts.${k}`).join(', ')}` : undefined) },
);

/** Report field names the connector itself reads; the rest of an entry is kept for mapping. */
const fields = z
  .strictObject({
    id: name('config.raas.fields.id', 'the field holding the worker WID').default('WID'),
    hireDate: name('config.raas.fields.hireDate', 'e.g. Hire_Date').default('Hire_Date'),
    terminationDate: name('config.raas.fields.terminationDate', 'e.g. Termination_Date').default('Termination_Date'),
    organization: name('config.raas.fields.organization', 'the supervisory organization WID, e.g. Supervisory_Organization_ID').default('Supervisory_Organization_ID'),
    organizationName: name('config.raas.fields.organizationName', 'e.g. Supervisory_Organization').default('Supervisory_Organization'),
    lastUpdated: name('config.raas.fields.lastUpdated', 'e.g. Last_Updated').default('Last_Updated'),
    organizationId: name('config.raas.fields.organizationId', 'the organization WID in the organizations report').default('WID'),
  })
  .default({ id: 'WID', hireDate: 'Hire_Date', terminationDate: 'Termination_Date', organization: 'Supervisory_Organization_ID', organizationName: 'Supervisory_Organization', lastUpdated: 'Last_Updated', organizationId: 'WID' });

const raas = z.strictObject(
  {
    owner: name('config.raas.owner', 'the report owner in the URL, usually the integration system user'),
    workersReport: name('config.raas.workersReport', 'the custom report listing workers, e.g. Tiger_Workers'),
    /** Without it, organisations are the ones workers belong to (an empty one is then not seen). */
    organizationsReport: name('config.raas.organizationsReport', 'the custom report listing supervisory organizations').optional(),
    prompts: prompts.optional(),
    fields,
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `config.raas.${k}`).join(', ')} (raas takes owner, workersReport, organizationsReport, prompts, fields)` : undefined) },
);

export const workdayConfigSchema = z
  .strictObject(
    {
      baseUrl,
      tenant: name('config.tenant', 'the Workday tenant name, as in /ccx/service/customreport2/<tenant>/…'),
      mode: z.enum(['raas', 'rest'], { error: 'config.mode must be "raas" (custom reports) or "rest" (the /ccx/api/v1 workers API)' }),
      auth,
      raas: raas.optional(),
      /** REST page size; Workday caps `limit` at 100. */
      pageSize: z.number({ error: 'config.pageSize must be a whole number from 1 to 100' }).int('config.pageSize must be a whole number from 1 to 100').min(1, 'config.pageSize must be a whole number from 1 to 100').max(100, 'config.pageSize must be at most 100 (Workday caps limit at 100)').default(100),
      /** The tenant's time zone: hire and termination dates take effect at its midnight. */
      timeZone: z
        .string({ error: 'config.timeZone must be an IANA time zone such as Europe/Berlin' })
        .refine(validZone, { message: 'config.timeZone is not an IANA time zone (e.g. UTC, America/Los_Angeles)' })
        .default('UTC'),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `config.${k}`).join(', ')} (a workday connector takes ${KNOWN.join(', ')})` : undefined) },
  )
  .superRefine((c, ctx) => {
    if (c.mode === 'raas' && !c.raas) ctx.addIssue({ code: 'custom', path: ['raas'], message: 'config.raas is required when config.mode is raas (owner, workersReport, …)' });
    const p = c.raas?.prompts;
    if (p && Boolean(p.effectiveFrom) !== Boolean(p.effectiveThrough)) {
      ctx.addIssue({ code: 'custom', path: ['raas', 'prompts'], message: 'config.raas.prompts.effectiveFrom and effectiveThrough go together; give both or neither' });
    }
  });

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type WorkdayConfig = z.output<typeof workdayConfigSchema>;
export type WorkdayConfigInput = z.input<typeof workdayConfigSchema>;
