// Recorded JSON histories (as `temporal workflow show --output json` writes them) read back into
// History objects. @temporalio/common's historyFromJSON cannot be used here: it loads protobufjs
// from its own node_modules while the History type comes from @temporalio/proto's copy, and npm
// installs the two copies side by side (grpc pins protobufjs 7 at the top), so its `instanceof
// Type` check fails with "type must be a Type". The same conversion, with one copy throughout.
import type { temporal } from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { createRequire } from 'node:module';

type ProtoJson = { fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown };
const protoRequire = createRequire(require.resolve('@temporalio/proto'));
const protojson = protoRequire('protobufjs/ext/protojson') as ProtoJson;
// The CommonJS root itself (an ES namespace wrapper would hide its lookup methods).
const root: unknown = protoRequire('@temporalio/proto');
const historyType = (patchProtobufRoot(root as Record<string, unknown>) as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyFromJson(json: unknown): temporal.api.history.v1.IHistory {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a Temporal history');
  return history as temporal.api.history.v1.IHistory;
}
