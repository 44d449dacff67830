// A parsed connector document (either seed shape) → ConnectorDefinition. Every problem is
// collected with its dotted path and reported once, so a user fixes a file in one pass.

import { hasReference } from './references';
import type { ZodType } from 'zod';
import { parseDuration } from './duration';
import { parseFilter } from './filter';
import { filterAttributePaths, knownLeafAbove, pathIsKnown, unknownMappingPaths } from './filter-paths';
import { documentIssues } from './guards';
import { checkMappingValue } from './mapping';
import { readProvisioning } from './provisioning';
import { joinPath } from './references';
import { showValue } from './secrets-policy';
import { ConfigError, type ClassGroups, type ConfigIssue, type ConnectorDefinition, type ConnectorTypeRules, type ConnectorTypes } from './types';

type Obj = Record<string, unknown>;

const TOP_LEVEL = ['name', 'type', 'enabled', 'config', 'sync', 'mapping', 'filters', 'retryPolicy', 'webhooks', 'deletion', 'deletionThreshold', 'deletionLimit', 'approvalTimeout', 'provisioning'];
/** Options the seed-000 file nests under `config` although the options table lists them as common. */
const COMMON_IN_CONFIG = ['sync', 'mapping', 'filters', 'retryPolicy', 'webhooks'] as const;
// A name becomes part of workflow and schedule ids and of URLs (/webhooks/okta/<name>): no "/",
// no "..", at most 63 characters.
const MAX_NAME = 63;
const SLUG = /^[a-z0-9](?:[a-z0-9_-]|\.(?!\.))*$/;
// A seed-004 display name ("Corporate AD"): slugged, and the CLI says which name was stored.
const DISPLAY_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{N} _-]|\.(?!\.))*$/u;
const MIN_INTERVAL_MS = 60_000;
const MAX_DURATION_MS = 30 * 24 * 3600_000;
/** Classes of a type without a manifest (tests' bare schemas): the Okta-shaped five. */
const LEGACY_CLASSES: ClassGroups = {
  users: ['users'],
  groups: ['groups', 'memberships'],
  memberships: ['memberships'],
  apps: ['apps', 'appUsers'],
  appUsers: ['appUsers'],
};
/** Names seed files use for a class under another name. */
const CLASS_SYNONYMS: Record<string, string> = { applications: 'apps' };
const MAPPING_KINDS = ['user', 'group', 'app'] as const;
const FILTER_KINDS = ['users', 'groups', 'apps'] as const;

export const DEFAULTS = {
  enabled: true,
  sync: { mode: 'polling', interval: '15m', resources: [] as string[], fullInterval: '24h' },
  retryPolicy: { maxAttempts: 3, backoff: 'exponential' },
  webhooks: { enabled: false, events: [] as string[] },
  deletionThreshold: 0.2,
  deletionLimit: 500,
  approvalTimeout: '24h',
} as const;

class Issues {
  readonly list: ConfigIssue[] = [];
  /** Things that do not stop a file from being stored but that its author should know. */
  readonly warnings: ConfigIssue[] = [];
  constructor(readonly file: string) {}
  add(path: string, message: string): void {
    this.list.push({ file: this.file, path, message });
  }
  warn(path: string, message: string): void {
    this.warnings.push({ file: this.file, path, message });
  }
}

function rulesOf(entry: ConnectorTypes[string]): ConnectorTypeRules {
  return 'configSchema' in entry ? (entry as ConnectorTypeRules) : { configSchema: entry as ZodType };
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function objectAt(value: unknown, path: string, issues: Issues, allowed?: readonly string[]): Obj | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObj(value)) {
    issues.add(path, `expected an object${allowed ? ` with ${allowed.join(', ')}` : ''}, got ${kindOf(value)}`);
    return undefined;
  }
  if (allowed) {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) issues.add(joinPath(path, key), `unknown field; expected one of ${allowed.join(', ')}`);
    }
  }
  return value;
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63)
    .replace(/[-_.]+$/, '');
}

export function normalizeConnector(doc: unknown, file: string, types: ConnectorTypes): ConnectorDefinition {
  return normalizeWithWarnings(doc, file, types).definition;
}

export interface NormalizedConnector {
  definition: ConnectorDefinition;
  /** Problems that do not stop the file from being stored (printed by create/apply). */
  warnings: ConfigIssue[];
}

export function normalizeWithWarnings(doc: unknown, file: string, types: ConnectorTypes): NormalizedConnector {
  const issues = new Issues(file);
  const root = isObj(doc) ? doc : undefined;
  if (!root) throw new ConfigError([{ file, path: '', message: `expected an object with name, type and config, got ${kindOf(doc)}` }]);
  const problems = documentIssues(root);
  for (const problem of problems) issues.add(problem.path, problem.message);
  // Nothing below may read a document with prototype keys in it.
  if (problems.some((p) => p.unsafeKey)) throw new ConfigError(issues.list);
  objectAt(root, '', issues, TOP_LEVEL);

  const rawConfig = objectAt(root.config, 'config', issues) ?? {};
  const config: Obj = { ...rawConfig };

  // The common options may sit at the top level or under config, never both.
  const common = {} as Record<(typeof COMMON_IN_CONFIG)[number], { value: unknown; path: string }>;
  for (const key of COMMON_IN_CONFIG) {
    const inConfig = config[key];
    delete config[key];
    if (root[key] !== undefined && inConfig !== undefined) {
      issues.add(`config.${key}`, `given both at ${key} and config.${key}; keep one`);
    }
    // An option given nowhere is reported at its documented top-level place.
    common[key] = root[key] !== undefined || inConfig === undefined ? { value: root[key], path: key } : { value: inConfig, path: `config.${key}` };
  }

  // Seed 004 nests the user mapping in config as attributeMapping; it is ours, not the type's.
  const attributeMapping = config.attributeMapping;
  delete config.attributeMapping;

  const name = readName(root.name, issues);
  const type = readType(root.type, types, issues);
  const rules = type ? rulesOf(types[type]) : undefined;
  const typeConfig = rules ? validateTypeConfig(rules.configSchema, config, issues) : config;
  const enabled = readBoolean(root.enabled, 'enabled', DEFAULTS.enabled, issues);
  const sync = readSync(common.sync.value, common.sync.path, issues, rules?.classes ?? LEGACY_CLASSES);
  const mapping = readMapping(common.mapping.value, common.mapping.path, issues);
  if (attributeMapping !== undefined) {
    if (mapping.user) issues.add('config.attributeMapping', `given both at config.attributeMapping and ${common.mapping.path}.user; keep one`);
    else {
      const user = readPathMap(attributeMapping, 'config.attributeMapping', issues);
      if (user) mapping.user = user;
    }
  }
  const filters = readFilters(common.filters.value, common.filters.path, issues);
  if (rules?.attributePaths) warnUnknownFilterPaths(filters, common.filters.path, rules.attributePaths, type!, issues);
  if (rules?.attributePaths) {
    const userPath = attributeMapping !== undefined && mapping.user ? 'config.attributeMapping' : `${common.mapping.path}.user`;
    warnUnknownMappingPaths(mapping, userPath, common.mapping.path, rules, type!, issues);
  }
  const retryPolicy = readRetryPolicy(common.retryPolicy.value, common.retryPolicy.path, issues);
  const webhooks = readWebhooks(common.webhooks.value, common.webhooks.path, rules, type, issues);
  const deletionThreshold = readDeletionThreshold(root, issues);
  const deletionLimit = readDeletionLimit(root, issues);
  const approvalTimeout = readDuration(root.approvalTimeout, 'approvalTimeout', DEFAULTS.approvalTimeout, issues);
  const provisioning = readProvisioning(root.provisioning, name, (path, message) => issues.add(path, message));

  const hooksPath = common.webhooks.path;
  // A webhook endpoint without a shared secret would accept deliveries from anyone.
  if ((webhooks.enabled || sync.mode === 'webhook') && webhooks.secret === undefined) {
    const why = webhooks.enabled ? `${hooksPath}.enabled is true` : `${common.sync.path}.mode is "webhook"`;
    issues.add(`${hooksPath}.secret`, `required because ${why}: the shared secret Okta sends in the Authorization header, as a reference such as \${OKTA_WEBHOOK_SECRET}`);
  }
  if (sync.mode === 'webhook' && !webhooks.enabled) {
    issues.warn(`${common.sync.path}.mode`, `is "webhook" but ${hooksPath}.enabled is not true: no events will be received, the connector only polls every ${sync.interval}`);
  }
  if (issues.list.length > 0) throw new ConfigError(issues.list);
  return {
    definition: {
      name: name!, type: type!, enabled, config: typeConfig, sync, mapping, filters, retryPolicy, webhooks, deletionThreshold,
      deletionLimit, approvalTimeout: approvalTimeout.text, approvalTimeoutMs: approvalTimeout.ms,
      ...(provisioning ? { provisioning } : {}),
    },
    warnings: issues.warnings,
  };
}

function readName(value: unknown, issues: Issues): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    issues.add('name', `required: a connector name like okta-production, got ${showValue(value, 'name')}`);
    return undefined;
  }
  if (value.length <= MAX_NAME && SLUG.test(value)) return value;
  const expected = `expected a name of lower-case letters, digits, "-", "_" and "." (no "/" or "..", at most ${MAX_NAME} characters) such as okta-production, or a display name such as "Corporate AD"`;
  const slug = DISPLAY_NAME.test(value.trim()) && value.trim().length <= MAX_NAME ? slugify(value.trim()) : '';
  if (!slug || !SLUG.test(slug)) {
    issues.add('name', `${expected}, got ${showValue(value, 'name')}`);
    return undefined;
  }
  issues.warn('name', `${showValue(value, 'name')} is stored as ${slug} (connector names are slugs; use ${slug} in tiger commands)`);
  return slug;
}

function readType(value: unknown, types: ConnectorTypes, issues: Issues): string | undefined {
  const known = Object.keys(types).sort();
  if (typeof value !== 'string' || !Object.prototype.hasOwnProperty.call(types, value)) {
    const got = value === undefined ? 'nothing' : showValue(value, 'type');
    issues.add('type', `expected a known connector type (${known.join(', ') || 'none registered'}), got ${got}`);
    return undefined;
  }
  return value;
}

// The stored config keeps what the file says (references unresolved, no schema transforms): the
// type schema runs again on the resolved values inside the activity. Here it catches what can be
// known without secrets; a field holding a reference is checked only once it is resolved.
function validateTypeConfig(schema: ZodType, config: Obj, issues: Issues): Obj {
  const result = schema.safeParse(config);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (holdsReference(config, issue.path)) continue;
      const path = issue.path.reduce<string>((p, k) => joinPath(p, typeof k === 'symbol' ? String(k) : k), 'config');
      issues.add(path, issue.message);
    }
  }
  return config;
}

function holdsReference(config: Obj, path: readonly PropertyKey[]): boolean {
  let v: unknown = config;
  for (const k of path) {
    if (typeof v === 'string') break;
    if (!v || typeof v !== 'object') return false;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return typeof v === 'string' && hasReference(v);
}

function readBoolean(value: unknown, path: string, fallback: boolean, issues: Issues): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  issues.add(path, `expected true or false, got ${showValue(value, path)}`);
  return fallback;
}

function readSync(value: unknown, path: string, issues: Issues, classes: ClassGroups): ConnectorDefinition['sync'] {
  const sync = objectAt(value, path, issues, ['mode', 'interval', 'resources', 'fullInterval']) ?? {};
  let mode: 'polling' | 'webhook' = DEFAULTS.sync.mode;
  if (sync.mode !== undefined) {
    if (sync.mode === 'polling' || sync.mode === 'webhook') mode = sync.mode;
    else issues.add(`${path}.mode`, `expected polling or webhook, got ${showValue(sync.mode, path)}`);
  }
  let interval: string = DEFAULTS.sync.interval;
  let intervalMs = parseDuration(interval);
  if (sync.interval !== undefined) {
    if (typeof sync.interval !== 'string') {
      issues.add(`${path}.interval`, `expected a duration like 5m or 1h, got ${showValue(sync.interval, path)}`);
    } else {
      try {
        intervalMs = parseDuration(sync.interval);
        interval = sync.interval.trim();
        if (intervalMs < MIN_INTERVAL_MS) {
          issues.add(`${path}.interval`, `expected at least 1m (schedules run in minutes), got ${showValue(sync.interval, path)}`);
        } else if (intervalMs > MAX_DURATION_MS) {
          issues.add(`${path}.interval`, `expected at most 30d, got ${showValue(sync.interval, path)}`);
        }
      } catch (err) {
        issues.add(`${path}.interval`, (err as Error).message);
      }
    }
  }
  const full = readDuration(sync.fullInterval, `${path}.fullInterval`, DEFAULTS.sync.fullInterval, issues);
  return {
    mode, interval, intervalMs, resources: readResources(sync.resources, `${path}.resources`, issues, classes),
    fullInterval: full.text, fullIntervalMs: full.ms,
  };
}

/** A class name brings the link classes below it (`groups` → groups and memberships); the
 *  default is every class the type can read, in its manifest's order. */
function readResources(value: unknown, path: string, issues: Issues, classes: ClassGroups): string[] {
  const all = [...new Set(Object.values(classes).flat())];
  const names = [...Object.keys(classes), ...Object.keys(CLASS_SYNONYMS).filter((k) => CLASS_SYNONYMS[k] in classes)];
  const allowed = names.join(', ');
  if (value === undefined || value === null) return all;
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(path, `expected a non-empty list of resources (${allowed}), got ${showValue(value, path)}`);
    return all;
  }
  const chosen = new Set<string>();
  value.forEach((item, i) => {
    const name = typeof item === 'string' ? (CLASS_SYNONYMS[item] ?? item) : undefined;
    const expanded = name !== undefined && Object.prototype.hasOwnProperty.call(classes, name) ? classes[name] : undefined;
    if (expanded) expanded.forEach((r) => chosen.add(r));
    else issues.add(joinPath(path, i), `expected one of ${allowed}, got ${showValue(item, path)}`);
  });
  return all.filter((r) => chosen.has(r));
}

function readPathMap(value: unknown, path: string, issues: Issues): Record<string, string> | undefined {
  const map = objectAt(value, path, issues);
  if (!map) return undefined;
  const out: Record<string, string> = {};
  for (const [target, source] of Object.entries(map)) {
    const at = joinPath(path, target);
    if (typeof source !== 'string') {
      issues.add(at, `expected a source path like profile.email, got ${showValue(source, at)}`);
      continue;
    }
    try {
      checkMappingValue(source);
      out[target] = source;
    } catch (err) {
      issues.add(at, (err as Error).message);
    }
  }
  return out;
}

function readMapping(value: unknown, path: string, issues: Issues): ConnectorDefinition['mapping'] {
  const mapping = objectAt(value, path, issues, MAPPING_KINDS) ?? {};
  const out: ConnectorDefinition['mapping'] = {};
  for (const kind of MAPPING_KINDS) {
    const map = readPathMap(mapping[kind], `${path}.${kind}`, issues);
    if (map) out[kind] = map;
  }
  return out;
}

function readFilters(value: unknown, path: string, issues: Issues): ConnectorDefinition['filters'] {
  const filters = objectAt(value, path, issues, FILTER_KINDS) ?? {};
  const out: ConnectorDefinition['filters'] = {};
  for (const kind of FILTER_KINDS) {
    const list = filters[kind];
    const at = `${path}.${kind}`;
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      issues.add(at, `expected a list of SCIM filter expressions like status eq "ACTIVE", got ${kindOf(list)}`);
      continue;
    }
    const exprs: string[] = [];
    list.forEach((expr, i) => {
      try {
        parseFilter(expr);
        exprs.push(expr);
      } catch (err) {
        issues.add(joinPath(at, i), (err as Error).message);
      }
    });
    out[kind] = exprs;
  }
  return out;
}

function readRetryPolicy(value: unknown, path: string, issues: Issues): ConnectorDefinition['retryPolicy'] {
  const policy = objectAt(value, path, issues, ['maxAttempts', 'backoff']) ?? {};
  let maxAttempts: number = DEFAULTS.retryPolicy.maxAttempts;
  if (policy.maxAttempts !== undefined) {
    const n = policy.maxAttempts;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 100) maxAttempts = n;
    else issues.add(`${path}.maxAttempts`, `expected a whole number from 1 to 100, got ${showValue(n, path)}`);
  }
  let backoff: 'exponential' | 'linear' = DEFAULTS.retryPolicy.backoff;
  if (policy.backoff !== undefined) {
    if (policy.backoff === 'exponential' || policy.backoff === 'linear') backoff = policy.backoff;
    else issues.add(`${path}.backoff`, `expected exponential or linear, got ${showValue(policy.backoff, path)}`);
  }
  return { maxAttempts, backoff };
}

function readWebhooks(value: unknown, path: string, rules: ConnectorTypeRules | undefined, type: string | undefined, issues: Issues): ConnectorDefinition['webhooks'] {
  const hooks = objectAt(value, path, issues, ['enabled', 'secret', 'events']) ?? {};
  const out: ConnectorDefinition['webhooks'] = {
    enabled: readBoolean(hooks.enabled, `${path}.enabled`, DEFAULTS.webhooks.enabled, issues),
    events: [],
  };
  if (hooks.secret !== undefined && hooks.secret !== null) {
    if (typeof hooks.secret === 'string') out.secret = hooks.secret;
    else issues.add(`${path}.secret`, `expected a string such as \${WEBHOOK_SECRET}, got ${kindOf(hooks.secret)}`);
  }
  if (hooks.events !== undefined && hooks.events !== null) {
    if (!Array.isArray(hooks.events)) issues.add(`${path}.events`, `expected a list of event types, got ${kindOf(hooks.events)}`);
    else {
      hooks.events.forEach((e, i) => {
        const at = joinPath(`${path}.events`, i);
        if (typeof e !== 'string' || e.trim() === '') {
          issues.add(at, `expected an event type like user.lifecycle.create, got ${showValue(e, path)}`);
          return;
        }
        const catalogue = rules?.eventTypes;
        if (catalogue && !catalogue.known.includes(e) && !Object.prototype.hasOwnProperty.call(catalogue.aliases, e)) {
          issues.add(at, `${showValue(e, at)} is not an event type ${type} sends; expected one of ${catalogue.known.join(', ')}`);
          return;
        }
        out.events.push(e);
      });
    }
  }
  return out;
}

function readDeletionThreshold(root: Obj, issues: Issues): number {
  const deletion = objectAt(root.deletion, 'deletion', issues, ['threshold']);
  const nested = deletion?.threshold;
  if (nested !== undefined && root.deletionThreshold !== undefined) {
    issues.add('deletion.threshold', 'given both at deletionThreshold and deletion.threshold; keep one');
    return DEFAULTS.deletionThreshold;
  }
  const value = nested ?? root.deletionThreshold;
  const path = nested !== undefined ? 'deletion.threshold' : 'deletionThreshold';
  if (value === undefined || value === null) return DEFAULTS.deletionThreshold;
  // 0 would hold every run that deletes anything; 1 still holds a run that would delete everything.
  if (typeof value === 'number' && value > 0 && value <= 1) return value;
  issues.add(path, `expected a fraction above 0 and at most 1 (0.2 = hold when a run would delete 20% of a kind), got ${showValue(value, path)}`);
  return DEFAULTS.deletionThreshold;
}


/** A duration such as 24h: at least 1m, at most 30 days. */
function readDuration(value: unknown, path: string, fallback: string, issues: Issues): { text: string; ms: number } {
  if (value === undefined || value === null) return { text: fallback, ms: parseDuration(fallback) };
  if (typeof value !== 'string') {
    issues.add(path, `expected a duration like 30m or 24h, got ${showValue(value, path)}`);
    return { text: fallback, ms: parseDuration(fallback) };
  }
  try {
    const ms = parseDuration(value);
    if (ms < MIN_INTERVAL_MS || ms > MAX_DURATION_MS) {
      issues.add(path, `expected a duration from 1m to 30d, got ${showValue(value, path)}`);
      return { text: fallback, ms: parseDuration(fallback) };
    }
    return { text: value.trim(), ms };
  } catch (err) {
    issues.add(path, (err as Error).message);
    return { text: fallback, ms: parseDuration(fallback) };
  }
}

function readDeletionLimit(root: Obj, issues: Issues): number {
  const value = root.deletionLimit;
  if (value === undefined || value === null) return DEFAULTS.deletionLimit;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  issues.add('deletionLimit', `expected a whole number of at least 1 (rows of one kind a run may delete without approval), got ${showValue(value, 'deletionLimit')}`);
  return DEFAULTS.deletionLimit;
}

function warnUnknownMappingPaths(
  mapping: ConnectorDefinition['mapping'],
  userPath: string,
  path: string,
  rules: ConnectorTypeRules,
  type: string,
  issues: Issues,
): void {
  for (const [kind, resource] of [['user', 'users'], ['group', 'groups'], ['app', 'apps']] as const) {
    const known = rules.attributePaths?.[resource];
    const map = mapping[kind];
    if (!known || !map) continue;
    const at = kind === 'user' ? userPath : `${path}.${kind}`;
    for (const w of unknownMappingPaths(map, known, `${type} ${resource}`, rules.pathAliases?.[resource])) issues.warn(joinPath(at, w.key), w.message);
  }
}

function warnUnknownFilterPaths(
  filters: ConnectorDefinition['filters'],
  path: string,
  known: NonNullable<ConnectorTypeRules['attributePaths']>,
  type: string,
  issues: Issues,
): void {
  for (const kind of FILTER_KINDS) {
    const paths = known[kind];
    if (!paths) continue;
    (filters[kind] ?? []).forEach((expr, i) => {
      for (const attr of filterAttributePaths(expr)) {
        if (pathIsKnown(attr, paths)) continue;
        const leaf = knownLeafAbove(attr, paths);
        const hint = leaf ? ` (${leaf} is a plain value: filter on ${leaf} itself)` : '';
        issues.warn(joinPath(`${path}.${kind}`, i), `attribute ${attr} does not occur on ${type} ${kind}${hint}, so this filter never sees a value for it`);
      }
    });
  }
}
