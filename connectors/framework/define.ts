// defineConnector: one declaration per connector type — its config schema, its manifest and how
// to open it. The config reaches `open` parsed and typed by the schema (no casts), and the
// operations `open` returns are checked against the manifest's capabilities once, so a caller
// that asks the manifest can rely on the operation being there.

import type { z, ZodType } from 'zod';
import type { ConnectorDefinition } from '../../config/types';
import { ConnectorError } from '../errors';
import type { HttpClientOptions } from '../http/client';
import { checkManifest, type LinkClassSpec, type Manifest, type ObjectClassSpec } from './manifest';
import type { ConnectorOps } from './spi';

export interface OpenContext {
  /** The definition as written: references unresolved (tells which fields came from one). */
  def: OpenedDefinition;
  /** Overrides for the shared HTTP client (timeouts, retries; tests shorten waits). */
  http?: Partial<Omit<HttpClientOptions, 'baseUrl' | 'auth' | 'label'>>;
}
export type OpenedDefinition = Pick<ConnectorDefinition, 'name' | 'type'> & { config?: unknown };

export interface ConnectorSpec<S extends ZodType> {
  type: string;
  configSchema: S;
  objectClasses: Record<string, ObjectClassSpec>;
  linkClasses?: Record<string, LinkClassSpec>;
  deltaScope?: Manifest['deltaScope'];
  affinity?: boolean;
  eventTypes?: Manifest['eventTypes'];
  webhooks?: Manifest['webhooks'];
  /** Types whose classes come from their config (a generic REST source): the manifest of one
   *  instance, a narrowing of the type's (a subset of its classes and capabilities). The type's
   *  manifest stays what config checks and mappings see; the instance's is what runs read. */
  manifestFor?(config: z.output<S>, base: Manifest): Manifest;
  open(config: z.output<S>, ctx: OpenContext): ConnectorOps;
}

/** An open connector: its manifest and the operations it declared. */
export interface Connector extends ConnectorOps {
  readonly type: string;
  readonly manifest: Manifest;
}

export interface ConnectorType {
  readonly manifest: Manifest;
  readonly configSchema: ZodType;
  /** `config` is reference-resolved but not yet parsed; a bad one throws ConnectorError('config'). */
  open(def: OpenedDefinition, config: unknown, extras?: Omit<OpenContext, 'def'>): Connector;
}

const OP_FOR: Record<string, keyof ConnectorOps> = {
  read: 'readPage',
  get: 'getById',
  create: 'create',
  update: 'updateDelta',
  delete: 'delete',
  enable: 'setEnabled',
  link: 'link',
  unlink: 'unlink',
};

export function defineConnector<S extends ZodType>(spec: ConnectorSpec<S>): ConnectorType {
  const manifest = checkManifest({
    type: spec.type,
    objectClasses: spec.objectClasses,
    linkClasses: spec.linkClasses ?? {},
    deltaScope: spec.deltaScope ?? 'connector',
    affinity: spec.affinity ?? false,
    eventTypes: spec.eventTypes,
    webhooks: spec.webhooks,
  });
  return {
    manifest,
    configSchema: spec.configSchema,
    open(def, config, extras = {}) {
      const parsed = spec.configSchema.safeParse(config);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `config.${i.path.join('.')}: ${i.message}`).join('; ');
        throw new ConnectorError('config', `${def.name}: ${issues}`, { connector: def.name });
      }
      const typed = parsed.data as z.output<S>;
      const instance = spec.manifestFor ? checkNarrowing(manifest, spec.manifestFor(typed, manifest)) : manifest;
      const ops = spec.open(typed, { ...extras, def });
      // Against the type's manifest: an instance declares less, never an operation it lacks.
      checkOps(manifest, ops);
      return Object.assign(ops, { type: spec.type, manifest: instance });
    },
  };
}

/** An instance manifest may drop classes and capabilities of its type's, never add or change one. */
function checkNarrowing(base: Manifest, m: Manifest): Manifest {
  const problems: string[] = [];
  const sub = (what: string, got: readonly string[] | undefined, allowed: readonly string[] | undefined) => {
    for (const x of got ?? []) if (!(allowed ?? []).includes(x)) problems.push(`${what}: ${x} is not in the type's manifest`);
  };
  for (const [name, c] of Object.entries(m.objectClasses)) {
    const b = base.objectClasses[name];
    if (!b) {
      problems.push(`${name}: not an object class of the type`);
      continue;
    }
    if (c.kind !== b.kind) problems.push(`${name}: kind ${c.kind} differs from the type's ${b.kind}`);
    if ((c.read && !b.read) || (c.get && !b.get) || (c.delta !== 'none' && c.delta !== b.delta)) problems.push(`${name}: declares a capability the type does not`);
    sub(name, c.write, b.write);
  }
  for (const [name, c] of Object.entries(m.linkClasses)) {
    const b = base.linkClasses[name];
    if (!b) {
      problems.push(`${name}: not a link class of the type`);
      continue;
    }
    if (c.kind !== b.kind || c.parent !== b.parent) problems.push(`${name}: kind or parent differs from the type's`);
    if ((c.read && !b.read) || (c.get && !b.get) || (c.delta !== 'none' && c.delta !== b.delta)) problems.push(`${name}: declares a capability the type does not`);
    sub(name, c.children, b.children);
    sub(name, c.write, b.write);
  }
  if (m.type !== base.type || m.deltaScope !== base.deltaScope || m.affinity !== base.affinity) problems.push('type, deltaScope and affinity are the type\'s');
  if (problems.length) throw new Error(`connector type ${base.type}: bad instance manifest: ${problems.join('; ')}`);
  return checkManifest(m);
}

/** Every declared capability has its operation and every operation is declared. */
function checkOps(m: Manifest, ops: ConnectorOps): void {
  const needed = new Set<keyof ConnectorOps>();
  const declare = (c: { read: boolean; get: boolean; delta: string; write?: readonly string[] }, getOp: keyof ConnectorOps) => {
    if (c.read) needed.add('readPage');
    if (c.get) needed.add(getOp);
    if (c.delta !== 'none') {
      needed.add('readChanges');
      needed.add('currentWatermark');
    }
    for (const w of c.write ?? []) needed.add(OP_FOR[w]);
  };
  for (const c of Object.values(m.objectClasses)) declare(c, 'getById');
  for (const c of Object.values(m.linkClasses)) declare(c, 'getLinks');
  const problems: string[] = [];
  for (const op of needed) if (typeof ops[op] !== 'function') problems.push(`declares a capability that needs ${op}(), which it does not implement`);
  const optional = new Set<keyof ConnectorOps>(['test', 'close']);
  for (const [op, f] of Object.entries(ops) as [keyof ConnectorOps, unknown][]) {
    if (typeof f === 'function' && !optional.has(op) && !needed.has(op)) problems.push(`implements ${op}() but its manifest declares no capability that uses it`);
  }
  if (problems.length) throw new Error(`connector type ${m.type}: ${problems.join('; ')}`);
}

/** The operation for a capability the caller already checked in the manifest; a clear error,
 *  naming the connector and class, when it was not declared. */
export function requireOp<K extends keyof ConnectorOps>(c: Connector, op: K, what: string): NonNullable<ConnectorOps[K]> {
  const f = c[op];
  if (typeof f !== 'function') throw new ConnectorError('config', `a ${c.type} connector cannot ${what}`);
  return (f as (...a: unknown[]) => unknown).bind(c) as NonNullable<ConnectorOps[K]>;
}
