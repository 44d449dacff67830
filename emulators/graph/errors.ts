// Graph's error bodies: `{error:{code, message, innerError:{date, request-id, client-request-id}}}`
// for the API, and the OAuth error shape (`error`, `error_description` with an AADSTS code,
// `error_codes`) for the token endpoint.

import { randomUUID } from 'node:crypto';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function graphErrorBody(e: GraphError, requestId: string, clientRequestId: string): unknown {
  return {
    error: {
      code: e.code,
      message: e.message,
      innerError: { date: new Date().toISOString().replace(/\.\d{3}Z$/, ''), 'request-id': requestId, 'client-request-id': clientRequestId },
    },
  };
}

export const notFound = (id: string) =>
  new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
export const badRequest = (message: string) => new GraphError(400, 'Request_BadRequest', message);
export const unsupportedQuery = (message: string) => new GraphError(400, 'Request_UnsupportedQuery', message);
export const forbidden = () => new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

const WWW_AUTH = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';
export const invalidToken = (message: string) => new GraphError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': WWW_AUTH });

/** The token endpoint's error shape. */
export interface OAuthError {
  status: number;
  error: string;
  aadsts: number;
  description: string;
}

export function oauthErrorBody(e: OAuthError): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1Z');
  return {
    error: e.error,
    error_description: `AADSTS${e.aadsts}: ${e.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [e.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${e.aadsts}`,
  };
}
