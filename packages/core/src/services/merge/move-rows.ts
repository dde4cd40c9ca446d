import type { CommandScope } from '../../command.js';

/**
 * Points every row of `table` whose `column` names one of `fromIds` at `toId`, in the caller's workspace (raw SQL,
 * so trashed rows move too and the statement names the workspace itself). Returns how many moved.
 */
export function moveRows(scope: CommandScope, table: string, column: string, toId: string, fromIds: readonly string[]): Promise<number> {
  return scope.tx.$executeRawUnsafe(
    `UPDATE "${table}" SET "${column}" = $1::uuid WHERE "workspaceId" = $2::uuid AND "${column}" = ANY($3::uuid[])`,
    toId,
    scope.session.workspaceId,
    [...fromIds],
  );
}

/**
 * Records that `mergedIds` now resolve to `survivorId`; ids merged earlier into one of them follow (no chains).
 */
export async function recordMerges(scope: CommandScope, objectType: 'Customer' | 'Company', survivorId: string, mergedIds: readonly string[]): Promise<void> {
  await scope.tx.recordMerge.updateMany({ where: { survivorId: { in: [...mergedIds] } }, data: { survivorId } });
  await scope.tx.recordMerge.createMany({
    data: mergedIds.map((mergedId) => ({ workspaceId: scope.session.workspaceId, objectType, mergedId, survivorId, actor: scope.session.actor })),
  });
}
