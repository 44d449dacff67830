// Turns a failed HTTP exchange into a typed ConnectorError a person can act on. Messages name
// the connector, the request (method + path, never the query: it can carry search values) and
// the vendor's own error code; credentials never appear because headers are never echoed.

import { ConnectorError } from '../errors';

export interface ErrorContext {
  /** e.g. `okta connector "okta-production"` */
  label: string;
  /** Vendor name for messages, e.g. "Okta". */
  service: string;
  /** Config field holding the credential, e.g. "config.apiToken". */
  credentialField: string;
  /** What the credential is called, e.g. "API token". */
  credentialName?: string;
  method: string;
  path: string;
  resource?: string;
}

export interface VendorError {
  code?: string;
  summary?: string;
  causes: string[];
}

/** Okta `{errorCode, errorSummary, errorCauses}`, Graph `{error:{code, message}}`, SCIM and OAuth bodies. */
export function parseVendorError(body: unknown): VendorError {
  if (!body || typeof body !== 'object') return { causes: [] };
  const b = body as Record<string, unknown>;
  if (typeof b.errorCode === 'string' || typeof b.errorSummary === 'string') {
    const causes = Array.isArray(b.errorCauses)
      ? b.errorCauses.map((c) => String((c as Record<string, unknown>)?.errorSummary ?? '')).filter(Boolean)
      : [];
    return { code: str(b.errorCode), summary: str(b.errorSummary), causes };
  }
  if (b.error && typeof b.error === 'object') {
    const e = b.error as Record<string, unknown>;
    return { code: str(e.code), summary: str(e.message), causes: [] };
  }
  // SCIM (RFC 7644 §3.12): {status: "409", scimType, detail}; OAuth: {error, error_description}.
  if (typeof b.detail === 'string' || typeof b.scimType === 'string') return { code: str(b.scimType), summary: str(b.detail), causes: [] };
  if (typeof b.error === 'string') {
    // Workday REST: {"error": "invalid request: …", "errors": [{"error": "…", "field": "limit"}]}.
    const causes = Array.isArray(b.errors)
      ? b.errors.map((c) => (c && typeof c === 'object' ? [str((c as Record<string, unknown>).field), str((c as Record<string, unknown>).error)].filter(Boolean).join(': ') : '')).filter(Boolean)
      : [];
    return { code: str(b.error), summary: str(b.error_description), causes };
  }
  return { causes: [] };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function vendorText(v: VendorError, fallback: string): string {
  const parts = [v.code, v.summary ?? fallback].filter(Boolean).join(' ');
  return v.causes.length ? `${parts}: ${v.causes.join('; ')}` : parts;
}

export function errorForStatus(
  status: number,
  body: unknown,
  ctx: ErrorContext,
  retryAfterMs?: number,
): ConnectorError {
  const v = parseVendorError(body);
  const req = `${ctx.method} ${ctx.path}`;
  const details = { connector: ctx.label, resource: ctx.resource, status, retryAfterMs };
  switch (status) {
    case 401:
      return new ConnectorError(
        'auth',
        `${ctx.label}: ${ctx.service} rejected the ${ctx.credentialName ?? 'credentials'} (${vendorText(v, 'Unauthorized')}) on ${req}: check ${ctx.credentialField}`,
        { ...details, step: 'auth' },
      );
    case 400:
      return new ConnectorError('bad-request', `${ctx.label}: ${ctx.service} refused ${req} as invalid (${vendorText(v, 'Bad Request')})`, details);
    case 403:
      return new ConnectorError(
        'forbidden',
        `${ctx.label}: ${ctx.service} denied ${req} (${vendorText(v, 'Forbidden')}): the credential lacks a permission for this endpoint`,
        { ...details, step: 'permission' },
      );
    case 404:
      return new ConnectorError('not-found', `${ctx.label}: ${req} was not found (${vendorText(v, 'Not Found')})`, details);
    case 410:
      // Gone: for a page link, an expired cursor; callers tell a vanished object from a lost page.
      return new ConnectorError('not-found', `${ctx.label}: ${req} is gone (410 ${vendorText(v, 'Gone')})`, details);
    case 429:
      return new ConnectorError(
        'rate-limit',
        `${ctx.label}: ${ctx.service} kept rate-limiting ${req} (${vendorText(v, 'Too Many Requests')}); retry after ${Math.ceil((retryAfterMs ?? 0) / 1000)} s`,
        details,
      );
    default:
      return new ConnectorError('transient', `${ctx.label}: ${ctx.service} answered ${status} to ${req} (${vendorText(v, 'server error')})`, details);
  }
}

const TLS_CODES = /^(ERR_TLS_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_SSL_)/;

/** Network-level failures: which step failed, and whether another attempt could help. */
export function classifyNetworkError(err: unknown): { step: string; retryable: boolean; reason: string } {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  const reason = [code, e?.cause?.message ?? e?.message].filter(Boolean).join(' ');
  if (code === 'ENOTFOUND') return { step: 'dns', retryable: false, reason };
  if (code === 'EAI_AGAIN') return { step: 'dns', retryable: true, reason };
  if (TLS_CODES.test(code)) return { step: 'tls', retryable: false, reason };
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return { step: 'tcp', retryable: true, reason };
  return { step: 'http', retryable: true, reason };
}
