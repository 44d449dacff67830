// Seeded randomness so the same seed always yields the same org: tests compare ids across runs
// and benchmarks need identical data. sfc32 is small, fast and good enough for test data.

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 + seed * 31;
  let c = 0xb7e15162 ^ (seed << 7);
  let d = 1;
  const next = (): number => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Okta object ids are 20 characters: a 3-character type prefix (`00u`, `00g`, `0oa`, …) and 17 more. */
export function oktaId(rng: Rng, prefix: string): string {
  let s = prefix;
  while (s.length < 20) s += ID_CHARS[rng.int(ID_CHARS.length)];
  return s;
}

export function randomToken(rng: Rng, length: number): string {
  let s = '';
  while (s.length < length) s += ID_CHARS[rng.int(ID_CHARS.length)];
  return s;
}

const HEX = '0123456789abcdef';

/** RFC 4122 version-4 shaped uuid (System Log `uuid`, hook `eventId`). */
export function uuid(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 32; i++) {
    let v = rng.int(16);
    if (i === 12) v = 4;
    if (i === 16) v = 8 + (v & 3);
    s += HEX[v];
    if (i === 7 || i === 11 || i === 15 || i === 19) s += '-';
  }
  return s;
}
