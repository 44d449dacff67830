// Changes the emulated org through Okta's own management endpoints, as an admin would.
import { request } from 'undici';

export function oktaAdmin(url: string, token = 'emulator-token') {
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => {
    const res = await request(`${url}${path}`, {
      method,
      headers: { authorization: `SSWS ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    call,
    createUser: (profile: Record<string, unknown>) => call('POST', '/api/v1/users?activate=true', { profile }) as Promise<{ id: string }>,
    updateProfile: (id: string, profile: Record<string, unknown>) => call('POST', `/api/v1/users/${id}`, { profile }),
    deactivate: (id: string) => call('POST', `/api/v1/users/${id}/lifecycle/deactivate`),
    deleteUser: async (id: string) => {
      // Okta deletes in two steps: the first DELETE deprovisions, the second removes.
      await call('DELETE', `/api/v1/users/${id}`);
      await call('DELETE', `/api/v1/users/${id}`);
    },
    addMember: (groupId: string, userId: string) => call('PUT', `/api/v1/groups/${groupId}/users/${userId}`),
    removeMember: (groupId: string, userId: string) => call('DELETE', `/api/v1/groups/${groupId}/users/${userId}`),
    registerHook: async (uri: string, secret: string, events: string[]) => {
      const hook = (await call('POST', '/api/v1/eventHooks', {
        name: 'tiger test',
        events: { type: 'EVENT_TYPE', items: events },
        channel: { type: 'HTTP', version: '1.0.0', config: { uri, headers: [], authScheme: { type: 'HEADER', key: 'Authorization', value: secret } } },
      })) as { id: string };
      return call('POST', `/api/v1/eventHooks/${hook.id}/lifecycle/verify`) as Promise<{ verificationStatus: string }>;
    },
  };
}
