// The connector's retryPolicy written as a Temporal RetryPolicy: `linear` is approximated with a
// backoff coefficient of 1 (a constant interval), the closest shape Temporal offers.
import type { RetryPolicy } from '@temporalio/common';
import type { RetrySettings } from './types';

export function toRetryPolicy(r: RetrySettings): RetryPolicy {
  return {
    maximumAttempts: Math.max(1, r.maxAttempts),
    initialInterval: '1s',
    backoffCoefficient: r.backoff === 'linear' ? 1 : 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: ['ConfigError', 'AuthError', 'BadRequestError'],
  };
}
