// Some list endpoints return whole objects where a connector needs one or two members of each:
// Okta's group members are full user objects (~1.2 KB each) of which only `id` is used, and a
// million memberships are a gigabyte of JSON. JSON.parse would build every one of those objects
// (and the string the body decodes to) only for the garbage collector; this reads the chosen
// top-level members of each array element straight from the body's bytes and builds nothing else.
// It checks the body's structure (one array of objects, every string, object and array closed, nothing
// after the array) but not every scalar: a body it declines goes to JSON.parse, which decides.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

// Like undici's body.text(): a byte-order mark is dropped, broken sequences become U+FFFD. The HTTP
// client decodes whole bodies with it too.
export const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Index of the quote that closes the string whose opening quote is at `open`, or -1. UTF-8
 *  continuation bytes are all ≥ 0x80, so a quote or backslash byte is always that character. */
function stringEnd(b: Uint8Array, open: number): number {
  let q = open;
  for (;;) {
    q = b.indexOf(QUOTE, q + 1);
    if (q < 0) return -1;
    // A quote after an odd run of backslashes is escaped.
    let n = 0;
    while (b[q - 1 - n] === BACKSLASH) n++;
    if ((n & 1) === 0) return q;
  }
}

/** Index just past the value that starts at `i` (nested values and strings included), or -1. */
function valueEnd(b: Uint8Array, i: number): number {
  let depth = 0;
  for (; i < b.length; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      i = stringEnd(b, i);
      if (i < 0) return -1;
      if (depth === 0) return i + 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (depth === 0 && (c === COMMA || isSpace(c))) {
      return i;
    }
  }
  return depth === 0 ? i : -1;
}

function sameBytes(b: Uint8Array, start: number, end: number, key: Uint8Array): boolean {
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[start + k] !== key[k]) return false;
  return true;
}

function hasBackslash(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] === BACKSLASH) return true;
  return false;
}

/** The key whose bytes are b[start, end) (between its quotes), or -1 when it is none of `keys`. */
function whichKey(b: Uint8Array, start: number, end: number, keys: readonly Uint8Array[], names: readonly string[]): number {
  if (hasBackslash(b, start, end)) {
    // An escaped key ("\u0069d" is "id") is compared by what it means.
    const name = JSON.parse(utf8.decode(b.subarray(start - 1, end + 1))) as string;
    return names.indexOf(name);
  }
  for (let k = 0; k < keys.length; k++) if (sameBytes(b, start, end, keys[k]!)) return k;
  return -1;
}

function decodeValue(b: Uint8Array, start: number, end: number): unknown {
  // Decoded with its quotes: a value that begins with U+FEFF keeps it (the decoder drops a leading BOM).
  if (b[start] === QUOTE && !hasBackslash(b, start + 1, end - 1)) return utf8.decode(b.subarray(start, end)).slice(1, -1);
  return JSON.parse(utf8.decode(b.subarray(start, end)));
}

export type Picked = Record<string, unknown>;

/**
 * For a body that is a JSON array of objects: one object per element holding only `names` (those
 * the element has; the last one wins when a key repeats, as with JSON.parse). undefined when the
 * body is not such an array or does not close: the caller parses it whole and reports it.
 */
export function pickFromArray(b: Uint8Array, names: readonly string[]): Picked[] | undefined {
  const keys = names.map((n) => encoder.encode(n));
  const out: Picked[] = [];
  let i = 0;
  while (i < b.length && isSpace(b[i]!)) i++;
  if (b[i] !== OPEN_ARRAY) return undefined;
  // Which bracket each open level expects, so `{]` is refused like JSON.parse refuses it.
  let closers = new Uint8Array(32);
  let depth = 1;
  closers[depth] = CLOSE_ARRAY;
  let current: Picked | null = null;
  for (i++; i < b.length; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      const end = stringEnd(b, i);
      if (end < 0) return undefined;
      if (depth === 1) return undefined; // a string element, not an object
      if (depth === 2) {
        let j = end + 1;
        while (j < b.length && isSpace(b[j]!)) j++;
        if (b[j] === COLON) {
          const k = whichKey(b, i + 1, end, keys, names);
          if (k >= 0) {
            let v = j + 1;
            while (v < b.length && isSpace(b[v]!)) v++;
            const ve = valueEnd(b, v);
            if (ve < 0 || ve === v) return undefined;
            let value: unknown;
            try {
              value = decodeValue(b, v, ve);
            } catch {
              return undefined;
            }
            current![names[k]!] = value;
            i = ve - 1;
            continue;
          }
        }
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 1) {
        if (c !== OPEN_OBJECT) return undefined; // an array element that is not an object
        current = {};
      }
      depth++;
      if (depth === closers.length) {
        const wider = new Uint8Array(closers.length * 2);
        wider.set(closers);
        closers = wider;
      }
      closers[depth] = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (closers[depth] !== c) return undefined;
      depth--;
      if (depth === 1) {
        out.push(current!);
        current = null;
      } else if (depth === 0) {
        for (i++; i < b.length; i++) if (!isSpace(b[i]!)) return undefined;
        return out;
      }
    } else if (depth === 1 && c !== COMMA && !isSpace(c)) {
      return undefined; // a number or literal element
    }
  }
  return undefined;
}
