// A loopback TCP proxy that breaks connections on purpose: once armed, a connection that has carried
// more than `afterBytes` from the server since arming (or since it opened, if later) is reset, at
// most `times` times in all. TLS passes through
// untouched (the proxy never reads the bytes), so it serves LDAPS as well as plain LDAP.
import { createServer, connect, type Socket } from 'node:net';

export interface CuttingProxy {
  port: number;
  /** Connections cut so far. */
  readonly cuts: number;
  arm(afterBytes: number, times: number): void;
  close(): Promise<void>;
}

export async function startCuttingProxy(targetPort: number): Promise<CuttingProxy> {
  let afterBytes = Infinity;
  let remaining = 0;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const counters = new Set<{ carried: number }>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    const counter = { carried: 0 };
    counters.add(counter);
    const cut = () => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    upstream.on('data', (chunk: Buffer) => {
      counter.carried += chunk.length;
      if (remaining > 0 && counter.carried > afterBytes) {
        remaining--;
        cuts++;
        cut();
        return;
      }
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => (upstream.destroy(), sockets.delete(client), counters.delete(counter)));
    upstream.on('close', () => (client.destroy(), sockets.delete(upstream)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    get cuts() {
      return cuts;
    },
    arm(bytes, times) {
      for (const c of counters) c.carried = 0;
      afterBytes = bytes;
      remaining = times;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
