// A mesh file: which connectors feed one set of persons, how their accounts are matched
// (ordered correlation rules), which source is authoritative for each person attribute, and which
// source decides that a person exists (joiner) and has left (leaver). Parsed like connector files:
// every problem is reported with its dotted path, and nothing is returned when there is one.
import YAML from 'yaml';
import { joinPath } from './references';
import { showValue } from './secrets-policy';
import { ConfigError, type ConfigIssue } from './types';

export const NORMALIZERS = ['lower', 'trim', 'stripDomain'] as const;
export type Normalizer = (typeof NORMALIZERS)[number];
export const TRANSFORMS = ['lower', 'upper', 'trim', 'stripDomain'] as const;
export type Transform = (typeof TRANSFORMS)[number];
export const ON_LEAVE = ['disable', 'delete', 'keep'] as const;

/** One side of a correlation rule: an attribute of a source's accounts, or of the mesh person. */
export type RuleSide = { source: string; attribute: string } | { mesh: string };

export interface CorrelationRule {
  name: string;
  match: { source: string; attribute: string };
  with: RuleSide;
  normalize: Normalizer[];
}

export interface MeshAttributeSpec {
  /** In order of authority: the first linked live account with a value sets the attribute. */
  from: { source: string; attribute: string }[];
  transform?: Transform;
}

export interface MeshDefinition {
  name: string;
  sources: { connector: string; classes: 'user'[] }[];
  correlation: CorrelationRule[];
  attributes: Record<string, MeshAttributeSpec>;
  lifecycle: {
    /** Its accounts found persons (joiner) and their leaving makes the person a leaver. */
    source: string;
    /** What targets fed from the mesh do with a leaver's accounts. */
    onLeave: (typeof ON_LEAVE)[number];
  };
}

const TOP = ['name', 'sources', 'correlation', 'attributes', 'lifecycle'];
const SLUG = /^[a-z0-9](?:[a-z0-9_-]|\.(?!\.))*$/;
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

export function parseMeshText(text: string, file: string): MeshDefinition {
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    // Parser messages quote the line; a mesh file holds no secrets, but keep them short.
    throw new ConfigError([{ file, path: '', message: `not valid YAML or JSON: ${String((err as Error).message).split('\n')[0]}` }]);
  }
  return normalizeMesh(doc, file);
}

export function normalizeMesh(doc: unknown, file: string): MeshDefinition {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ file, path, message });
  if (!isObj(doc)) throw new ConfigError([{ file, path: '', message: `expected a mesh definition with ${TOP.join(', ')}, got ${showValue(doc, '')}` }]);
  for (const k of Object.keys(doc)) if (!TOP.includes(k)) add(k, `unknown field; expected one of ${TOP.join(', ')}`);

  const name = typeof doc.name === 'string' ? doc.name : '';
  if (!SLUG.test(name) || name.length > 63) add('name', `required: a slug (lower-case letters, digits, - _ .; at most 63 characters), got ${showValue(doc.name, 'name')}`);

  const sources: MeshDefinition['sources'] = [];
  if (!Array.isArray(doc.sources) || doc.sources.length === 0) add('sources', `required: a non-empty list of { connector, classes }, got ${showValue(doc.sources, 'sources')}`);
  else {
    doc.sources.forEach((s: unknown, i: number) => {
      const at = joinPath('sources', i);
      const src = typeof s === 'string' ? { connector: s } : s;
      if (!isObj(src)) return add(at, `expected { connector, classes }, got ${showValue(s, at)}`);
      for (const k of Object.keys(src)) if (k !== 'connector' && k !== 'classes') add(joinPath(at, k), 'unknown field; expected connector or classes');
      if (typeof src.connector !== 'string' || !SLUG.test(src.connector)) return add(`${at}.connector`, `required: a connector name, got ${showValue(src.connector, `${at}.connector`)}`);
      if (sources.some((x) => x.connector === src.connector)) return add(`${at}.connector`, `"${src.connector}" is listed twice`);
      const classes = src.classes ?? ['user'];
      // Still a source when its classes are wrong: rules naming it are not errors of their own.
      if (!Array.isArray(classes) || classes.length === 0 || classes.some((c) => c !== 'user')) {
        add(`${at}.classes`, `expected [user] (persons are correlated from user accounts), got ${showValue(src.classes, `${at}.classes`)}`);
      }
      sources.push({ connector: src.connector, classes: ['user'] });
    });
  }
  const known = new Set(sources.map((s) => s.connector));
  const sourceRef = (v: unknown, at: string): string | undefined => {
    if (typeof v !== 'string' || !known.has(v)) {
      add(at, `expected one of the mesh's sources (${[...known].join(', ') || 'none valid'}), got ${showValue(v, at)}`);
      return undefined;
    }
    return v;
  };

  const attributes: MeshDefinition['attributes'] = {};
  if (doc.attributes !== undefined && !isObj(doc.attributes)) add('attributes', `expected mesh attribute → { from: [source.attribute, …], transform }, got ${showValue(doc.attributes, 'attributes')}`);
  else for (const [attr, spec] of Object.entries(doc.attributes ?? {})) {
    const at = joinPath('attributes', attr);
    const s = Array.isArray(spec) || typeof spec === 'string' ? { from: spec } : spec;
    if (!isObj(s)) {
      add(at, `expected { from: [source.attribute, …], transform }, got ${showValue(spec, at)}`);
      continue;
    }
    for (const k of Object.keys(s)) if (k !== 'from' && k !== 'transform') add(joinPath(at, k), 'unknown field; expected from or transform');
    const list = typeof s.from === 'string' ? [s.from] : s.from;
    if (!Array.isArray(list) || list.length === 0) {
      add(`${at}.from`, `required: the sources in order of authority, like [hr.department, ad.department], got ${showValue(s.from, `${at}.from`)}`);
      continue;
    }
    const from: MeshAttributeSpec['from'] = [];
    list.forEach((ref: unknown, i: number) => {
      const r = readAttrRef(ref, known);
      if (typeof r === 'string') add(joinPath(`${at}.from`, i), r);
      else from.push(r);
    });
    const out: MeshAttributeSpec = { from };
    if (s.transform !== undefined) {
      if ((TRANSFORMS as readonly unknown[]).includes(s.transform)) out.transform = s.transform as Transform;
      else add(`${at}.transform`, `expected one of ${TRANSFORMS.join(', ')}, got ${showValue(s.transform, `${at}.transform`)}`);
    }
    attributes[attr] = out;
  }

  const correlation: CorrelationRule[] = [];
  if (doc.correlation !== undefined && !Array.isArray(doc.correlation)) add('correlation', `expected an ordered list of rules, got ${showValue(doc.correlation, 'correlation')}`);
  else (doc.correlation as unknown[] | undefined ?? []).forEach((r, i) => {
    const at = joinPath('correlation', i);
    if (!isObj(r)) return add(at, `expected { name, match: { source, attribute }, with: { source, attribute } or { mesh }, normalize }, got ${showValue(r, at)}`);
    for (const k of Object.keys(r)) if (!['name', 'match', 'with', 'normalize'].includes(k)) add(joinPath(at, k), 'unknown field; expected name, match, with or normalize');
    const ruleName = r.name === undefined ? `rule-${i + 1}` : r.name;
    if (!isText(ruleName) || ruleName === 'manual' || ruleName === 'joiner') add(`${at}.name`, `expected a name other than "manual" and "joiner", got ${showValue(r.name, `${at}.name`)}`);
    else if (correlation.some((c) => c.name === ruleName)) add(`${at}.name`, `"${ruleName}" names two rules`);
    const match = readSide(r.match, `${at}.match`, false);
    const w = readSide(r.with, `${at}.with`, true);
    const normalize: Normalizer[] = [];
    const norms = r.normalize === undefined ? [] : typeof r.normalize === 'string' ? [r.normalize] : r.normalize;
    if (!Array.isArray(norms)) add(`${at}.normalize`, `expected a list of ${NORMALIZERS.join(', ')}, got ${showValue(r.normalize, `${at}.normalize`)}`);
    else norms.forEach((n: unknown, j: number) => {
      if ((NORMALIZERS as readonly unknown[]).includes(n)) normalize.push(n as Normalizer);
      else add(joinPath(`${at}.normalize`, j), `expected one of ${NORMALIZERS.join(', ')}, got ${showValue(n, `${at}.normalize`)}`);
    });
    if (match && w && 'source' in match && 'source' in w && match.source === w.source) add(`${at}.with.source`, 'a rule matches two different sources (or a source and the mesh)');
    if (w && 'mesh' in w && !(w.mesh in attributes)) add(`${at}.with.mesh`, `"${w.mesh}" is not a mesh attribute (see attributes)`);
    if (match && w && isText(ruleName)) correlation.push({ name: ruleName, match: match as CorrelationRule['match'], with: w, normalize });
  });

  function readSide(v: unknown, at: string, meshAllowed: boolean): RuleSide | undefined {
    const shape = meshAllowed ? '{ source, attribute } or { mesh: attribute }' : '{ source, attribute }';
    if (!isObj(v)) return void add(at, `required: ${shape}, got ${showValue(v, at)}`);
    if (meshAllowed && 'mesh' in v) {
      if (!isText(v.mesh) || Object.keys(v).length !== 1) return void add(`${at}.mesh`, `expected a mesh attribute name alone, got ${showValue(v, at)}`);
      return { mesh: v.mesh };
    }
    for (const k of Object.keys(v)) if (k !== 'source' && k !== 'attribute') add(joinPath(at, k), `unknown field; expected ${shape}`);
    const source = sourceRef(v.source, `${at}.source`);
    if (!isText(v.attribute)) return void add(`${at}.attribute`, `required: the account attribute compared, got ${showValue(v.attribute, `${at}.attribute`)}`);
    return source ? { source, attribute: v.attribute } : undefined;
  }

  let lifecycle: MeshDefinition['lifecycle'] | undefined;
  const lc = doc.lifecycle;
  if (!isObj(lc)) add('lifecycle', `required: { source: <the authoritative source>, onLeave: ${ON_LEAVE.join(' | ')} }, got ${showValue(lc, 'lifecycle')}`);
  else {
    for (const k of Object.keys(lc)) if (k !== 'source' && k !== 'onLeave') add(joinPath('lifecycle', k), 'unknown field; expected source or onLeave');
    const source = sourceRef(lc.source, 'lifecycle.source');
    const onLeave = lc.onLeave ?? 'disable';
    if (!(ON_LEAVE as readonly unknown[]).includes(onLeave)) add('lifecycle.onLeave', `expected one of ${ON_LEAVE.join(', ')}, got ${showValue(lc.onLeave, 'lifecycle.onLeave')}`);
    else if (source) lifecycle = { source, onLeave: onLeave as MeshDefinition['lifecycle']['onLeave'] };
  }

  if (issues.length > 0 || !lifecycle) throw new ConfigError(issues.length ? issues : [{ file, path: 'lifecycle', message: 'invalid' }]);
  return { name, sources, correlation, attributes, lifecycle };
}

/** `hr.department` (the source is the longest declared source name before a dot) or
 *  `{ source, attribute }`; a message when neither. */
function readAttrRef(ref: unknown, known: Set<string>): { source: string; attribute: string } | string {
  if (isObj(ref) && typeof ref.source === 'string' && isText(ref.attribute)) {
    return known.has(ref.source) ? { source: ref.source, attribute: ref.attribute } : `"${ref.source}" is not one of the mesh's sources`;
  }
  if (typeof ref === 'string') {
    const source = [...known].filter((s) => ref.startsWith(`${s}.`) && ref.length > s.length + 1).sort((a, b) => b.length - a.length)[0];
    if (source) return { source, attribute: ref.slice(source.length + 1) };
  }
  return `expected <source>.<attribute> with one of the mesh's sources (${[...known].join(', ')}), got ${showValue(ref, '')}`;
}

export const meshWorkflowId = (name: string): string => `mesh/${name}`;
/** `provisioning.from: mesh/<name>` names a mesh instead of a connector. */
export const MESH_SOURCE_PREFIX = 'mesh/';
export const meshOfSource = (source: string): string | null => (source.startsWith(MESH_SOURCE_PREFIX) ? source.slice(MESH_SOURCE_PREFIX.length) : null);
