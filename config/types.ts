// The normalized connector definition: both seed shapes (YAML of seed 000, JSON of seed 004)
// parse into this. References (`${ENV}`, `{{secret:name}}`) stay unresolved here; only
// activities resolve them (config/references.ts), so nothing secret reaches history or the CLI.

import type { ZodType } from 'zod';

export interface ConnectorDefinition {
  name: string;
  type: string;
  enabled: boolean;
  /** Type-specific settings (domain, apiToken, host, bindDn, …) with references unresolved. */
  config: Record<string, unknown>;
  sync: {
    mode: 'polling' | 'webhook';
    /** As written ("15m"), and in milliseconds. */
    interval: string;
    intervalMs: number;
    /** Object and link classes of the type's manifest to read, objects first. */
    resources: string[];
    /** A scheduled run becomes a full run when the last successful full run is older than this
     *  (deletions that deltas cannot see are found by full runs). As written ("24h"), and in ms. */
    fullInterval: string;
    fullIntervalMs: number;
  };
  /** target attribute → dotted source path (`profile.email`, `emails[0].value`). `id` picks the external id. */
  mapping: { user?: Record<string, string>; group?: Record<string, string>; app?: Record<string, string> };
  /** SCIM filter expressions per resource, all of which must hold for a record to be kept. */
  filters: { users?: string[]; groups?: string[]; apps?: string[] };
  retryPolicy: { maxAttempts: number; backoff: 'exponential' | 'linear' };
  webhooks: { enabled: boolean; secret?: string; events: string[] };
  /** Full runs hold for approval when they would delete more than this fraction of a kind. */
  deletionThreshold: number;
  /** Full runs also hold when they would delete more than this many rows of one kind. */
  deletionLimit: number;
  /** How long a held run waits for an operator before it is rejected. As written, and in ms. */
  approvalTimeout: string;
  approvalTimeoutMs: number;
}

/** What a connector type tells the config module beyond its config schema, so a file that
 *  would silently do nothing (an event type the source never sends, a filter on an attribute
 *  its objects do not have) is caught when it is created. */
export interface ConnectorTypeRules {
  configSchema: ZodType;
  /** Event types the source sends; `aliases` maps a documented name to the source's own. */
  eventTypes?: { known: readonly string[]; aliases: Readonly<Record<string, string>> };
  /** Attribute paths of each class's source objects; `profile.*` allows anything below. */
  attributePaths?: Readonly<Record<string, readonly string[]>>;
  /** Other names a mapping may use for each class's source paths (Okta's SCIM view), by class. */
  pathAliases?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The classes `sync.resources` may name, each with the classes it brings (from the manifest). */
  classes?: ClassGroups;
}

/** `groups` → [groups, memberships]: a class name and the classes read with it. */
export type ClassGroups = Readonly<Record<string, readonly string[]>>;

/** Per type: its rules, or only its config schema (types without more to say, tests). */
export type ConnectorTypes = Record<string, ZodType | ConnectorTypeRules>;

export interface ConfigIssue {
  file: string;
  /** Dotted path into the document, e.g. `config.sync.interval`. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => `${i.file}: ${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}
