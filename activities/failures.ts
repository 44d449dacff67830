// Turns what connectors and config throw into Temporal failures that say whether retrying helps.
// A 401 or a bad config fails the run at once with a message a person can act on; a 429 comes
// back when the server said it may.
import { ApplicationFailure } from '@temporalio/common';
import { ConfigError } from '../config/types';
import { ConnectorError } from '../connectors/errors';

export function toFailure(err: unknown, connector: string): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ConfigError) {
    return ApplicationFailure.nonRetryable(`connector ${connector}: invalid configuration: ${err.message}`, 'ConfigError');
  }
  if (err instanceof ConnectorError) {
    const msg = err.message.includes(connector) ? err.message : `connector ${connector}: ${err.message}`;
    switch (err.kind) {
      case 'auth':
        return ApplicationFailure.nonRetryable(msg, 'AuthError');
      case 'config':
        return ApplicationFailure.nonRetryable(msg, 'ConfigError');
      case 'bad-request':
        return ApplicationFailure.nonRetryable(msg, 'BadRequestError');
      case 'forbidden':
        return ApplicationFailure.nonRetryable(msg, 'ForbiddenError');
      case 'rate-limit':
        return ApplicationFailure.create({
          message: msg,
          type: 'RateLimited',
          nextRetryDelay: err.details.retryAfterMs ?? 1000,
        });
      default:
        return ApplicationFailure.retryable(msg, 'TransientError');
    }
  }
  return err;
}

/** Runs fn and rethrows its failure in Temporal's terms. */
export async function asActivity<T>(connector: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toFailure(err, connector);
  }
}
