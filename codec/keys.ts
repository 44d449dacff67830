// Which AES-256 keys the payload codec holds, from `TIGER_CODEC_KEYS` or the secrets file's
// `codec-keys` (also `TIGER_SECRET_CODEC_KEYS`): `kid1:base64key,kid2:base64key`. The first key
// encrypts; every listed key decrypts, so a rotated-out key stays listed until no history needs it.
import { loadSecrets } from '../config/references';

export interface CodecKey {
  id: string;
  key: Buffer;
}

export interface CodecKeys {
  /** Encrypts every new payload. */
  current: CodecKey;
  /** Key id → key, the current one included. */
  byId: Map<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Parses `kid:base64key,…`. Errors name the entry by position and key id, never the key. */
export function parseCodecKeys(text: string, source = 'TIGER_CODEC_KEYS'): CodecKeys {
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw new Error(`${source}: expected kid:base64key[,kid:base64key…], got nothing`);
  const byId = new Map<string, Buffer>();
  let current: CodecKey | undefined;
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID.test(id)) {
      throw new Error(`${source}: entry ${i + 1}: expected kid:base64key with a key id of letters, digits, '.', '_' or '-'`);
    }
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) {
      throw new Error(`${source}: key "${id}": expected 32 bytes (AES-256) in base64, got ${key.length} (make one with: openssl rand -base64 32)`);
    }
    if (byId.has(id)) throw new Error(`${source}: key id "${id}" is listed twice`);
    byId.set(id, key);
    current ??= { id, key };
  });
  return { current: current!, byId };
}

/** The configured keys, or undefined when none are (payloads are then written in clear). */
export function codecKeysFrom(env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): CodecKeys | undefined {
  if (env.TIGER_CODEC_KEYS) return parseCodecKeys(env.TIGER_CODEC_KEYS);
  const fromSecrets = loadSecrets({ env }).CODEC_KEYS;
  return fromSecrets ? parseCodecKeys(fromSecrets, 'secret codec-keys') : undefined;
}
