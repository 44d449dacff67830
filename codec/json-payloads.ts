// The JSON form of payloads that Temporal's codec endpoint speaks (`{payloads:[{metadata:{k:
// base64}, data: base64}]}`, as protobuf JSON writes bytes), to and from the SDK's Payload.
import type { Payload } from '@temporalio/common';

export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export function fromJsonPayloads(body: unknown): Payload[] {
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new Error('expected a JSON body {"payloads": [...]}');
  return payloads.map((p: JsonPayload, i) => {
    if (p === null || typeof p !== 'object') throw new Error(`payloads[${i}]: expected an object {metadata, data}`);
    const metadata: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(p.metadata ?? {})) {
      if (typeof v !== 'string') throw new Error(`payloads[${i}].metadata.${k}: expected a base64 string`);
      metadata[k] = Buffer.from(v, 'base64');
    }
    if (p.data !== undefined && typeof p.data !== 'string') throw new Error(`payloads[${i}].data: expected a base64 string`);
    return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
  });
}

export function toJsonPayloads(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}
