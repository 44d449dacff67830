// `${ENV}`, `${ENV:-default}` and `{{secret:name}}` stay unresolved in stored definitions and
// workflow inputs; activities resolve them just before use. Errors name the path and the
// reference, never a value.

import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from './types';
import { looksSecret } from './secrets-policy';

export interface Reference {
  path: string;
  kind: 'env' | 'secret';
  name: string;
}

export interface ReferenceSources {
  env: NodeJS.ProcessEnv | Record<string, string | undefined>;
  secrets?: Record<string, string>;
}

// One pattern for both kinds so a single pass over a string finds them in order.
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\{\{\s*secret:\s*([A-Za-z0-9][A-Za-z0-9._/-]*)\s*\}\}/g;

export function hasReference(s: string): boolean {
  REFERENCE.lastIndex = 0;
  return REFERENCE.test(s);
}

/** The text left once every well-formed reference is taken out (to find malformed ones). */
export function withoutReferences(s: string): string {
  return s.replace(REFERENCE, '');
}

/** How loadSecrets keys a secret: `ad-password` → `AD_PASSWORD` (the TIGER_SECRET_ suffix). */
export function secretKey(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

export function findReferences(value: unknown, base = ''): Reference[] {
  const found: Reference[] = [];
  walkStrings(value, base, (s, path) => {
    for (const m of s.matchAll(REFERENCE)) {
      found.push(m[3] !== undefined ? { path, kind: 'secret', name: m[3] } : { path, kind: 'env', name: m[1] });
    }
    return s;
  });
  return found;
}

/** A deep copy of `value` with every reference replaced; all missing references are reported at once. */
export function resolveReferences<T>(value: T, sources: ReferenceSources, file = '(connector config)'): T {
  const issues: ConfigIssue[] = [];
  const resolved = walkStrings(value, '', (s, path) =>
    s.replace(REFERENCE, (whole, envName: string | undefined, fallback: string | undefined, secretName: string | undefined) => {
      if (secretName !== undefined) {
        const secret = sources.secrets?.[secretName] ?? sources.secrets?.[secretKey(secretName)];
        if (secret !== undefined) return secret;
        issues.push({
          file,
          path,
          message: `secret "${secretName}" is not defined: set TIGER_SECRET_${secretKey(secretName)} or add "${secretName}" to the file named by TIGER_SECRETS_FILE`,
        });
        return whole;
      }
      const name = envName as string;
      const env = sources.env[name];
      // Shell semantics: `:-` falls back when the variable is unset or empty.
      if (fallback !== undefined) return env === undefined || env === '' ? fallback : env;
      if (env !== undefined) return env;
      issues.push({ file, path, message: `environment variable ${name} is not set (referenced as \${${name}})` });
      return whole;
    }),
  );
  if (issues.length > 0) throw new ConfigError(issues);
  return resolved as T;
}

/**
 * Secrets from `TIGER_SECRET_<NAME>` variables and from the JSON object file named by `file` or
 * `TIGER_SECRETS_FILE`; the environment wins. Keys are secretKey(name), which resolveReferences
 * also tries, so `{{secret:ad-password}}` finds TIGER_SECRET_AD_PASSWORD.
 */
export function loadSecrets(opts: { env: NodeJS.ProcessEnv | Record<string, string | undefined>; file?: string }): Record<string, string> {
  const secrets: Record<string, string> = {};
  const file = opts.file ?? opts.env.TIGER_SECRETS_FILE;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? 'not valid JSON';
      throw new ConfigError([{ file, path: '', message: `cannot read the secrets file (${reason}); expected a JSON object of name → value` }]);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError([{ file, path: '', message: 'expected a JSON object of secret name → string value' }]);
    }
    const issues: ConfigIssue[] = [];
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value === 'string') secrets[secretKey(name)] = value;
      else issues.push({ file, path: name, message: 'expected a string value' });
    }
    if (issues.length > 0) throw new ConfigError(issues);
  }
  const prefix = 'TIGER_SECRET_';
  for (const [key, value] of Object.entries(opts.env)) {
    if (key.startsWith(prefix) && key.length > prefix.length && value !== undefined) secrets[key.slice(prefix.length)] = value;
  }
  return secrets;
}

/** A copy safe to print: references stay as written, literals under secret-looking keys become "***". */
export function redact<T>(value: T): T {
  return redactValue(value, false) as T;
}

function redactValue(value: unknown, secret: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secret));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secret || looksSecret(k));
    return out;
  }
  if (!secret || value === null || value === undefined) return value;
  if (typeof value === 'string' && isOnlyReferences(value)) return value;
  return '***';
}

// Under a secret-looking key a string is kept only when it is nothing but references:
// literal text beside a reference ("abc${T}") may itself be part of the secret.
export function isOnlyReferences(s: string): boolean {
  return hasReference(s) && s.replace(REFERENCE, '').trim() === '';
}

function walkStrings(value: unknown, path: string, onString: (s: string, path: string) => string): unknown {
  if (typeof value === 'string') return onString(value, path);
  if (Array.isArray(value)) return value.map((v, i) => walkStrings(v, joinPath(path, i), onString));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walkStrings(v, joinPath(path, k), onString);
    return out;
  }
  return value;
}
