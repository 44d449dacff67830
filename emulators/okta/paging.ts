// Okta paging: an opaque `after` cursor and one `Link` header line per relation. Cursors here
// encode a position in the emulator's arrays; clients must treat them as opaque and only follow.

import { validation } from './errors';

export interface Page {
  items: unknown[];
  /** Cursor for the next page; undefined on the last page. */
  next?: string;
}

export function encodeCursor(kind: string, position: number): string {
  return Buffer.from(`${kind}:${position}`).toString('base64url');
}

/** Position after which the next page starts; -1 when no cursor. */
export function decodeCursor(kind: string, after: string | null): number {
  if (after === null || after === '') return -1;
  const text = Buffer.from(after, 'base64url').toString();
  const [k, pos] = text.split(':');
  const n = Number(pos);
  if (k !== kind || !Number.isInteger(n)) throw validation('after', 'the cursor is not valid for this resource');
  return n;
}

/** `limit` clamped as Okta does: values above the maximum are served at the maximum. */
export function parseLimit(raw: string | null, def: number, max: number, min = 1): number {
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw validation('limit', `must be an integer of at least ${min}`);
  return Math.min(n, max);
}

/** The `Link` header lines for a page: `self` is the request as made, `next` replaces `after`. */
export function linkLines(
  base: string,
  pathname: string,
  query: URLSearchParams,
  next: string | undefined,
  limit: number,
): string[] {
  const self = `${base}${pathname}${query.size ? `?${query.toString()}` : ''}`;
  const lines = [`<${self}>; rel="self"`];
  if (next !== undefined) {
    const q = new URLSearchParams(query);
    q.delete('after');
    q.delete('since');
    q.set('limit', String(limit));
    q.set('after', next);
    lines.push(`<${base}${pathname}?${q.toString()}>; rel="next"`);
  }
  return lines;
}

/**
 * Up to `limit` positions after `after` that pass `test`, and whether another one exists — Okta
 * sends no `next` link on the last page, so the scan looks one match ahead.
 */
export function collectPositions(
  positions: Iterable<number>,
  limit: number,
  test: (position: number) => boolean,
): { positions: number[]; more: boolean } {
  const out: number[] = [];
  for (const p of positions) {
    if (!test(p)) continue;
    if (out.length === limit) return { positions: out, more: true };
    out.push(p);
  }
  return { positions: out, more: false };
}

export function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}

/** A 200 list response with its `self` and (unless last) `next` links. */
export function pageResponse(
  req: { base: string; url: URL },
  items: unknown[],
  next: string | undefined,
  limit: number,
): { status: number; body: unknown[]; links: string[] } {
  return { status: 200, body: items, links: linkLines(req.base, req.url.pathname, req.url.searchParams, next, limit) };
}
