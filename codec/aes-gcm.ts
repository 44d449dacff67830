// AES-256-GCM payload codec: every payload a client or worker writes is serialised whole
// (metadata included: `encoding: json/plain` would say what kind of data it is) and sealed with
// the current key. The key id travels in clear metadata so any holder of that key can open it
// after the current key has moved on; it is also the GCM additional data, so a payload relabelled
// with another key id fails to open instead of decrypting under the wrong key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKeys } from './keys';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const text = new TextDecoder();

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keys: CodecKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(id, 'utf8'));
      const clear = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(clear), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8.encode(ENCODING_ENCRYPTED), 'encryption-key-id': utf8.encode(id) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before a key was configured stay readable.
      if (!isEncrypted(payload)) return payload;
      const idBytes = payload.metadata?.['encryption-key-id'];
      const id = idBytes ? text.decode(idBytes) : '';
      const key = this.keys.byId.get(id);
      if (!key) {
        throw new Error(`payload codec: payload encrypted with key id "${id}", which is not among the configured keys (${[...this.keys.byId.keys()].join(', ')}); add it to TIGER_CODEC_KEYS`);
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`payload codec: encrypted payload (key id "${id}") is ${data.length} bytes, too short to hold an IV and a tag`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let clear: Buffer;
      try {
        clear = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new Error(`payload codec: payload with key id "${id}" does not authenticate (wrong key for that id, or altered data)`);
      }
      return temporal.api.common.v1.Payload.decode(clear);
    });
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && text.decode(encoding) === ENCODING_ENCRYPTED;
}
