// Escaping for values put into filters (RFC 4515) and DNs (RFC 4514), DN comparison, and the
// `{{attribute}}` container templates of seed 004.

/** RFC 4515: `*`, `(`, `)`, `\` and NUL become `\XX`; Buffers are escaped byte by byte. */
export function escapeFilterValue(value: string | Buffer): string {
  if (Buffer.isBuffer(value)) return [...value].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');
  return value.replace(/[*()\\\0]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/** RFC 4514 attribute value escaping for one RDN value. */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\"+,;<>=]/g, (c) => '\\' + c).replace(/\0/g, '\\00');
  if (out.startsWith(' ') || out.startsWith('#')) out = '\\' + out;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = out.slice(0, -1) + '\\ ';
  return out;
}

/** Splits a DN into RDN strings, honouring backslash escapes. */
export function splitDn(dn: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i];
    if (c === '\\' && i + 1 < dn.length) {
      cur += c + dn[++i];
    } else if (c === ',') {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

/** Case- and spacing-insensitive form, for comparing DNs the server may spell differently. */
export function normalizeDn(dn: string): string {
  return splitDn(dn)
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      return eq < 0 ? rdn.toLowerCase() : rdn.slice(0, eq).trim().toLowerCase() + '=' + rdn.slice(eq + 1).trim().toLowerCase();
    })
    .join(',');
}

export const parentDn = (dn: string): string => splitDn(dn).slice(1).join(',');
export const isUnder = (dn: string, base: string): boolean => {
  const d = normalizeDn(dn);
  const b = normalizeDn(base);
  return d === b || d.endsWith(',' + b);
};

export class UnresolvedTemplateError extends Error {
  constructor(readonly tokens: string[], template: string) {
    super(`target container "${template}" has unresolved ${tokens.map((t) => `{{${t}}}`).join(', ')}: the identity has no such attribute`);
    this.name = 'UnresolvedTemplateError';
  }
}

/** Resolves `{{attr}}` tokens with DN-escaped values. Per seed 004 missing attributes stay as
 *  written; the result then reports them so the caller can fail that one object. */
export function renderContainer(template: string, attributes: Record<string, unknown>): { dn: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const dn = template.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (whole, name: string) => {
    const v = lookup(attributes, name);
    if (v === undefined || v === null || v === '') {
      unresolved.push(name);
      return whole;
    }
    return escapeDnValue(String(Array.isArray(v) ? v[0] : v));
  });
  return { dn, unresolved };
}

function lookup(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
