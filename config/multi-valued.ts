// Seed 001's text form of a multi-valued custom attribute: values joined by ";;" inside "[" "]"
// (`[a;;b]`). The store keeps such attributes as arrays; this form exists only at the edges that
// speak it.
//
// Escaping (ours; the seed does not say): inside the brackets a backslash makes the next character
// literal. formatMultiValued writes `\;` for every ";" and `\\` for every "\", so a value ending in
// ";" or holding ";;" cannot be mistaken for a separator. Brackets inside values need no escape (only
// the outer pair is structural). parseMultiValued is lenient the other way: a lone unescaped ";" is
// kept as text, so values written by other tools without escapes still read as they were meant.
// `[]` is the empty list; a list of one empty string has no form distinct from it and is refused.

export function parseMultiValued(text: string): string[] {
  if (typeof text !== 'string' || text.length < 2 || text[0] !== '[' || text[text.length - 1] !== ']') {
    throw new Error(`expected a multi-valued attribute like [a;;b], got ${JSON.stringify(text)}`);
  }
  const body = text.slice(1, -1);
  if (body === '') return [];
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      if (i + 1 >= body.length) throw new Error(`invalid multi-valued attribute ${JSON.stringify(text)}: "\\" at the end escapes nothing`);
      current += body[++i];
    } else if (c === ';' && body[i + 1] === ';') {
      values.push(current);
      current = '';
      i++;
    } else {
      current += c;
    }
  }
  values.push(current);
  return values;
}

export function formatMultiValued(values: readonly unknown[]): string {
  if (!Array.isArray(values)) throw new Error(`expected a list of values, got ${typeof values}`);
  if (values.length === 1 && values[0] === '') throw new Error('a list holding one empty string cannot be written in [a;;b] form (it reads back as [])');
  const parts = values.map((v, i) => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v).replace(/[\\;]/g, (c) => `\\${c}`);
    throw new Error(`value ${i} of a multi-valued attribute must be text, a number or a boolean, got ${v === null ? 'null' : typeof v}`);
  });
  return `[${parts.join(';;')}]`;
}

/**
 * A source value of an attribute declared multi-valued, as the array the store keeps: arrays stay
 * (copied), the `[a;;b]` form is parsed, any other present value becomes a one-element list, and
 * a missing value stays null (absent is not the same as an empty list).
 */
export function toMultiValued(value: unknown): unknown[] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return [...value];
  if (typeof value === 'string' && value.startsWith('[') && value.endsWith(']')) return parseMultiValued(value);
  return [value];
}
