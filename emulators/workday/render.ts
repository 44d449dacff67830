// How the emulated tenant shows its data: RaaS report entries (the report's own field names, empty
// fields left out as Workday leaves them out) and REST API resources (`id`, `descriptor`, `href`
// and references as `{id, descriptor, href}`), plus Workday's datetime format for Last_Updated.

import type { Organization, Worker, WorkdayState } from './model';

export const WORKERS_REPORT_FIELDS = ['WID', 'Employee_ID', 'Worker', 'Legal_Name_First_Name', 'Legal_Name_Last_Name', 'Email_Address', 'Business_Title', 'Hire_Date', 'Termination_Date', 'Supervisory_Organization_ID', 'Supervisory_Organization', 'Manager_ID', 'Last_Updated'] as const;

/** Workday writes datetimes with milliseconds and a numeric offset (…T10:00:00.000+00:00). */
export const workdayDateTime = (iso: string): string => iso.replace(/Z$/, '+00:00');

const compact = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

const descriptorOf = (w: Worker) => `${w.firstName} ${w.lastName}`;

export function workerEntry(s: WorkdayState, w: Worker): Record<string, unknown> {
  const org = w.orgId ? s.orgs.get(w.orgId) : undefined;
  return compact({
    WID: w.id,
    Employee_ID: w.employeeId,
    Worker: descriptorOf(w),
    Legal_Name_First_Name: w.firstName,
    Legal_Name_Last_Name: w.lastName,
    Email_Address: w.email,
    Business_Title: w.businessTitle,
    Hire_Date: w.hireDate,
    Termination_Date: w.terminationDate,
    Supervisory_Organization_ID: org?.id,
    Supervisory_Organization: org?.name,
    Manager_ID: w.managerId,
    Last_Updated: workdayDateTime(w.lastUpdated),
  });
}

export function organizationEntry(o: Organization): Record<string, unknown> {
  return compact({ WID: o.id, Organization_Code: o.code, Organization_Name: o.name, Manager_ID: o.managerId, Last_Updated: workdayDateTime(o.lastUpdated) });
}

export function restWorker(s: WorkdayState, base: string, w: Worker): Record<string, unknown> {
  const org = w.orgId ? s.orgs.get(w.orgId) : undefined;
  const manager = w.managerId ? s.workers.get(w.managerId) : undefined;
  return compact({
    id: w.id,
    descriptor: descriptorOf(w),
    href: `${base}/workers/${w.id}`,
    workerId: w.employeeId,
    primaryWorkEmail: w.email,
    businessTitle: w.businessTitle,
    hireDate: w.hireDate,
    terminationDate: w.terminationDate,
    primarySupervisoryOrganization: org ? { id: org.id, descriptor: org.name, href: `${base}/supervisoryOrganizations/${org.id}` } : undefined,
    manager: w.managerId ? { id: w.managerId, descriptor: manager ? descriptorOf(manager) : undefined, href: `${base}/workers/${w.managerId}` } : undefined,
  });
}

export function restOrganization(s: WorkdayState, base: string, o: Organization): Record<string, unknown> {
  const manager = o.managerId ? s.workers.get(o.managerId) : undefined;
  return compact({
    id: o.id,
    descriptor: o.name,
    href: `${base}/supervisoryOrganizations/${o.id}`,
    code: o.code,
    manager: o.managerId ? { id: o.managerId, descriptor: manager ? descriptorOf(manager) : undefined } : undefined,
  });
}
