// Writing planned projection items through a target's framework operations: one object's failure
// is recorded and the rest goes on. An object deleted in the target by hand is created again (a
// new target id) rather than failing on every run; one that should be deleted and is already gone
// needs nothing.
import { ConnectorError } from '../connectors/errors';
import { requireOp, type Connector } from '../connectors/framework/define';
import type { WriteAction, WriteOutcome } from '../connectors/framework/spi';
import type { ProjectionItem } from '../pipeline/projection';

export interface ProjectionOutcome { id: string; ok: boolean; targetId?: string; action?: WriteAction; error?: string }

const isNotFound = (e: unknown) => e instanceof ConnectorError && e.kind === 'not-found';

/** `cls` is the target's object class (`users`, `groups`); attributes are the identity's, which
 *  a directory's projection rules map and place (see connectors/ldap/connector.ts). */
export async function projectIdentities(connector: Connector, identities: ProjectionItem[], cls = 'users'): Promise<{ results: ProjectionOutcome[] }> {
  const create = requireOp(connector, 'create', `create ${cls}`);
  const update = requireOp(connector, 'updateDelta', `update ${cls}`);
  const remove = requireOp(connector, 'delete', `delete ${cls}`);
  const results: ProjectionOutcome[] = [];
  for (const item of identities) {
    try {
      const fresh = () => create(cls, { key: item.id, attributes: item.attributes });
      const known = item.targetId;
      let r: WriteOutcome | null = null;
      if (item.deleted) {
        if (known) r = await remove(cls, known).catch((e: unknown) => (isNotFound(e) ? { targetId: known, action: 'unchanged' as const } : Promise.reject(e)));
      } else if (known) {
        // Every attribute is given, so the entry also moves when its container template changed.
        r = await update(cls, known, { replace: item.attributes }).catch((e: unknown) => (isNotFound(e) ? fresh() : Promise.reject(e)));
      } else {
        r = await fresh();
      }
      results.push(r ? { id: item.id, ok: true, targetId: r.targetId, action: r.action } : { id: item.id, ok: true });
    } catch (e) {
      results.push({ id: item.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { results };
}
