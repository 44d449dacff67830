// What CLI commands share: the store and a Temporal client, opened on first use and closed once.
import type { Client } from '@temporalio/client';
import type { IdentityStore } from '../store/types';
import { lazy } from './lazy';
import { tigerPaths } from '../runtime/paths';

export class CliContext {
  private storePromise?: Promise<IdentityStore>;
  private clientPromise?: Promise<Client>;

  store(): Promise<IdentityStore> {
    // Loaded on first use, like the client below: a command pays only for what it touches.
    return (this.storePromise ??= lazy.store().openStore({ databaseUrl: process.env.DATABASE_URL, sqliteFile: tigerPaths().sqlite }));
  }

  client(): Promise<Client> {
    const { connectClient, temporalTarget } = lazy.temporal();
    return (this.clientPromise ??= connectClient(temporalTarget()));
  }

  async close(): Promise<void> {
    const [store, client] = await Promise.allSettled([this.storePromise, this.clientPromise]);
    if (store.status === 'fulfilled' && store.value) await store.value.close();
    if (client.status === 'fulfilled' && client.value) await client.value.connection.close();
  }
}

/** An error the user caused (bad file, unknown name): printed without a stack, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}
/** A failure to report with a specific exit code (a failed run, a failed test). */
export class ExitError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}
