// A target connector's `provisioning` section: which source's store identities it receives,
// when (after each successful sync of that source), which of them (a filter, or members of some
// groups), how they map onto the target's attributes, and whether leaving the scope deletes.
import { parseFilter } from './filter';
import { compileMapping } from './mapping';
import { joinPath } from './references';
import { showValue } from './secrets-policy';
import type { ConnectorDefinition } from './types';

export interface ProvisioningSpec {
  /** The source connector whose stored identities are pushed. */
  from: string;
  /** 'sync': a push runs after every successful sync of `from` (seed 003's automatic provisioning). */
  after?: 'sync';
  scope?: { filter?: string; groups?: string[] };
  /** Per store kind: target attribute path → store attribute path (or rule). */
  mapping?: { user?: Record<string, string>; group?: Record<string, string> };
  /** Identities that leave the scope (or the source) are deleted in the target instead of disabled. */
  deleteOnRemoval?: boolean;
}

const FIELDS = ['from', 'after', 'scope', 'mapping', 'deleteOnRemoval'];
const SLUG = /^[a-z0-9](?:[a-z0-9_-]|\.(?!\.))*$/;

type Report = (path: string, message: string) => void;
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Problems go to `add` with their dotted path; undefined when absent or invalid. */
export function readProvisioning(value: unknown, name: string | undefined, add: Report, path = 'provisioning'): ProvisioningSpec | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObj(value)) {
    add(path, `expected an object with ${FIELDS.join(', ')}, got ${showValue(value, path)}`);
    return undefined;
  }
  let ok = true;
  const fail: Report = (p, m) => {
    ok = false;
    add(p, m);
  };
  for (const key of Object.keys(value)) if (!FIELDS.includes(key)) fail(joinPath(path, key), `unknown field; expected one of ${FIELDS.join(', ')}`);
  const out: ProvisioningSpec = { from: '' };
  // `mesh/<name>`: the persons of a mesh (config/mesh.ts) instead of one connector's identities.
  if (typeof value.from !== 'string' || !SLUG.test(value.from.startsWith('mesh/') ? value.from.slice(5) : value.from)) {
    fail(`${path}.from`, `required: the name of the source connector whose identities are pushed here, got ${showValue(value.from, `${path}.from`)}`);
  } else if (value.from === name) {
    fail(`${path}.from`, 'a connector cannot push into itself');
  } else {
    out.from = value.from;
  }
  if (value.after !== undefined) {
    if (value.after === 'sync') out.after = 'sync';
    else fail(`${path}.after`, `expected "sync" (push after each successful sync of ${out.from || 'the source'}), got ${showValue(value.after, `${path}.after`)}`);
  }
  const scope = value.scope;
  if (scope !== undefined) {
    if (!isObj(scope)) fail(`${path}.scope`, `expected an object with filter and/or groups, got ${showValue(scope, `${path}.scope`)}`);
    else {
      out.scope = {};
      for (const key of Object.keys(scope)) if (key !== 'filter' && key !== 'groups') fail(joinPath(`${path}.scope`, key), 'unknown field; expected filter or groups');
      if (scope.filter !== undefined) {
        try {
          if (typeof scope.filter !== 'string') throw new Error(`expected a SCIM filter expression like status eq "ACTIVE", got ${showValue(scope.filter, `${path}.scope.filter`)}`);
          parseFilter(scope.filter);
          out.scope.filter = scope.filter;
        } catch (err) {
          fail(`${path}.scope.filter`, (err as Error).message);
        }
      }
      if (scope.groups !== undefined) {
        const groups = scope.groups;
        if (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => typeof g !== 'string' || g.trim() === '')) {
          fail(`${path}.scope.groups`, `expected a non-empty list of source group names or ids, got ${showValue(groups, `${path}.scope.groups`)}`);
        } else {
          out.scope.groups = groups as string[];
        }
      }
    }
  }
  const mapping = value.mapping;
  if (mapping !== undefined) {
    if (!isObj(mapping)) fail(`${path}.mapping`, `expected an object with user and/or group, got ${showValue(mapping, `${path}.mapping`)}`);
    else {
      out.mapping = {};
      for (const [kind, map] of Object.entries(mapping)) {
        const at = joinPath(`${path}.mapping`, kind);
        if (kind !== 'user' && kind !== 'group') {
          fail(at, 'unknown field; expected user or group');
          continue;
        }
        if (!isObj(map) || Object.values(map).some((v) => typeof v !== 'string')) {
          fail(at, `expected target attribute → store attribute entries like "name.givenName": firstName, got ${showValue(map, at)}`);
          continue;
        }
        try {
          compileMapping(map as Record<string, string>, {});
          out.mapping[kind] = map as Record<string, string>;
        } catch (err) {
          fail(at, (err as Error).message);
        }
      }
    }
  }
  if (value.deleteOnRemoval !== undefined) {
    if (typeof value.deleteOnRemoval === 'boolean') out.deleteOnRemoval = value.deleteOnRemoval;
    else fail(`${path}.deleteOnRemoval`, `expected true or false, got ${showValue(value.deleteOnRemoval, `${path}.deleteOnRemoval`)}`);
  }
  return ok ? out : undefined;
}

/** The section of a stored definition (definitions stored before it existed have none). */
export function provisioningOf(def: ConnectorDefinition): ProvisioningSpec | undefined {
  const p = (def as ConnectorDefinition & { provisioning?: ProvisioningSpec }).provisioning;
  return p && typeof p.from === 'string' ? p : undefined;
}
