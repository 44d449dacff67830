// The Workday emulator's data: workers and supervisory organisations as Workday keeps them
// (WIDs, effective dates), a clock that tests can move to any "today", and the mutations the
// admin API offers. Every change stamps lastUpdated with the emulator's own clock, which is also
// what its Date header says, so deltas are deterministic however far "today" was moved.

import { randomBytes } from 'node:crypto';

export interface Worker {
  /** Workday ID (32 hex digits). */
  id: string;
  employeeId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  businessTitle: string | null;
  /** Calendar dates (YYYY-MM-DD); Workday's effective dates have no time. */
  hireDate: string;
  terminationDate: string | null;
  orgId: string | null;
  managerId: string | null;
  lastUpdated: string;
}

export interface Organization {
  id: string;
  code: string;
  name: string;
  managerId: string | null;
  lastUpdated: string;
}

export type WorkerInput = Partial<Omit<Worker, 'id' | 'lastUpdated'>> & { id?: string };
export type OrganizationInput = Partial<Omit<Organization, 'id' | 'lastUpdated'>> & { id?: string };

export const newWid = (): string => randomBytes(16).toString('hex');

export class WorkdayState {
  readonly workers = new Map<string, Worker>();
  readonly orgs = new Map<string, Organization>();
  private offsetMs = 0;
  private lastStamp = 0;
  private nextEmployee = 21001;

  /** The emulator's clock: real time moved by setNow. */
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  setNow(iso: string): void {
    const at = Date.parse(iso);
    if (!Number.isFinite(at)) throw new Error(`now: "${iso}" is not an ISO date-time`);
    this.offsetMs = at - Date.now();
  }

  /** Today in UTC (the emulator's tenant time zone). */
  today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  /** Strictly increasing change stamps, so two changes in one millisecond still order. */
  stamp(): string {
    const t = Math.max(this.now().getTime(), this.lastStamp + 1);
    this.lastStamp = t;
    return new Date(t).toISOString();
  }

  addWorker(w: WorkerInput): Worker {
    const employeeId = w.employeeId ?? String(this.nextEmployee++);
    const worker: Worker = {
      id: w.id ?? newWid(),
      employeeId,
      firstName: w.firstName ?? 'New',
      lastName: w.lastName ?? `Worker ${employeeId}`,
      email: w.email ?? null,
      businessTitle: w.businessTitle ?? null,
      hireDate: w.hireDate ?? this.today(),
      terminationDate: w.terminationDate ?? null,
      orgId: w.orgId ?? null,
      managerId: w.managerId ?? null,
      lastUpdated: this.stamp(),
    };
    this.workers.set(worker.id, worker);
    return worker;
  }

  updateWorker(id: string, patch: WorkerInput): Worker | null {
    const w = this.workers.get(id);
    if (!w) return null;
    const { id: _ignored, ...rest } = patch;
    Object.assign(w, rest, { lastUpdated: this.stamp() });
    return w;
  }

  removeWorker(id: string): boolean {
    return this.workers.delete(id);
  }

  addOrg(o: OrganizationInput): Organization {
    const org: Organization = {
      id: o.id ?? newWid(),
      code: o.code ?? `SUP-${this.orgs.size + 1}`,
      name: o.name ?? `Organization ${this.orgs.size + 1}`,
      managerId: o.managerId ?? null,
      lastUpdated: this.stamp(),
    };
    this.orgs.set(org.id, org);
    return org;
  }

  updateOrg(id: string, patch: OrganizationInput): Organization | null {
    const o = this.orgs.get(id);
    if (!o) return null;
    const { id: _ignored, ...rest } = patch;
    Object.assign(o, rest, { lastUpdated: this.stamp() });
    return o;
  }

  removeOrg(id: string): boolean {
    return this.orgs.delete(id);
  }

  /** Workers by Workday's ordering for lists: employee id, then WID. */
  workerList(): Worker[] {
    return [...this.workers.values()].sort((a, b) => a.employeeId.localeCompare(b.employeeId, 'en', { numeric: true }) || a.id.localeCompare(b.id));
  }

  orgList(): Organization[] {
    return [...this.orgs.values()].sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }) || a.id.localeCompare(b.id));
  }

  /** Active as Workday reports it on `day`: hired on or before it, not terminated on or before it. */
  isActive(w: Worker, day: string = this.today()): boolean {
    return w.hireDate <= day && (w.terminationDate === null || w.terminationDate > day);
  }
}
