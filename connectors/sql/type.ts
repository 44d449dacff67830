// The SQL source type (seed 004's "SQL Database"): rows of a table, view or SELECT on SQL Server,
// PostgreSQL or MariaDB, read in full and by a delta column. The manifest declares users and
// groups; one connector reads the class its objectType names (User → users, Group → groups) and
// the other class is always empty, so the default sync.resources (every class) is harmless and
// a sync.resources without the objectType's class is refused at the first run. Deltas are kept
// per class (deltaScope 'class').

import { defineConnector, type Connector, type OpenedDefinition } from '../framework/define';
import { sqlConfigSchema, type SqlConfigInput } from './config';
import { openSql } from './connector';

/** Column names are the source's own: the defaults try the usual spellings of each attribute
 *  (seed 004's PascalCase, snake_case and lower case); a file's mapping names its columns. */
const first = (...names: string[]) => names.join(' ?? ');
export const USER_MAPPING: Readonly<Record<string, string>> = {
  username: first('UserName', 'Username', 'user_name', 'username', 'Login', 'login', 'Email', 'email'),
  email: first('Email', 'EmailAddress', 'email', 'email_address', 'Mail', 'mail'),
  firstName: first('FirstName', 'GivenName', 'first_name', 'firstname', 'given_name'),
  lastName: first('LastName', 'Surname', 'FamilyName', 'last_name', 'lastname', 'surname'),
  displayName: first('DisplayName', 'display_name', 'displayname', 'FullName', 'full_name', 'Name', 'name'),
  employeeId: first('EmployeeId', 'EmployeeNumber', 'employee_id', 'employeeid', 'employee_number'),
  department: first('Department', 'department'),
  title: first('Title', 'JobTitle', 'title', 'job_title'),
  managerEmail: first('ManagerEmail', 'manager_email'),
};
export const GROUP_MAPPING: Readonly<Record<string, string>> = {
  name: first('Name', 'GroupName', 'DisplayName', 'name', 'group_name', 'display_name'),
  description: first('Description', 'description'),
};

export const sqlType = defineConnector({
  type: 'sql',
  configSchema: sqlConfigSchema,
  deltaScope: 'class',
  objectClasses: {
    users: { kind: 'user', read: true, delta: 'watermark', get: true, defaultMapping: USER_MAPPING },
    groups: { kind: 'group', read: true, delta: 'watermark', get: true, defaultMapping: GROUP_MAPPING },
  },
  open: (config, ctx) => openSql(ctx.def.name, config),
});

/** A SQL connector opened through its type (config parsed, operations checked). Tests use it. */
export function createSqlConnector(def: OpenedDefinition, config: SqlConfigInput): Connector {
  return sqlType.open(def, config);
}
