import type { CommandScope } from '../../command.js';

/**
 * Copies the fit's predicted lifetime value and P(alive) onto `Customer` (and clears them for customers without a
 * score), inside the fit's transaction: lists sort by these columns on an index instead of joining and sorting every
 * customer's score. Rows whose values did not change are not written. Returns how many rows were.
 */
export async function copyScoresToCustomers(scope: Pick<CommandScope, 'tx'>, workspaceId: string): Promise<number> {
  const copied = await scope.tx.$executeRawUnsafe(
    `UPDATE "Customer" c SET "predictedLifetimeValue" = s."predictedLifetimeValue", "probabilityAlive" = s."probabilityAlive"
       FROM "CustomerScore" s
      WHERE s."customerId" = c.id AND s."workspaceId" = $1::uuid AND c."workspaceId" = $1::uuid
        AND (c."predictedLifetimeValue" IS DISTINCT FROM s."predictedLifetimeValue" OR c."probabilityAlive" IS DISTINCT FROM s."probabilityAlive")`,
    workspaceId,
  );
  const cleared = await scope.tx.$executeRawUnsafe(
    `UPDATE "Customer" c SET "predictedLifetimeValue" = NULL, "probabilityAlive" = NULL
      WHERE c."workspaceId" = $1::uuid AND (c."predictedLifetimeValue" IS NOT NULL OR c."probabilityAlive" IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM "CustomerScore" s WHERE s."customerId" = c.id)`,
    workspaceId,
  );
  return copied + cleared;
}
