// Okta's error body: {errorCode, errorSummary, errorLink, errorId, errorCauses}. Route handlers
// throw OktaApiError; the server turns it into a response with this shape.

import { randomToken, type Rng } from './random';

export class OktaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly summary: string,
    readonly causes: string[] = [],
  ) {
    super(`${code} ${summary}`);
  }
}

export function errorBody(e: OktaApiError, rng: Rng): Record<string, unknown> {
  return {
    errorCode: e.code,
    errorSummary: e.summary,
    errorLink: e.code,
    errorId: `oae${randomToken(rng, 22)}`,
    errorCauses: e.causes.map((errorSummary) => ({ errorSummary })),
  };
}

export const invalidToken = () => new OktaApiError(401, 'E0000011', 'Invalid token provided');
export const forbidden = () =>
  new OktaApiError(403, 'E0000006', 'You do not have permission to perform the requested action');
export const rateLimited = () =>
  new OktaApiError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
export const serverError = () => new OktaApiError(500, 'E0000009', 'Internal Server Error');
export const notFound = (id: string, kind: string) =>
  new OktaApiError(404, 'E0000007', `Not found: Resource not found: ${id} (${kind})`);
export const validation = (field: string, cause: string) =>
  new OktaApiError(400, 'E0000001', `Api validation failed: ${field}`, [`${field}: ${cause}`]);
export const invalidSearch = (cause: string) =>
  new OktaApiError(400, 'E0000031', 'Invalid search criteria.', [cause]);
export const badBody = () => new OktaApiError(400, 'E0000003', 'The request body was not well-formed.');
export const badMethod = () =>
  new OktaApiError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
// Lifecycle refusals, with the codes and texts of Okta's error catalogue.
export const alreadyActive = () => new OktaApiError(403, 'E0000016', 'Activation failed because the user is already active');
export const notInUserStatus = (cause: string) =>
  new OktaApiError(403, 'E0000038', "This operation is not allowed in the user's current status.", [cause]);
export const unlockForbidden = () => new OktaApiError(403, 'E0000032', 'Unlock is not allowed for this user.');
export const forbiddenFor = (cause: string) =>
  new OktaApiError(403, 'E0000006', 'You do not have permission to perform the requested action', [cause]);
