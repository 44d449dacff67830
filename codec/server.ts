// Temporal's remote codec endpoint (`POST /encode`, `POST /decode`, JSON `{payloads:[…]}`), so a
// UI pointed at it shows decoded payloads to an operator whose browser can reach it — and, with a
// token set, only with `Authorization: Bearer <token>`. CORS admits the listed UI origins only.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { PayloadCodec } from '@temporalio/common';
import { fromJsonPayloads, toJsonPayloads } from './json-payloads';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Browser origins of the Temporal UI allowed to call (exact match, e.g. http://127.0.0.1:8233). */
  origins: string[];
  /** When set, every POST needs `Authorization: Bearer <token>`. */
  token?: string;
}

// Payloads are at most 2 MB each and the UI sends a page of events at a time.
const MAX_BODY = 16 * 1024 * 1024;

export function createCodecServer(opts: CodecServerOptions): Server {
  return createServer((req, res) => {
    handle(opts, req, res).catch((err: Error) => reply(res, 500, { error: `codec server: ${err.message}` }));
  });
}

async function handle(opts: CodecServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const origin = req.headers.origin;
  if (origin && opts.origins.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  }
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    res.setHeader('Access-Control-Max-Age', '600');
    res.writeHead(204).end();
    return;
  }
  const path = (req.url ?? '').split('?')[0];
  if (req.method !== 'POST' || (path !== '/encode' && path !== '/decode')) {
    return reply(res, 404, { error: 'codec server: expected POST /encode or POST /decode' });
  }
  if (opts.token && !bearerMatches(req.headers.authorization, opts.token)) {
    return reply(res, 401, { error: 'codec server: expected Authorization: Bearer <TIGER_CODEC_TOKEN>' });
  }
  let payloads;
  try {
    payloads = fromJsonPayloads(JSON.parse(await readBody(req)));
  } catch (err) {
    return reply(res, 400, { error: `codec server: ${path}: ${(err as Error).message}` });
  }
  let out;
  try {
    out = path === '/encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
  } catch (err) {
    // Codec errors name key ids, never keys or payload contents.
    return reply(res, 400, { error: (err as Error).message });
  }
  reply(res, 200, toJsonPayloads(out));
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`body larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
