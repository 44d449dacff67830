// The generic REST source type (issue 9): users and groups read from configured endpoints, in
// full and by an incremental field, one mark per class (deltaScope 'class'); memberships read per
// group. The type declares every class and capability; each instance's manifest keeps those its
// config configures (framework/define.ts manifestFor).

import { defineConnector, type Connector, type OpenedDefinition } from '../framework/define';
import type { Manifest } from '../framework/manifest';
import { LINK_CLASSES, OBJECT_CLASSES, restManifestFor } from './classes';
import { restConfigSchema, type RestConfig, type RestConfigInput } from './config';
import { openRest, type RestHttpOptions } from './connector';

export const restType = defineConnector({
  type: 'rest',
  configSchema: restConfigSchema,
  deltaScope: 'class',
  objectClasses: OBJECT_CLASSES,
  linkClasses: LINK_CLASSES,
  manifestFor: restManifestFor,
  open: (config, ctx) => openRest(ctx.def.name, config, ctx.http),
});

/** A REST connector opened through its type. Tests call this directly to pass HTTP overrides. */
export function createRestConnector(def: OpenedDefinition, config: RestConfig | RestConfigInput, http?: RestHttpOptions): Connector {
  return restType.open(def, config, { http });
}

/** The manifest an instance with this config has (tests choose their cases from it). */
export function restManifest(config: RestConfigInput): Manifest {
  return restManifestFor(restConfigSchema.parse(config), restType.manifest);
}
