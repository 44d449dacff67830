// Correlation of source accounts into mesh persons, with no I/O: the activity looks up what these
// functions ask for (keys, links) and writes what they decide. Rules are tried in order; the first
// rule that finds any candidate decides. One candidate joins; two candidates, or a candidate that
// already has another account of the same source, is ambiguous and is never joined automatically.
import type { MeshAttributeSpec, MeshDefinition, Normalizer, Transform } from '../config/mesh';
import type { MeshLinkStatus, MeshPersonState, MeshProvenance } from '../store/types';
import { stateOf } from './projection';

export interface MeshAccount {
  source: string;
  id: string;
  attributes: Record<string, unknown>;
  deleted: boolean;
}

/** What the store says about an account before this batch. */
export interface AccountLink {
  status: MeshLinkStatus;
  personId: string | null;
  rule: string | null;
}

export type Decision =
  /** Linked and still matching (or founding, or an operator's decision): left alone. */
  | { action: 'keep' }
  | { action: 'link'; personId: string; rule: string }
  /** The authoritative source's account matched nobody: it founds a person (joiner). */
  | { action: 'found'; personId: string; rule: 'joiner' }
  | { action: 'review'; rule: string; reason: string; candidates: string[] }
  | { action: 'unmatched' }
  | { action: 'gone' };

/** Key owners: an account (`<connector>/<id>`) or a person (`/<person id>`). */
export const accountOwner = (source: string, id: string): string => `${source}/${id}`;
export const personOwner = (personId: string): string => `/${personId}`;
export function parseOwner(owner: string): { source: string; id: string } | { personId: string } {
  const i = owner.indexOf('/');
  return i === 0 ? { personId: owner.slice(1) } : { source: owner.slice(0, i), id: owner.slice(i + 1) };
}
/** Deterministic, so a retried batch founds the same person. */
export const foundedPersonId = (source: string, id: string): string => `${source}:${id}`;

export function normalize(value: unknown, steps: readonly Normalizer[]): string | null {
  if (value === null || value === undefined) return null;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === null || first === undefined || typeof first === 'object') return null;
  let s = String(first);
  for (const step of steps) {
    if (step === 'lower') s = s.toLowerCase();
    else if (step === 'trim') s = s.trim();
    else if (step === 'stripDomain') s = stripDomain(s);
  }
  return s === '' ? null : s;
}

/** `jane@corp.example` → `jane`; `CORP\jane` → `jane`. */
function stripDomain(s: string): string {
  const at = s.indexOf('@');
  if (at >= 0) return s.slice(0, at);
  const slash = s.lastIndexOf('\\');
  return slash >= 0 ? s.slice(slash + 1) : s;
}

export function transform(value: unknown, t: Transform | undefined): unknown {
  if (!t || typeof value !== 'string') return value;
  if (t === 'lower') return value.toLowerCase();
  if (t === 'upper') return value.toUpperCase();
  if (t === 'trim') return value.trim();
  return stripDomain(value);
}

/** The key a rule side is stored under: accounts of the `match` source publish `<rule>:match`,
 *  accounts of the `with` source (or persons, for a mesh attribute) publish `<rule>:with`. */
export const ruleKey = (rule: string, side: 'match' | 'with'): string => `${rule}:${side}`;

/** The keys an account publishes (none once deleted: a deleted account matches nobody). */
export function accountKeys(def: MeshDefinition, a: MeshAccount): { key: string; value: string }[] {
  if (a.deleted) return [];
  const out: { key: string; value: string }[] = [];
  for (const r of def.correlation) {
    if (r.match.source === a.source) push(out, ruleKey(r.name, 'match'), normalize(a.attributes[r.match.attribute], r.normalize));
    if ('source' in r.with && r.with.source === a.source) push(out, ruleKey(r.name, 'with'), normalize(a.attributes[r.with.attribute], r.normalize));
  }
  return out;
}

/** The keys a person publishes, for rules matching on a mesh attribute. */
export function personKeys(def: MeshDefinition, attributes: Record<string, unknown>): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const r of def.correlation) if ('mesh' in r.with) push(out, ruleKey(r.name, 'with'), normalize(attributes[r.with.mesh], r.normalize));
  return out;
}

function push(out: { key: string; value: string }[], key: string, value: string | null): void {
  if (value !== null && !out.some((k) => k.key === key && k.value === value)) out.push({ key, value });
}

/** For an account, in rule order: the key of the other side and the value to find there. */
export function lookupsFor(def: MeshDefinition, a: MeshAccount): { rule: string; key: string; value: string }[] {
  if (a.deleted) return [];
  const out: { rule: string; key: string; value: string }[] = [];
  for (const r of def.correlation) {
    if (r.match.source === a.source) {
      const v = normalize(a.attributes[r.match.attribute], r.normalize);
      if (v !== null) out.push({ rule: r.name, key: ruleKey(r.name, 'with'), value: v });
    } else if ('source' in r.with && r.with.source === a.source) {
      const v = normalize(a.attributes[r.with.attribute], r.normalize);
      if (v !== null) out.push({ rule: r.name, key: ruleKey(r.name, 'match'), value: v });
    }
  }
  return out;
}

export const matchKey = (key: string, value: string): string => `${key}\u0000${value}`;

export interface BatchInput {
  def: MeshDefinition;
  accounts: MeshAccount[];
  /** Existing links of these accounts (absent: never seen by the mesh). */
  links: Map<string, AccountLink>;
  /** matchKey(key, value) → the persons behind the owners of that key (linked accounts, persons). */
  matches: Map<string, string[]>;
  /** Person → the accounts of the batch's source linked to it (before this batch). */
  linkedFromSource: Map<string, string[]>;
}

/** Decisions for one batch of accounts of one source, in the batch's order (a person the batch
 *  links is taken for the accounts after it). */
export function correlateBatch(input: BatchInput): Map<string, Decision> {
  const { def } = input;
  const taken = new Map<string, string[]>([...input.linkedFromSource].map(([p, ids]) => [p, [...ids]]));
  const out = new Map<string, Decision>();
  for (const a of input.accounts) {
    const d = decide(def, a, input.links.get(a.id), input.matches, taken);
    out.set(a.id, d);
    if (d.action === 'link' || d.action === 'found') taken.set(d.personId, [...(taken.get(d.personId) ?? []), a.id]);
  }
  return out;
}

function decide(def: MeshDefinition, a: MeshAccount, link: AccountLink | undefined, matches: Map<string, string[]>, taken: Map<string, string[]>): Decision {
  if (link?.status === 'detached') return { action: 'keep' };
  if (link?.status === 'linked') {
    // An operator's link and a founding account never move; a rule's link stays while any rule
    // still finds its person (a deleted account keeps its link: it tells who left).
    if (link.rule === 'manual' || link.rule === 'joiner' || a.deleted) return { action: 'keep' };
    if (lookupsFor(def, a).some((l) => (matches.get(matchKey(l.key, l.value)) ?? []).includes(link.personId ?? ''))) return { action: 'keep' };
  }
  if (a.deleted) return { action: 'gone' };
  for (const l of lookupsFor(def, a)) {
    const persons = [...new Set(matches.get(matchKey(l.key, l.value)) ?? [])].sort();
    if (persons.length === 0) continue;
    if (persons.length > 1) return { action: 'review', rule: l.rule, reason: `${persons.length} candidates match on rule ${l.rule}`, candidates: persons };
    const others = (taken.get(persons[0]) ?? []).filter((id) => id !== a.id);
    if (others.length > 0) {
      return { action: 'review', rule: l.rule, reason: `the candidate ${persons[0]} already has ${a.source} account ${others.join(', ')}`, candidates: persons };
    }
    return { action: 'link', personId: persons[0], rule: l.rule };
  }
  if (a.source === def.lifecycle.source) return { action: 'found', personId: foundedPersonId(a.source, a.id), rule: 'joiner' };
  return { action: 'unmatched' };
}

export interface LinkedAccount {
  account: MeshAccount;
  /** The rule that linked it (`joiner`, `manual`, or a correlation rule's name). */
  rule: string;
}

export interface ComputedPerson {
  state: MeshPersonState;
  attributes: Record<string, unknown>;
  provenance: Record<string, MeshProvenance>;
}

/** A person's attributes by authority, with provenance; `previous` keeps the run that last set an
 *  unchanged value. State: active while an account of the lifecycle source is live and active. */
export function computePerson(def: MeshDefinition, linked: LinkedAccount[], runId: string, previous?: ComputedPerson): ComputedPerson {
  const live = linked.filter((l) => !l.account.deleted).sort((x, y) => (x.account.id < y.account.id ? -1 : x.account.id > y.account.id ? 1 : 0));
  const attributes: Record<string, unknown> = {};
  const provenance: Record<string, MeshProvenance> = {};
  for (const [name, spec] of Object.entries(def.attributes)) {
    const hit = firstValue(spec, live);
    if (!hit) continue;
    attributes[name] = hit.value;
    const before = previous?.provenance[name];
    const same = before && before.source === hit.source && before.account === hit.account && sameValue(previous?.attributes[name], hit.value);
    provenance[name] = { source: hit.source, account: hit.account, rule: hit.rule, run: same ? before.run : runId };
  }
  const active = live.some((l) => l.account.source === def.lifecycle.source && stateOf({ id: l.account.id, attributes: l.account.attributes }) === 'active');
  return { state: active ? 'active' : 'left', attributes, provenance };
}

function firstValue(spec: MeshAttributeSpec, live: LinkedAccount[]): { value: unknown; source: string; account: string; rule: string } | undefined {
  for (const f of spec.from) {
    for (const l of live) {
      if (l.account.source !== f.source) continue;
      const v = l.account.attributes[f.attribute];
      if (v === null || v === undefined || v === '') continue;
      return { value: transform(v, spec.transform), source: f.source, account: l.account.id, rule: l.rule };
    }
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The order sources are correlated in: the lifecycle source first, so persons exist before the
 *  other sources' accounts look for them. */
export function sourceOrder(def: MeshDefinition): string[] {
  return [def.lifecycle.source, ...def.sources.map((s) => s.connector).filter((s) => s !== def.lifecycle.source)];
}
