// One Workday tenant over the shared HTTP client: RaaS report URLs, REST API paths, Workday's
// datetime format for prompts, and the tenant's clock (the Date header of its answers), which
// both the delta window and the effective-date rule of `active` are measured against.

import type { IncomingHttpHeaders } from 'node:http';
import { ConnectorError } from '../errors';
import type { HttpClient } from '../http/client';
import type { WorkdayConfig } from './config';

export type Doc = Record<string, unknown>;

export interface Answer<T> {
  body: T;
  /** The tenant's time when it answered (its Date header; our clock when it sent none). */
  at: Date;
}

export class WorkdayApi {
  constructor(
    readonly http: HttpClient,
    readonly config: WorkdayConfig,
    readonly label: string,
  ) {}

  get restBase(): string {
    return `/ccx/api/v1/${encodeURIComponent(this.config.tenant)}`;
  }

  reportPath(report: string): string {
    const r = this.config.raas!;
    return `/ccx/service/customreport2/${encodeURIComponent(this.config.tenant)}/${encodeURIComponent(r.owner)}/${encodeURIComponent(report)}`;
  }

  /** A whole report (RaaS does not page); `prompts` are the report's own query parameters. */
  async report(report: string, prompts: Record<string, string> = {}, resource?: string): Promise<Answer<Doc[]>> {
    try {
      const res = await this.http.getJson<{ Report_Entry?: unknown }>(this.reportPath(report), { query: { format: 'json', ...prompts }, resource, expectArrayAt: 'Report_Entry' });
      return { body: res.body.Report_Entry as Doc[], at: dateOf(res.headers) };
    } catch (err) {
      throw this.reportError(err, report, prompts);
    }
  }

  async get<T = Doc>(path: string, query?: Record<string, string | number>, resource?: string, arrayAt?: string): Promise<Answer<T>> {
    const res = await this.http.getJson<T>(path, { query, resource, expectArrayAt: arrayAt });
    return { body: res.body, at: dateOf(res.headers) };
  }

  /** RaaS answers faults in XML, which the client cannot quote: say which settings the request
   *  came from, so a misspelt report or prompt name is found by its field. */
  private reportError(err: unknown, report: string, prompts: Record<string, string>): unknown {
    if (!(err instanceof ConnectorError)) return err;
    const status = err.details.status;
    const which = report === this.config.raas?.workersReport ? 'config.raas.workersReport' : 'config.raas.organizationsReport';
    if (status === 404) return new ConnectorError('config', `${this.label}: Workday has no report ${which} under config.raas.owner in config.tenant (404); check those three fields`, err.details);
    if (status === 400) {
      const names = Object.keys(prompts);
      const fields = names.length ? `the prompts sent (${names.join(', ')}, from config.raas.prompts) or ` : '';
      return new ConnectorError('config', `${this.label}: Workday refused ${which} as invalid (400): check ${fields}whether the report is enabled as a web service with JSON output`, err.details);
    }
    return err;
  }
}

function dateOf(headers: IncomingHttpHeaders): Date {
  const ms = Date.parse(String(headers.date ?? ''));
  return new Date(Number.isFinite(ms) ? ms : Date.now());
}

/** The calendar day of an instant in the tenant's time zone (YYYY-MM-DD). */
export function dayIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Workday's datetime format for prompts: milliseconds and a numeric offset. */
export const workdayDateTime = (at: Date): string => at.toISOString().replace(/Z$/, '+00:00');
