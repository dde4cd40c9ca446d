import { Prisma, queryRawIn, type Segment, type SegmentKind, workspaceFilter } from '@crm/db';
import type { Caller, CommandScope } from '../../command.js';
import { badInput, conflict, notFound } from '../../errors.js';
import { fields, parseInput, z } from '../../validation.js';
import { refreshSegmentMembership } from './membership.js';
import { workspaceCatalog } from '../../custom-objects/workspace-catalog.js';
import { parseSegmentFilter } from './segment-filter.js';

const kindField = z.enum(['FILTER', 'STATIC']);
const createSegmentInput = z.object({ name: fields.name, kind: kindField.default('FILTER'), filter: z.unknown() });
const updateSegmentInput = z.object({ id: fields.id, name: fields.name.optional(), kind: kindField.optional(), filter: z.unknown().optional() });

export interface CreateSegmentInput {
  name: string;
  /**
   * FILTER: its members are the customers its filter selects, recomputed by the core; STATIC: added and removed by
   * hand (`addSegmentMembers`, `removeSegmentMembers`), never recomputed. @default 'FILTER'
   */
  kind?: SegmentKind;
  /** FILTER: the customer filter (see {@link SegmentFilter}); null or {} selects every customer. STATIC: none. */
  filter?: unknown;
}
export interface UpdateSegmentInput {
  id: string;
  name?: string;
  /**
   * Turns the segment into the other kind: to STATIC, its members as they are now stay (and are no longer
   * recomputed) and its filter goes; to FILTER, with a `filter`, its members are recomputed (events for the difference).
   */
  kind?: SegmentKind;
  filter?: unknown;
}

const nameTaken = (name: string) => conflict(`A segment named "${name}" exists already`, 'name');
/** THE rule that a STATIC segment has no filter: BAD_USER_INPUT `filter` when one is given for it. */
function refuseStaticFilter(kind: SegmentKind, filter: unknown): void {
  if (kind === 'STATIC' && filter != null) {
    throw badInput('filter: a STATIC segment has no filter: its members are added and removed by hand (addSegmentMembers, removeSegmentMembers)', 'filter');
  }
}

/**
 * Saves a segment. A FILTER segment's membership is computed (one `segment.entered` per member) in the same
 * transaction; a STATIC one starts empty.
 */
export async function createSegment(caller: Caller, raw: CreateSegmentInput): Promise<Segment> {
  const input = parseInput(createSegmentInput, raw);
  refuseStaticFilter(input.kind, input.filter);
  return caller.run(async (scope) => {
    const catalog = input.kind === 'FILTER' ? await workspaceCatalog(scope.tx, scope.session.workspaceId) : undefined;
    const filter = catalog ? parseSegmentFilter(catalog, input.filter ?? {}, scope.permissions) : Prisma.DbNull;
    if (await scope.tx.segment.findFirst({ where: { name: input.name }, select: { id: true } })) throw nameTaken(input.name);
    const segment = await scope.tx.segment.create({ data: { workspaceId: scope.session.workspaceId, name: input.name, kind: input.kind, filter } });
    scope.emit('segment.created', { type: 'Segment', id: segment.id }, { name: segment.name });
    if (catalog) await refreshSegmentMembership(scope, segment, undefined, catalog);
    return segment;
  });
}

/**
 * Renames a segment, replaces a FILTER segment's filter, or turns it into the other kind (see
 * {@link UpdateSegmentInput.kind}); a new filter recomputes the membership (events for the difference).
 */
export async function updateSegment(caller: Caller, raw: UpdateSegmentInput): Promise<Segment> {
  const input = parseInput(updateSegmentInput, raw);
  return caller.run(async (scope) => {
    // Every update locks the row before reading it: a rename or a new filter racing a turn of kind reads the turned
    // row, instead of writing back the kind it read before the turn committed (a FILTER segment with no filter).
    await lockSegment(scope, input.id);
    const existing = await scope.tx.segment.findUnique({ where: { id: input.id } });
    if (!existing) throw notFound('Segment', 'id');
    const kind = input.kind ?? existing.kind;
    refuseStaticFilter(kind, input.filter);
    if (kind !== existing.kind) await shareLockMembers(scope, input.id);
    if (kind === 'FILTER' && existing.kind === 'STATIC' && input.filter === undefined) {
      throw badInput('filter: a STATIC segment turned FILTER needs its filter ({} selects every customer)', 'filter');
    }
    const catalog = kind === 'FILTER' && input.filter !== undefined ? await workspaceCatalog(scope.tx, scope.session.workspaceId) : undefined;
    const filter = catalog ? parseSegmentFilter(catalog, input.filter ?? {}, scope.permissions) : kind === 'STATIC' && existing.kind === 'FILTER' ? Prisma.DbNull : undefined;
    if (input.name && input.name !== existing.name && (await scope.tx.segment.findFirst({ where: { name: input.name }, select: { id: true } }))) {
      throw nameTaken(input.name);
    }
    const segment = await scope.tx.segment.update({ where: { id: input.id }, data: { name: input.name, kind: kind !== existing.kind ? kind : undefined, filter } });
    const changed = [
      ...(input.name && input.name !== existing.name ? ['name'] : []),
      ...(kind !== existing.kind ? ['kind'] : []),
      ...(filter !== undefined ? ['filter'] : []),
    ];
    scope.emit('segment.updated', { type: 'Segment', id: segment.id }, { changed });
    // A FILTER segment with a new filter (or a STATIC one turned FILTER) is recomputed: the members it had by hand
    // that the filter does not select leave it. Turned STATIC, it keeps its members as they are. The rows a STATIC
    // segment kept for trashed customers go first, without events: those customers left it when they were trashed.
    if (existing.kind === 'STATIC' && kind === 'FILTER') await scope.tx.segmentMember.deleteMany({ where: { segmentId: segment.id, NOT: liveMembership } });
    if (catalog) await refreshSegmentMembership(scope, segment, undefined, catalog);
    return segment;
  });
}

/**
 * Every update locks the segment (`FOR NO KEY UPDATE`, against the share lock of `addSegmentMembers` and the like, not
 * against the key-share lock a new member row takes) before reading it, so two updates apply one after the other. A
 * turn to the other kind so waits for the membership changes under way and holds off the next; it then share-locks its
 * members' customer rows in id order, so a member being trashed or merged commits first (its trash has emitted
 * `segment.left`: the turn then finds it trashed and drops its row silently) or waits for the turn. A segment of
 * another workspace is not locked (NOT_FOUND follows).
 */
async function lockSegment(scope: CommandScope, id: string): Promise<void> {
  await queryRawIn(scope.tx, `SELECT 1 FROM "Segment" WHERE "id" = $1::uuid AND ${workspaceFilter('"workspaceId"', '$2::uuid')} FOR NO KEY UPDATE`, id, scope.session.workspaceId);
}
async function shareLockMembers(scope: CommandScope, id: string): Promise<void> {
  await queryRawIn(
    scope.tx,
    `SELECT 1 FROM "Customer" c WHERE c."id" IN (SELECT m."customerId" FROM "SegmentMember" m WHERE m."segmentId" = $1::uuid)
        AND ${workspaceFilter('c."workspaceId"', '$2::uuid')} ORDER BY c."id" FOR SHARE OF c`,
    id,
    scope.session.workspaceId,
  );
}

/** Deletes a segment and its stored membership (no `segment.left` events: the segment itself is gone). */
export async function deleteSegment(caller: Caller, id: string): Promise<Segment> {
  parseInput(fields.id, id);
  return caller.run(async (scope) => {
    const segment = await scope.tx.segment.findUnique({ where: { id } });
    if (!segment) throw notFound('Segment', 'id');
    await scope.tx.segment.delete({ where: { id } });
    scope.emit('segment.deleted', { type: 'Segment', id }, { name: segment.name });
    return segment;
  });
}

/**
 * A membership that counts: its customer is not in the trash. A FILTER segment has no row for a trashed customer (the
 * trash leaves its filter's matches); a STATIC segment keeps the row through the trash, so a restored customer is a
 * member again (static-members.ts).
 */
export const liveMembership = { customer: { deletedAt: null } } as const;

/** Member counts of some segments in ONE query (the stored membership is kept current by every command). */
export async function segmentMemberCounts(caller: Caller, segmentIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await caller.db.segmentMember.groupBy({ by: ['segmentId'], where: { segmentId: { in: [...segmentIds] }, ...liveMembership }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.segmentId, r._count._all]));
}

/** The segments of some customers in ONE query, by customer id. */
export async function segmentsOfCustomers(caller: Caller, customerIds: readonly string[]): Promise<Map<string, Segment[]>> {
  const rows = await caller.db.segmentMember.findMany({
    where: { customerId: { in: [...customerIds] }, ...liveMembership },
    include: { segment: true },
    orderBy: [{ segment: { name: 'asc' } }],
  });
  const found = new Map<string, Segment[]>();
  for (const row of rows) found.set(row.customerId, [...(found.get(row.customerId) ?? []), row.segment]);
  return found;
}
