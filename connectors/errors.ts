// Typed errors so activities can tell a final failure (bad credentials, bad config) from one a
// retry can fix (5xx, timeouts) and from one that says when to come back (429).

export type ConnectorErrorKind = 'auth' | 'config' | 'bad-request' | 'forbidden' | 'not-found' | 'rate-limit' | 'transient';

export class ConnectorError extends Error {
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly details: { connector?: string; resource?: string; status?: number; retryAfterMs?: number; step?: string } = {},
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
  get retryable(): boolean {
    return this.kind === 'rate-limit' || this.kind === 'transient';
  }
}
