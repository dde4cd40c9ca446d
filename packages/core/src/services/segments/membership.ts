import type { CommandScope, CommitHook } from '../../command.js';
import { customerOf } from '../../command.js';
import { segmentCustomerWhere } from './segment-filter.js';

/** Events after which every segment is recomputed in full (they move many customers at once, or none named). */
const WHOLE_WORKSPACE = new Set(['clv.model_fitted', 'orders.imported']);

interface SegmentRow {
  id: string;
  name: string;
  filter: unknown;
}

/**
 * Brings a segment's stored membership up to date and emits `segment.entered` / `segment.left` for the difference.
 * The matching customers come from the filter (one query); the diff is ONE SQL statement (delete the members that no
 * longer match, insert the new ones, return both). `only` restricts the work to some customers (a command's).
 */
export async function refreshSegmentMembership(scope: CommandScope, segment: SegmentRow, only?: readonly string[]): Promise<{ entered: number; left: number }> {
  const where = segmentCustomerWhere(segment.filter);
  const matching = await scope.tx.customer.findMany({ where: only ? { AND: [where, { id: { in: [...only] } }] } : where, select: { id: true } });
  const changes = await scope.tx.$queryRawUnsafe<{ change: 'entered' | 'left'; customerId: string }[]>(
    `WITH target AS (SELECT unnest($3::uuid[]) AS id),
     gone AS (
       DELETE FROM "SegmentMember" m
        WHERE m."segmentId" = $1::uuid AND ($4::uuid[] IS NULL OR m."customerId" = ANY($4::uuid[]))
          AND NOT EXISTS (SELECT 1 FROM target WHERE target.id = m."customerId")
       RETURNING m."customerId"),
     joined AS (
       INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId")
       SELECT $1::uuid, id, $2::uuid FROM target
       ON CONFLICT ("segmentId", "customerId") DO NOTHING
       RETURNING "customerId")
     SELECT 'left' AS change, "customerId" FROM gone
     UNION ALL
     SELECT 'entered', "customerId" FROM joined
     ORDER BY 1, 2`,
    segment.id,
    scope.session.workspaceId,
    matching.map((c) => c.id),
    only ? [...only] : null,
  );
  for (const { change, customerId } of changes) {
    scope.emit(change === 'entered' ? 'segment.entered' : 'segment.left', { type: 'Customer', id: customerId }, { segmentId: segment.id, segment: segment.name });
  }
  return { entered: changes.filter((c) => c.change === 'entered').length, left: changes.filter((c) => c.change === 'left').length };
}

/**
 * Before-commit hook of every command: when the command changed customers (events naming a customer) or rescored
 * them (a fit, an import), the saved segments' membership is brought up to date in the same transaction, so the
 * membership events commit with the change that caused them. Workspaces without segments pay one small query.
 */
export const refreshSegmentsBeforeCommit: CommitHook = async (scope, events) => {
  const relevant = events.filter((e) => !e.type.startsWith('segment.'));
  if (!relevant.length) return;
  const whole = relevant.some((e) => WHOLE_WORKSPACE.has(e.type));
  const customers = whole ? undefined : [...new Set(relevant.map(customerOf).filter((id): id is string => id !== null))];
  if (customers && !customers.length) return;
  await refreshSegments(scope, customers);
};

/** Refreshes every saved segment of the workspace (for some customers, or all). */
export async function refreshSegments(scope: CommandScope, customers?: readonly string[]): Promise<void> {
  const segments = await scope.tx.segment.findMany({ select: { id: true, name: true, filter: true }, orderBy: { createdAt: 'asc' } });
  for (const segment of segments) await refreshSegmentMembership(scope, segment, customers);
}
