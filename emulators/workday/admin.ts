// A client for the emulator's admin API (`/__admin/…`), for tests and demos: what a Workday admin
// would do in the tenant (hire, change, move, terminate), and moving the tenant's "today".

import type { Knobs } from './server';
import type { Organization, Worker } from './model';

export interface AdminSnapshot {
  now: string;
  today: string;
  workers: (Worker & { active: boolean })[];
  organizations: Organization[];
}

export function workdayAdmin(url: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/__admin/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`workday admin ${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  return {
    snapshot: () => call<AdminSnapshot>('GET', 'snapshot'),
    setNow: (now: string) => call<{ now: string; today: string }>('POST', 'clock', { now }),
    setKnobs: (k: Partial<Knobs>) => call<Knobs>('POST', 'knobs', k),
    hire: (w: Partial<Worker>) => call<Worker>('POST', 'workers', w),
    updateWorker: (id: string, patch: Partial<Worker>) => call<Worker>('PATCH', `workers/${id}`, patch),
    removeWorker: (id: string) => call<void>('DELETE', `workers/${id}`),
    addOrganization: (o: Partial<Organization>) => call<Organization>('POST', 'organizations', o),
    updateOrganization: (id: string, patch: Partial<Organization>) => call<Organization>('PATCH', `organizations/${id}`, patch),
    removeOrganization: (id: string) => call<void>('DELETE', `organizations/${id}`),
  };
}
