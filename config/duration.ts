// Durations as people write them in connector files ("5m", "1h30m", "1d"). Units run from
// largest to smallest, each at most once, so "1h30m" means one thing and "30m1h" is a typo.

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export function parseDuration(s: string): number {
  const match = typeof s === 'string' ? DURATION.exec(s.trim()) : null;
  if (!match || s.trim() === '') {
    const shown = typeof s === 'string' ? JSON.stringify(s) : String(s);
    throw new Error(`expected a duration like 5m or 1h, got ${shown}`);
  }
  const [, d, h, m, sec] = match;
  return (
    Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(sec ?? 0) * UNIT_MS.s
  );
}
