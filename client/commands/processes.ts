// `tiger worker` and `tiger server`: the long-running processes of a production deployment
// (docker-compose.yml runs each as its own service).
import { Command } from 'commander';
import { openStore } from '../../store';
import { runWorkerProcess } from '../../worker/main';
import { tigerPaths } from '../../runtime/paths';
import { createTigerServer, listen, reconnectingClient } from '../server';
import { connectClient, temporalTarget } from '../../runtime/temporal';

export function workerCommand(): Command {
  return new Command('worker').description('run a worker (polls the tiger-sync task queue)').action(runWorkerProcess);
}

export function serverCommand(): Command {
  return new Command('server')
    .description('run the webhook and REST server')
    .option('-p, --port <port>', 'port', process.env.TIGER_SERVER_PORT ?? '8787')
    .option('--host <host>', 'interface to listen on', process.env.TIGER_SERVER_HOST ?? '127.0.0.1')
    .action(async (o: { port: string; host: string }) => {
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqliteFile: tigerPaths().sqlite });
      const server = createTigerServer({
        store,
        client: reconnectingClient(() => connectClient(temporalTarget())),
        log: (l) => process.stdout.write(`${new Date().toISOString()} ${l}\n`),
      });
      const port = await listen(server, Number(o.port), o.host);
      process.stdout.write(`tiger server: listening on http://${o.host}:${port}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await store.close();
    });
}
