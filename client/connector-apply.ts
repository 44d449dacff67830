// Storing a connector and its schedule as one step for `create`/`apply`: the two live in different
// systems (the store and Temporal), so when the schedule cannot be written the store write is
// undone, and when even that fails the message says exactly what state each one is in.
import type { Client } from '@temporalio/client';
import type { ConnectorDefinition } from '../config/types';
import type { IdentityStore, StoredConnector } from '../store/types';
import { ExitError } from './context';
import { scheduleId } from '../runtime/ids';
import { upsertSchedule } from './schedules';

export async function storeWithSchedule(
  store: IdentityStore,
  client: Client,
  def: ConnectorDefinition,
  existing: StoredConnector | null,
): Promise<'created' | 'updated'> {
  await store.saveConnector({ name: def.name, type: def.type, enabled: def.enabled, definition: def });
  try {
    return await upsertSchedule(client, def);
  } catch (err) {
    const reason = (err as Error).message;
    const schedule = scheduleId(def.name);
    let undone: string;
    try {
      if (existing) {
        await store.saveConnector({ name: existing.name, type: existing.type, enabled: existing.enabled, definition: existing.definition });
        undone = `the previous definition of ${def.name} was put back and ${schedule} was left as it was`;
      } else {
        await store.deleteConnector(def.name);
        undone = `nothing was stored`;
      }
    } catch (undoErr) {
      undone = existing
        ? `the store now holds the NEW definition of ${def.name} while ${schedule} still runs the old one (putting the old definition back failed: ${(undoErr as Error).message}); run tiger connector apply again`
        : `the store holds ${def.name} WITHOUT a schedule (removing it failed: ${(undoErr as Error).message}); run tiger connector apply again or tiger connector delete ${def.name}`;
    }
    throw new ExitError(`could not ${existing ? 'update' : 'create'} ${schedule}: ${reason}; ${undone}`, 1);
  }
}
