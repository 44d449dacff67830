// Group membership writes, batched: one PATCH adds many members (`add` of members [{value}…]) or
// removes many (one `remove` op per `members[value eq "id"]`), at most config.memberBatch per
// request. When a batch is refused as a whole (one unknown id), its members are retried one by one
// so each child gets its own outcome. Without PATCH the group is read, merged and PUT back.
// Member ops carry no If-Match: adding or removing a member does not depend on the group's
// other attributes, and concurrent member changes commute.

import { ConnectorError } from '../errors';
import type { LinkOutcome } from '../framework/spi';
import { objectError, PATCH_OP, quote, statusOf } from './api';
import type { PatchOperation } from './patch';
import { applyDelta, type WriteContext } from './write';

type Mode = 'link' | 'unlink';

function opsFor(mode: Mode, ids: string[]): PatchOperation[] {
  if (mode === 'link') return [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }];
  return ids.map((id) => ({ op: 'remove', path: `members[value eq ${quote(id)}]` }));
}

const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

async function patchMembers(ctx: WriteContext, groupId: string, mode: Mode, ids: string[]): Promise<void> {
  const d = await ctx.discovery();
  const res = await ctx.api.call('PATCH', ctx.api.path(d.endpoints.groups, groupId), { body: { schemas: [PATCH_OP], Operations: opsFor(mode, ids) }, idempotent: true });
  if (!ctx.api.noteVersion(groupId, res.headers, res.body)) ctx.api.forget(groupId);
}

/** A remove of someone who is no longer a member has nothing to do: that is success. */
const alreadyDone = (mode: Mode, err: unknown) => mode === 'unlink' && statusOf(err) === 400 && /noTarget/i.test((err as Error).message);

async function oneByOne(ctx: WriteContext, groupId: string, mode: Mode, ids: string[]): Promise<LinkOutcome[]> {
  const out: LinkOutcome[] = [];
  for (const id of ids) {
    try {
      await patchMembers(ctx, groupId, mode, [id]);
      out.push({ childId: id, ok: true });
    } catch (err) {
      if (alreadyDone(mode, err)) out.push({ childId: id, ok: true });
      else out.push({ childId: id, ok: false, error: (objectError(err, ctx.api.label, `${mode} ${id} in group ${groupId}`) as Error).message });
    }
  }
  return out;
}

export async function writeMembers(ctx: WriteContext, groupId: string, mode: Mode, childIds: string[], batch: number): Promise<LinkOutcome[]> {
  const ids = [...new Set(childIds)];
  if (ids.length === 0) return [];
  const d = await ctx.discovery();
  if (!d.features.patch) return putMembers(ctx, groupId, mode, ids);
  const out: LinkOutcome[] = [];
  for (const chunk of chunks(ids, batch)) {
    try {
      await patchMembers(ctx, groupId, mode, chunk);
      out.push(...chunk.map((childId) => ({ childId, ok: true })));
    } catch (err) {
      const status = statusOf(err);
      if (status === 501) {
        ctx.cache.downgrade({ patch: false });
        return [...out, ...(await putMembers(ctx, groupId, mode, ids.slice(out.length)))];
      }
      // The group itself is missing or refused: every child shares that one answer.
      if (status !== 400 || chunk.length === 1) {
        if (alreadyDone(mode, err)) out.push(...chunk.map((childId) => ({ childId, ok: true })));
        else out.push(...failAll(ctx, groupId, mode, chunk, err));
        continue;
      }
      out.push(...(await oneByOne(ctx, groupId, mode, chunk)));
    }
  }
  return out;
}

function failAll(ctx: WriteContext, groupId: string, mode: Mode, ids: string[], err: unknown): LinkOutcome[] {
  if (!(err instanceof ConnectorError)) throw err;
  const message = (objectError(err, ctx.api.label, `${mode} ${ids.length} member(s) in group ${groupId}`) as Error).message;
  return ids.map((childId) => ({ childId, ok: false, error: message }));
}

async function putMembers(ctx: WriteContext, groupId: string, mode: Mode, ids: string[]): Promise<LinkOutcome[]> {
  const values = ids.map((value) => ({ value }));
  try {
    await applyDelta(ctx, 'groups', groupId, mode === 'link' ? { add: { members: values } } : { remove: { members: values } });
    return ids.map((childId) => ({ childId, ok: true }));
  } catch (err) {
    return failAll(ctx, groupId, mode, ids, err);
  }
}
