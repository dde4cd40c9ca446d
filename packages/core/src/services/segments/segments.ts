import type { Segment } from '@crm/db';
import type { Caller } from '../../command.js';
import { conflict, notFound } from '../../errors.js';
import { fields, parseInput, z } from '../../validation.js';
import { refreshSegmentMembership } from './membership.js';
import { workspaceCatalog } from '../../custom-objects/workspace-catalog.js';
import { parseSegmentFilter } from './segment-filter.js';

const createSegmentInput = z.object({ name: fields.name, filter: z.unknown() });
const updateSegmentInput = z.object({ id: fields.id, name: fields.name.optional(), filter: z.unknown().optional() });

export interface CreateSegmentInput {
  name: string;
  /** The customer filter (see {@link SegmentFilter}); null or {} selects every customer. */
  filter: unknown;
}
export interface UpdateSegmentInput {
  id: string;
  name?: string;
  filter?: unknown;
}

const nameTaken = (name: string) => conflict(`A segment named "${name}" exists already`, 'name');

/** Saves a segment and computes its membership (one `segment.entered` per member) in the same transaction. */
export async function createSegment(caller: Caller, raw: CreateSegmentInput): Promise<Segment> {
  const input = parseInput(createSegmentInput, raw);
  return caller.run(async (scope) => {
    const catalog = await workspaceCatalog(scope.tx, scope.session.workspaceId);
    const filter = parseSegmentFilter(catalog, input.filter ?? {}, scope.permissions);
    if (await scope.tx.segment.findFirst({ where: { name: input.name }, select: { id: true } })) throw nameTaken(input.name);
    const segment = await scope.tx.segment.create({ data: { workspaceId: scope.session.workspaceId, name: input.name, filter } });
    scope.emit('segment.created', { type: 'Segment', id: segment.id }, { name: segment.name });
    await refreshSegmentMembership(scope, segment, undefined, catalog);
    return segment;
  });
}

/** Renames a segment and/or replaces its filter; a new filter recomputes the membership (events for the difference). */
export async function updateSegment(caller: Caller, raw: UpdateSegmentInput): Promise<Segment> {
  const input = parseInput(updateSegmentInput, raw);
  return caller.run(async (scope) => {
    const catalog = input.filter === undefined ? undefined : await workspaceCatalog(scope.tx, scope.session.workspaceId);
    const filter = catalog ? parseSegmentFilter(catalog, input.filter ?? {}, scope.permissions) : undefined;
    const existing = await scope.tx.segment.findUnique({ where: { id: input.id } });
    if (!existing) throw notFound('Segment', 'id');
    if (input.name && input.name !== existing.name && (await scope.tx.segment.findFirst({ where: { name: input.name }, select: { id: true } }))) {
      throw nameTaken(input.name);
    }
    const segment = await scope.tx.segment.update({ where: { id: input.id }, data: { name: input.name, filter } });
    const changed = [...(input.name && input.name !== existing.name ? ['name'] : []), ...(filter ? ['filter'] : [])];
    scope.emit('segment.updated', { type: 'Segment', id: segment.id }, { changed });
    if (filter) await refreshSegmentMembership(scope, segment, undefined, catalog);
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

/** Member counts of some segments in ONE query (the stored membership is kept current by every command). */
export async function segmentMemberCounts(caller: Caller, segmentIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await caller.db.segmentMember.groupBy({ by: ['segmentId'], where: { segmentId: { in: [...segmentIds] } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.segmentId, r._count._all]));
}

/** The segments of some customers in ONE query, by customer id. */
export async function segmentsOfCustomers(caller: Caller, customerIds: readonly string[]): Promise<Map<string, Segment[]>> {
  const rows = await caller.db.segmentMember.findMany({
    where: { customerId: { in: [...customerIds] } },
    include: { segment: true },
    orderBy: [{ segment: { name: 'asc' } }],
  });
  const found = new Map<string, Segment[]>();
  for (const row of rows) found.set(row.customerId, [...(found.get(row.customerId) ?? []), row.segment]);
  return found;
}
