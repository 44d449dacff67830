// The Okta connector's write operations, by class: users and groups take creates, attribute
// updates and deletes (users also enable/disable), memberships take batched link/unlink. Which
// class takes which write is the manifest's (type.ts); a class that takes none is refused here.

import type { ConnectorOps } from '../framework/spi';
import type { HttpClient } from '../http/client';
import { ConnectorError } from '../errors';
import type { OktaConfig } from './config';
import { createGroup, deleteGroup, updateGroup } from './groups-write';
import { changeMembers } from './memberships-write';
import { createUser, deleteUser, setUserEnabled, updateUser } from './users-write';

export interface WriteContext {
  http: HttpClient;
  label: string;
  config: OktaConfig;
}

type WriteOps = Required<Pick<ConnectorOps, 'create' | 'updateDelta' | 'setEnabled' | 'delete' | 'link' | 'unlink'>>;

function refuse(ctx: WriteContext, what: string, cls: string, which: string): never {
  throw new ConnectorError('config', `${ctx.label}: okta cannot ${what} ${cls} objects (it writes ${which})`, { connector: ctx.label, resource: cls });
}

export function writeOps(ctx: WriteContext): WriteOps {
  const objectClass = (cls: string, what: string, classes: string[]) => {
    if (!classes.includes(cls)) refuse(ctx, what, cls, classes.join(' and '));
    return cls as 'users' | 'groups';
  };
  const memberships = (cls: string, what: string) => {
    if (cls !== 'memberships') refuse(ctx, what, cls, 'memberships');
  };
  return {
    create: (cls, req) => (objectClass(cls, 'create', ['users', 'groups']) === 'users' ? createUser(ctx, req) : createGroup(ctx, req)),
    updateDelta: (cls, id, delta) => (objectClass(cls, 'update', ['users', 'groups']) === 'users' ? updateUser(ctx, id, delta) : updateGroup(ctx, id, delta)),
    setEnabled: async (cls, id, enabled) => {
      objectClass(cls, 'enable or disable', ['users']);
      return setUserEnabled(ctx, id, enabled);
    },
    delete: (cls, id) => (objectClass(cls, 'delete', ['users', 'groups']) === 'users' ? deleteUser(ctx, id) : deleteGroup(ctx, id)),
    link: async (cls, parentId, childIds) => {
      memberships(cls, 'link');
      return changeMembers(ctx, 'link', parentId, childIds);
    },
    unlink: async (cls, parentId, childIds) => {
      memberships(cls, 'unlink');
      return changeMembers(ctx, 'unlink', parentId, childIds);
    },
  };
}
