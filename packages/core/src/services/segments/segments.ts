import { Prisma, type Segment, type SegmentKind } from '@crm/db';
import type { Caller } from '../../command.js';
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
const noFilterForStatic = () => badInput('filter: a STATIC segment has no filter: its members are added and removed by hand (addSegmentMembers, removeSegmentMembers)', 'filter');

/**
 * Saves a segment. A FILTER segment's membership is computed (one `segment.entered` per member) in the same
 * transaction; a STATIC one starts empty.
 */
export async function createSegment(caller: Caller, raw: CreateSegmentInput): Promise<Segment> {
  const input = parseInput(createSegmentInput, raw);
  if (input.kind === 'STATIC' && input.filter != null) throw noFilterForStatic();
  if (input.kind === 'FILTER' && input.filter === undefined) throw badInput('filter: a FILTER segment is defined by its filter ({} selects every customer)', 'filter');
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
  if (input.kind === 'STATIC' && input.filter != null) throw noFilterForStatic();
  return caller.run(async (scope) => {
    const existing = await scope.tx.segment.findUnique({ where: { id: input.id } });
    if (!existing) throw notFound('Segment', 'id');
    const kind = input.kind ?? existing.kind;
    if (kind === 'STATIC' && input.filter != null) throw noFilterForStatic();
    if (kind === 'FILTER' && existing.kind === 'STATIC' && input.filter === undefined) {
      throw badInput('filter: a STATIC segment turned FILTER needs its filter ({} selects every customer)', 'filter');
    }
    const catalog = kind === 'FILTER' && input.filter !== undefined ? await workspaceCatalog(scope.tx, scope.session.workspaceId) : undefined;
    const filter = catalog ? parseSegmentFilter(catalog, input.filter ?? {}, scope.permissions) : kind === 'STATIC' && existing.kind === 'FILTER' ? Prisma.DbNull : undefined;
    if (input.name && input.name !== existing.name && (await scope.tx.segment.findFirst({ where: { name: input.name }, select: { id: true } }))) {
      throw nameTaken(input.name);
    }
    const segment = await scope.tx.segment.update({ where: { id: input.id }, data: { name: input.name, kind, filter } });
    const changed = [
      ...(input.name && input.name !== existing.name ? ['name'] : []),
      ...(kind !== existing.kind ? ['kind'] : []),
      ...(filter !== undefined ? ['filter'] : []),
    ];
    scope.emit('segment.updated', { type: 'Segment', id: segment.id }, { changed });
    // A FILTER segment with a new filter (or a STATIC one turned FILTER) is recomputed: the members it had by hand
    // that the filter does not select leave it. Turned STATIC, it keeps its members as they are. The rows a STATIC
    // segment kept for trashed customers go first, without events: those customers left it when they were trashed.
    if (existing.kind === 'STATIC' && kind === 'FILTER') await scope.tx.segmentMember.deleteMany({ where: { segmentId: segment.id, customer: { deletedAt: { not: null } } } });
    if (catalog) await refreshSegmentMembership(scope, segment, undefined, catalog);
    return segment;
  });
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
