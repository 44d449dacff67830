// `tiger codec-server`: serves the payload codec to the Temporal UI (its "codec endpoint"
// setting, or `temporal server start-dev --ui-codec-endpoint`), so an operator holding the key
// reads encrypted histories in clear. Keys come from TIGER_CODEC_KEYS or the secrets file.
import { Command } from 'commander';
import { AesGcmCodec } from '../../codec/aes-gcm';
import { codecKeysFrom } from '../../codec/keys';
import { createCodecServer } from '../../codec/server';
import { UsageError } from '../context';
import { listen } from '../server';

export function codecServerCommand(): Command {
  return new Command('codec-server')
    .description('serve the payload codec (POST /encode, /decode) for the Temporal UI')
    .option('-p, --port <port>', 'port', process.env.TIGER_CODEC_PORT ?? '8888')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--origin <url...>', 'Temporal UI origins allowed by CORS', (process.env.TIGER_CODEC_CORS_ORIGINS ?? 'http://127.0.0.1:8233,http://localhost:8233').split(','))
    .action(async (o: { port: string; host: string; origin: string[] }) => {
      const keys = codecKeysFrom();
      if (!keys) throw new UsageError('codec-server: no keys: set TIGER_CODEC_KEYS=kid:base64key[,…] (or codec-keys in the secrets file)');
      const token = process.env.TIGER_CODEC_TOKEN || undefined;
      const server = createCodecServer({ codec: new AesGcmCodec(keys), origins: o.origin, token });
      const port = await listen(server, Number(o.port), o.host);
      process.stdout.write(
        `tiger codec-server: http://${o.host}:${port} (keys ${[...keys.byId.keys()].join(', ')}; encrypting with ${keys.current.id}; ` +
          `CORS ${o.origin.join(' ')}${token ? '; bearer token required' : ''})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
