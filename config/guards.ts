// Checks over the whole document as parsed, before any of it is read: keys that would reach
// Object.prototype, malformed `${…}` / `{{secret:…}}` references, and credentials written as
// literal values. Messages name the path and never quote the value (it may be a secret).

import { isOnlyReferences, joinPath, withoutReferences } from './references';
import { SECRET_FIELDS } from './secrets-policy';

export interface DocumentIssue {
  path: string;
  message: string;
  /** A prototype key: the document must not be read any further. */
  unsafeKey?: boolean;
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const SECRET_KEYS = new Set(SECRET_FIELDS.map((f) => f.toLowerCase()));
const REFERENCE_HELP = 'expected ${NAME}, ${NAME:-default} or {{secret:name}} (names: letters, digits, "_"; secret names also ".", "/", "-")';

export function documentIssues(doc: unknown): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  walk(doc, '', undefined, issues);
  return issues;
}

function walk(value: unknown, path: string, key: string | undefined, issues: DocumentIssue[]): void {
  if (typeof value === 'string') {
    checkString(value, path, key, issues);
    return;
  }
  if (Array.isArray(value)) {
    // A list under a credential key is a type error reported elsewhere, not a literal secret.
    value.forEach((v, i) => walk(v, joinPath(path, i), undefined, issues));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // Own keys only, `__proto__` included: both YAML and JSON.parse keep it as an own property.
  for (const k of Object.keys(value)) {
    const at = joinPath(path, k);
    if (UNSAFE_KEYS.has(k)) {
      issues.push({ path: at, message: `"${k}" is not allowed as a key (it would reach Object.prototype); rename or remove it`, unsafeKey: true });
      continue;
    }
    walk((value as Record<string, unknown>)[k], at, k, issues);
  }
}

function checkString(s: string, path: string, key: string | undefined, issues: DocumentIssue[]): void {
  const rest = withoutReferences(s);
  if (rest.includes('${') || /\{\{\s*secret\b/i.test(rest)) {
    issues.push({ path, message: `malformed reference: ${REFERENCE_HELP}` });
    return;
  }
  const section = path.split(/[.[]/)[0];
  if (section === 'config' && key?.toLowerCase() === 'connectionstring' && literalPasswordIn(s)) {
    issues.push({
      path,
      message: `holds a password that must be a reference such as \${DB_PASSWORD} or {{secret:name}}, not a literal value (Password=… / Pwd=… or user:password@ in a URL)`,
    });
    return;
  }
  if ((section === 'config' || section === 'webhooks') && key !== undefined && SECRET_KEYS.has(key.toLowerCase()) && s.trim() !== '' && !isOnlyReferences(s)) {
    issues.push({
      path,
      message: `is a credential and must be a reference such as \${ENV_NAME} or {{secret:name}}, not a literal value (stored definitions are printed and sent to workflows as written)`,
    });
  }
}

/** The password part of an ADO.NET (`Password=…;`, `Pwd=…`) or URL (`scheme://user:pw@host`)
 *  connection string, when it is anything but references. */
function literalPasswordIn(cs: string): boolean {
  const parts: string[] = [];
  for (const m of cs.matchAll(/(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]*)/gi)) parts.push(m[1]);
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^@/]*)@/i.exec(cs);
  if (url) parts.push(url[1]);
  return parts.some((p) => p.trim() !== '' && !isOnlyReferences(p.trim()));
}
