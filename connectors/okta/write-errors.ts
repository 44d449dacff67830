// Okta's answers to a write, as per-object errors. The HTTP kit already turns Okta's body into
// text (`E0000001 Api validation failed: login: <every errorCauses summary>`); here the message
// gains which object and which operation it was, so a quarantined object says why on its own.

import { ConnectorError } from '../errors';

/** `label: what: <the kit's message without its own label>`, same kind and details. */
export function perObject(label: string, what: string, err: unknown): Error {
  if (!(err instanceof ConnectorError)) return err as Error;
  const inner = err.message.startsWith(`${label}: `) ? err.message.slice(label.length + 2) : err.message;
  return new ConnectorError(err.kind, `${label}: ${what}: ${inner}`, err.details);
}

export const isNotFound = (err: unknown): boolean => err instanceof ConnectorError && err.kind === 'not-found';

/** E0000001 whose causes include "<field>: An object with this field already exists …": the
 *  unique value (a user's login, a group's name) is taken. */
export function isTaken(err: unknown, field: string): boolean {
  return err instanceof ConnectorError && err.kind === 'bad-request' && err.message.includes('E0000001') &&
    err.message.includes(`${field}: An object with this field already exists`);
}

/** Runs `f` over `items` with at most `limit` in flight, results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
