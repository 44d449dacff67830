// A REST connector config pointed at the REST test server (emulators/rest), for tests.
import type { RestConfigInput } from '../../connectors/rest';
import type { RestPagingStyle } from '../../emulators/rest';

export const PAGING: Record<RestPagingStyle, NonNullable<RestConfigInput['paging']>> = {
  link: { style: 'link', sizeParam: 'limit' },
  cursor: { style: 'cursor', cursorPath: 'meta.next', param: 'cursor', sizeParam: 'limit' },
  offset: { style: 'offset', totalPath: 'meta.total' },
  page: { style: 'page', totalPath: 'meta.total', totalPagesPath: 'meta.pages' },
};

const delta = { param: 'updated_since', template: '{{watermark}}', field: 'meta.updated', lagSeconds: 1 };

export function restConfig(url: string, style: RestPagingStyle, auth: RestConfigInput['auth'], pageSize = 4): RestConfigInput {
  return {
    baseUrl: url,
    auth,
    pageSize,
    paging: PAGING[style],
    classes: {
      users: { kind: 'user', path: '/api/people', records: 'data.items', id: 'id', updatedAt: 'meta.updated', get: '/api/people/{id}', getRecord: 'data', delta },
      groups: { kind: 'group', path: '/api/teams', records: 'data.items', id: 'id', updatedAt: 'meta.updated', get: '/api/teams/{id}', getRecord: 'data', delta },
    },
    links: { memberships: { parent: 'groups', child: 'users', path: '/api/teams/{id}/members', records: 'data.items', childId: 'id' } },
  };
}
