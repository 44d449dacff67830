// The normalized connector definition: both seed shapes (YAML of seed 000, JSON of seed 004)
// parse into this. References (`${ENV}`, `{{secret:name}}`) stay unresolved here; only
// activities resolve them (config/references.ts), so nothing secret reaches history or the CLI.

import type { Resource } from '../connectors/types';

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
    resources: Resource[];
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
