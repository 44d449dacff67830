// The AES-GCM payload codec and its HTTP endpoint, without a Temporal server: key parsing,
// rotation, tampering, and the endpoint's CORS and bearer-token rules.
import type { Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { listen } from '../../client/server';
import { AesGcmCodec, isEncrypted } from '../../codec/aes-gcm';
import { toJsonPayloads } from '../../codec/json-payloads';
import { codecKeysFrom, parseCodecKeys } from '../../codec/keys';
import { createCodecServer } from '../../codec/server';

const k1 = `k1:${randomBytes(32).toString('base64')}`;
const k2 = `k2:${randomBytes(32).toString('base64')}`;
const clear: Payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"email":"ada@example.com"}') };
const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

describe('AesGcmCodec', () => {
  it('seals the whole payload under the current key id and opens it again', async () => {
    const [sealed] = await new AesGcmCodec(parseCodecKeys(k1)).encode([clear]);
    expect(isEncrypted(sealed)).toBe(true);
    expect(Buffer.from(sealed.metadata!['encryption-key-id']!).toString()).toBe('k1');
    expect(Buffer.from(sealed.data!).toString('latin1')).not.toContain('ada@example.com');
    expect(Buffer.from(sealed.data!).toString('latin1')).not.toContain('json/plain');
    const [opened] = await new AesGcmCodec(parseCodecKeys(k1)).decode([sealed]);
    expect(Buffer.from(opened.data!).toString()).toBe('{"email":"ada@example.com"}');
    expect(Buffer.from(opened.metadata!.encoding!).toString()).toBe('json/plain');
  });

  it('after rotation encrypts with the new key and still opens payloads of the old one', async () => {
    const [old] = await new AesGcmCodec(parseCodecKeys(k1)).encode([clear]);
    const rotated = new AesGcmCodec(parseCodecKeys(`${k2},${k1}`));
    const [fresh] = await rotated.encode([clear]);
    expect(Buffer.from(fresh.metadata!['encryption-key-id']!).toString()).toBe('k2');
    const opened = await rotated.decode([old, fresh]);
    expect(opened.map((p) => Buffer.from(p.data!).toString())).toEqual([Buffer.from(clear.data!).toString(), Buffer.from(clear.data!).toString()]);
  });

  it('refuses a relabelled or altered payload, and passes unencrypted payloads through', async () => {
    const codec = new AesGcmCodec(parseCodecKeys(`${k1},${k2}`));
    const [sealed] = await codec.encode([clear]);
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, 'encryption-key-id': Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow('does not authenticate');
    const altered = { ...sealed, data: Buffer.from(sealed.data!).fill(0, 20, 21) };
    await expect(codec.decode([altered])).rejects.toThrow('does not authenticate');
    expect(await codec.decode([clear])).toEqual([clear]);
  });
});

describe('codec keys', () => {
  it('names the bad entry without echoing key material', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseCodecKeys(`k1:${short}`)).toThrow('key "k1": expected 32 bytes');
    try {
      parseCodecKeys(`k1:${short}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
    expect(() => parseCodecKeys('nokeyid')).toThrow('entry 1: expected kid:base64key');
    expect(() => parseCodecKeys(`${k1},${k1}`)).toThrow('key id "k1" is listed twice');
  });

  it('come from TIGER_CODEC_KEYS, else from the secrets (TIGER_SECRET_CODEC_KEYS / codec-keys), else none', () => {
    expect(codecKeysFrom({ TIGER_CODEC_KEYS: `${k2},${k1}` })?.current.id).toBe('k2');
    expect(codecKeysFrom({ TIGER_SECRET_CODEC_KEYS: k1 })?.current.id).toBe('k1');
    expect(codecKeysFrom({})).toBeUndefined();
  });
});

describe('codec server', () => {
  const start = async (token?: string) => {
    const server = createCodecServer({ codec: new AesGcmCodec(parseCodecKeys(k1)), origins: ['http://127.0.0.1:8233'], token });
    servers.push(server);
    return `http://127.0.0.1:${await listen(server, 0)}`;
  };

  it('answers the UI origin’s preflight and only that origin', async () => {
    const url = await start();
    const pre = await fetch(`${url}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:8233', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect(pre.headers.get('access-control-allow-headers')).toContain('X-Namespace');
    const other = await fetch(`${url}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('round-trips /encode then /decode, and requires the bearer token when one is set', async () => {
    const url = await start('t0ken');
    const post = (path: string, body: unknown, auth?: string) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) }, body: JSON.stringify(body) });
    expect((await post('/encode', toJsonPayloads([clear]))).status).toBe(401);
    expect((await post('/encode', toJsonPayloads([clear]), 'Bearer wrong')).status).toBe(401);
    const encoded = (await (await post('/encode', toJsonPayloads([clear]), 'Bearer t0ken')).json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(encoded.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    const decoded = (await (await post('/decode', encoded, 'Bearer t0ken')).json()) as typeof encoded;
    expect(Buffer.from(decoded.payloads[0].data, 'base64').toString()).toBe('{"email":"ada@example.com"}');
    expect((await post('/decode', { nope: 1 }, 'Bearer t0ken')).status).toBe(400);
  });
});
