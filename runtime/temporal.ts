// One place that knows how to reach Temporal (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE).
import { Client, Connection } from '@temporalio/client';
import { tigerDataConverter } from '../codec/data-converter';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

export function temporalTarget(env: Record<string, string | undefined> = process.env): TemporalTarget {
  return { address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', namespace: env.TEMPORAL_NAMESPACE ?? 'default' };
}

export async function connectClient(target: TemporalTarget = temporalTarget()): Promise<Client> {
  // Encrypted with TIGER_CODEC_KEYS when set, so what the CLI starts and reads is sealed too. Read
  // before connecting: a bad key is a configuration error, not an unreachable server.
  const dataConverter = tigerDataConverter();
  try {
    const connection = await Connection.connect({ address: target.address, connectTimeout: '5s' });
    return new Client({ connection, namespace: target.namespace, dataConverter });
  } catch (err) {
    throw new Error(
      `cannot reach the Temporal server at ${target.address} (${(err as Error).message}). ` +
        'Start it with `npx tiger dev`, or set TEMPORAL_ADDRESS.',
    );
  }
}
