// An HTTP proxy in front of the Okta emulator that counts how often each page of a list is read:
// the first page (no `after` cursor) and every later page by its cursor. The emulator builds its
// Link headers from the Host header, which the proxy passes on, so clients keep coming back here.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  /** Reads of the first page of `path` (GET without `after`). */
  firstPages(path: string): number;
  /** Reads of `path`'s later pages beyond the first read of each cursor. */
  repeatedPages(path: string): number;
  /** Forgets what was counted so far. */
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const first = new Map<string, number>();
  const pages = new Map<string, Map<string, number>>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (req.method === 'GET') {
      const after = url.searchParams.get('after');
      if (after === null) first.set(url.pathname, (first.get(url.pathname) ?? 0) + 1);
      else {
        const seen = pages.get(url.pathname) ?? new Map<string, number>();
        seen.set(after, (seen.get(after) ?? 0) + 1);
        pages.set(url.pathname, seen);
      }
    }
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    firstPages: (path) => first.get(path) ?? 0,
    repeatedPages: (path) => [...(pages.get(path)?.values() ?? [])].reduce((n, c) => n + c - 1, 0),
    reset: () => {
      first.clear();
      pages.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
