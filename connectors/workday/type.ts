// The Workday source type (issue 9): workers and supervisory organisations from RaaS custom
// reports or the REST API, memberships from each worker's primary supervisory organisation.
// Managers are an attribute (`managerId`), not a link: the store's link kinds are group and app
// memberships, and a manager is one value per worker, which an attribute holds exactly.
// Default mappings read either API's field names (`a ?? b`): only one of them is ever present.

import { defineConnector, type Connector, type OpenedDefinition } from '../framework/define';
import { workdayConfigSchema, type WorkdayConfig, type WorkdayConfigInput } from './config';
import { openWorkday, type WorkdayHttpOptions } from './connector';

export const WORKER_MAPPING: Readonly<Record<string, string>> = {
  username: 'Employee_ID ?? workerId',
  employeeId: 'Employee_ID ?? workerId',
  email: 'Email_Address ?? primaryWorkEmail',
  firstName: 'Legal_Name_First_Name',
  lastName: 'Legal_Name_Last_Name',
  displayName: 'Worker ?? descriptor',
  title: 'Business_Title ?? businessTitle',
  department: 'Supervisory_Organization ?? primarySupervisoryOrganization.descriptor',
  hireDate: 'Hire_Date ?? hireDate',
  terminationDate: 'Termination_Date ?? terminationDate',
  managerId: 'Manager_ID ?? manager.id',
  active: 'active',
};

export const ORGANIZATION_MAPPING: Readonly<Record<string, string>> = {
  name: 'Organization_Name ?? descriptor',
  code: 'Organization_Code ?? code',
  managerId: 'Manager_ID ?? manager.id',
};

export const workdayType = defineConnector({
  type: 'workday',
  configSchema: workdayConfigSchema,
  deltaScope: 'connector',
  objectClasses: {
    workers: { kind: 'user', read: true, delta: 'watermark', get: true, defaultMapping: WORKER_MAPPING },
    organizations: { kind: 'group', read: true, delta: 'watermark', get: true, defaultMapping: ORGANIZATION_MAPPING },
  },
  linkClasses: {
    memberships: { kind: 'membership', parent: 'organizations', children: ['workers'], read: true, delta: 'watermark', get: true },
  },
  open: (config, ctx) => openWorkday(ctx.def.name, config, ctx.http),
});

/** A Workday connector opened through its type (tests pass HTTP overrides). */
export function createWorkdayConnector(def: OpenedDefinition, config: WorkdayConfig | WorkdayConfigInput, http?: WorkdayHttpOptions): Connector {
  return workdayType.open(def, config, { http });
}
