// A STATIC segment's members are added and removed by hand (a "static list"; a FILTER segment is an "active list",
// recomputed by the core from its filter): `addSegmentMembers` / `removeSegmentMembers` for one segment and many
// customers, all or nothing, and `updateSegmentMemberships` item by item (a workflow's steps of a claimed batch). Each
// change that makes a customer enter or leave emits `segment.entered` / `segment.left` with the payload a refresh
// gives; a change that changes nothing (a member added again) writes and emits nothing. The segments are read under a
// share lock (a concurrent turn to FILTER or deletion waits for the change, and the change sees it if it came first),
// the customers under their row lock, as every command that changes a customer takes it; the write is one statement.
import { includingTrashed, queryRawIn, type Segment, type SegmentKind, workspaceFilter } from '@crm/db';
import type { Caller, CommandScope } from '../../command.js';
import { CrmError, notFound } from '../../errors.js';
import type { PendingEvent } from '../../events.js';
import { lockAndReadMany } from '../../record-lock.js';
import { fields, parseInput, z } from '../../validation.js';
import { BULK_LIMIT } from '../bulk/bulk-limit.js';
import { BatchRows } from '../bulk/batch-rows.js';
import { boundedItems, emitterOf, type ItemActor, type ItemResult, itemResults } from '../bulk/item-results.js';

/**
 * THE rule of membership by hand: only a STATIC segment takes it (a FILTER segment's members follow its filter, and
 * the next recomputation would undo a change made by hand). BAD_USER_INPUT naming `field`.
 */
export function requireStaticSegment(segment: { name: string; kind: SegmentKind | string }, field = 'segmentId'): void {
  if (segment.kind === 'STATIC') return;
  throw new CrmError(
    'BAD_USER_INPUT',
    `${field}: "${segment.name}" is a ${segment.kind} segment, whose members follow its filter: only a STATIC segment takes members by hand`,
    field,
  );
}

/** What setting a membership by hand does (`manualMembershipChange`). */
export interface ManualMembershipChange {
  /** NOT_FOUND on `customerId`: a customer in the trash cannot be added. */
  refused: boolean;
  /** The stored row is written (inserted or deleted). */
  changed: boolean;
  /** The event the change emits: none for a customer in the trash (it left when it was trashed). */
  event: 'segment.entered' | 'segment.left' | null;
}

/**
 * THE rule of a membership set by hand (the command's, and the workflows dry run's words for it): `member` wanted,
 * `stored` whether the customer has a row in the segment (kept through the trash), `trashed` whether it is in the
 * trash. A trashed customer cannot be added; removing one deletes its kept row without `segment.left`, so that a
 * restore does not bring it back.
 */
export function manualMembershipChange(member: boolean, stored: boolean, trashed: boolean): ManualMembershipChange {
  if (member && trashed) return { refused: true, changed: false, event: null };
  const changed = member !== stored;
  return { refused: false, changed, event: changed && !trashed ? (member ? 'segment.entered' : 'segment.left') : null };
}

/** `updateSegmentMemberships`' input schema, item by item (a plugin checks values ahead of the command with it). */
export const segmentMembershipInput = z.object({ segmentId: fields.id, customerId: fields.id, member: z.boolean() });
/** One membership to set: the customer in the segment (`member: true`) or out of it. */
export type SegmentMembershipInput = z.input<typeof segmentMembershipInput>;

/** What a membership change left: whether the customer is a member now, and whether this change made it so. */
export interface SegmentMembership {
  segmentId: string;
  /** The segment's name (as the events' payload carries it). */
  segment: string;
  customerId: string;
  member: boolean;
  changed: boolean;
}

const membersInput = z.object({
  segmentId: fields.id,
  customerIds: z.array(fields.id).min(1, 'Name at least one customer').max(BULK_LIMIT, `At most ${BULK_LIMIT} customers in one call`),
});
export interface SegmentMembersInput {
  segmentId: string;
  /** Row ids, at most 1,000; a customer named twice counts once. */
  customerIds: readonly string[];
}
/** What `addSegmentMembers` / `removeSegmentMembers` did: the segment, and how many customers changed or not. */
export interface SegmentMembersChange {
  segment: Segment;
  /** Customers that entered (add) or left (remove). */
  changed: number;
  /** Customers that were members already (add), or were not (remove). */
  unchanged: number;
}

type LockedSegment = { id: string; name: string; kind: SegmentKind };
interface Row {
  input: { segmentId: string; customerId: string; member: boolean };
  emitter: Pick<CommandScope, 'emit'>;
  segment?: LockedSegment;
  /** The customer is in the trash (a removal only): it left the segment when it was trashed, so no event now. */
  trashed?: boolean;
  changed?: boolean;
}

const lower = (id: string) => id.toLowerCase();
const pairKey = (segmentId: string, customerId: string) => `${segmentId}:${customerId}`;

/** The segments of `ids` in the workspace, share-locked until the transaction ends (in id order), by id. */
async function lockedSegments(scope: CommandScope, ids: readonly string[]): Promise<Map<string, LockedSegment>> {
  if (!ids.length) return new Map();
  const rows = await queryRawIn<LockedSegment>(
    scope.tx,
    `SELECT "id"::text AS "id", "name", "kind"::text AS "kind" FROM "Segment"
      WHERE "id" = ANY($1::uuid[]) AND ${workspaceFilter('"workspaceId"', '$2::uuid')} ORDER BY "id" FOR SHARE`,
    [...new Set(ids)].sort(),
    scope.session.workspaceId,
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Refuses the rows whose segment is not there (NOT_FOUND `segmentId`: another workspace's is not there either) or is
 * not STATIC, or whose customer is not there for the caller (NOT_FOUND `customerId`: gone, another workspace's,
 * outside the key's rows, or trashed for an addition: a trashed customer can still be removed, or a restore would
 * bring it back); the others' customers are locked.
 */
async function checkRows(scope: CommandScope, rows: BatchRows<Row>): Promise<Map<string, LockedSegment>> {
  const segments = await lockedSegments(scope, rows.live().map(([, row]) => row.input.segmentId));
  rows.each((row) => {
    const segment = segments.get(row.input.segmentId);
    if (!segment) throw notFound('Segment', 'segmentId');
    requireStaticSegment(segment);
    return { ...row, segment };
  });
  const customers = await lockAndReadMany<{ id: string; deletedAt: Date | null }>(
    scope,
    'Customer',
    rows.live().map(([, row]) => row.input.customerId),
    (ids) => scope.tx.customer.findMany({ where: { id: { in: ids }, ...includingTrashed }, select: { id: true, deletedAt: true } }),
    { trashed: true },
  );
  rows.each((row) => {
    const customer = customers.get(row.input.customerId);
    // Refused or not does not depend on the stored row (`manualMembershipChange`).
    if (!customer || manualMembershipChange(row.input.member, false, customer.deletedAt != null).refused) throw notFound('Customer', 'customerId');
    return customer.deletedAt != null ? { ...row, trashed: true } : row;
  });
  return segments;
}

/**
 * Writes the live rows' changes and emits their events. Changes of the same membership apply in order: the k-th of
 * each membership in the k-th statement (nearly always one). Each statement deletes the memberships to end and
 * inserts those to begin (`ON CONFLICT DO NOTHING`), and what it returns is what changed: a concurrent change of the
 * same membership is waited for, and counted as the earlier one.
 */
async function writeRows(scope: CommandScope, rows: BatchRows<Row>): Promise<void> {
  const rounds: Row[][] = [];
  const seen = new Map<string, number>();
  for (const [, row] of rows.live()) {
    const key = pairKey(row.input.segmentId, row.input.customerId);
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    (rounds[k] ??= []).push(row);
  }
  for (const round of rounds) {
    const adds = round.filter((row) => row.input.member);
    const removes = round.filter((row) => !row.input.member);
    const done = await queryRawIn<{ segmentId: string; customerId: string }>(
      scope.tx,
      `WITH unwanted AS (SELECT * FROM unnest($3::uuid[], $4::uuid[]) AS u("segmentId", "customerId")),
       gone AS (
         DELETE FROM "SegmentMember" m USING unwanted u
          WHERE m."segmentId" = u."segmentId" AND m."customerId" = u."customerId" AND ${workspaceFilter('m."workspaceId"', '$5::uuid')}
         RETURNING m."segmentId", m."customerId"),
       joined AS (
         INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId")
         SELECT w."segmentId", w."customerId", $5::uuid FROM unnest($1::uuid[], $2::uuid[]) AS w("segmentId", "customerId")
         ON CONFLICT ("segmentId", "customerId") DO NOTHING
         RETURNING "segmentId", "customerId")
       SELECT "segmentId"::text AS "segmentId", "customerId"::text AS "customerId" FROM gone
       UNION ALL
       SELECT "segmentId"::text, "customerId"::text FROM joined`,
      adds.map((row) => row.input.segmentId),
      adds.map((row) => row.input.customerId),
      removes.map((row) => row.input.segmentId),
      removes.map((row) => row.input.customerId),
      scope.session.workspaceId,
    );
    // A membership is in one round once: its adds and removes are apart, so what came back says which changed.
    const changed = new Set(done.map((row) => pairKey(row.segmentId, row.customerId)));
    for (const row of round) {
      row.changed = changed.has(pairKey(row.input.segmentId, row.input.customerId));
      // A change wrote the row the customer did not have (or deleted the one it had): stored was the other side.
      const { event } = manualMembershipChange(row.input.member, row.changed !== row.input.member, row.trashed ?? false);
      if (!event) continue;
      const { id, name } = row.segment!;
      row.emitter.emit(event, { type: 'Customer', id: row.input.customerId }, { segmentId: id, segment: name });
    }
  }
}

const membershipOf = (row: Row): SegmentMembership => ({
  segmentId: row.segment!.id,
  segment: row.segment!.name,
  customerId: row.input.customerId,
  member: row.input.member,
  changed: row.changed ?? false,
});

/**
 * Sets memberships of STATIC segments item by item (at most 1,000 items), answering each: the membership as its
 * change left it, or the error its item met alone (NOT_FOUND `segmentId` or `customerId`, BAD_USER_INPUT for a FILTER
 * segment); the others are written. Items on the same membership apply in order; each item's events name its `actor`
 * when given.
 */
export async function updateSegmentMemberships(
  caller: Caller,
  raw: { items: readonly (SegmentMembershipInput & ItemActor)[] },
): Promise<ItemResult<SegmentMembership>[]> {
  const items = boundedItems(raw?.items);
  return caller.run(async (scope) => {
    const rows = BatchRows.of(items, (item): Row => {
      const input = parseInput(segmentMembershipInput, item);
      return { input: { ...input, segmentId: lower(input.segmentId), customerId: lower(input.customerId) }, emitter: emitterOf(scope, item.actor) };
    });
    await checkRows(scope, rows);
    await writeRows(scope, rows);
    return itemResults(rows, membershipOf);
  });
}

/** Adds customers to a STATIC segment, in one transaction: all of them, or (an error) none. */
export const addSegmentMembers = (caller: Caller, raw: SegmentMembersInput): Promise<SegmentMembersChange> => changeMembers(caller, raw, true);

/** Removes customers from a STATIC segment, in one transaction: all of them, or (an error) none. */
export const removeSegmentMembers = (caller: Caller, raw: SegmentMembersInput): Promise<SegmentMembersChange> => changeMembers(caller, raw, false);

/**
 * The all-or-nothing form: the segment's error (NOT_FOUND, a FILTER segment) or the first customer's (NOT_FOUND naming
 * `customerIds.<i>`) refuses the call before anything is written.
 */
async function changeMembers(caller: Caller, raw: SegmentMembersInput, member: boolean): Promise<SegmentMembersChange> {
  const input = parseInput(membersInput, raw);
  const given = input.customerIds.map(lower);
  const customerIds = [...new Set(given)];
  const segmentId = lower(input.segmentId);
  return caller.run(async (scope) => {
    const rows = BatchRows.of(customerIds, (customerId): Row => ({ input: { segmentId, customerId, member }, emitter: scope }));
    await checkRows(scope, rows);
    const refused = rows.values.findIndex((row) => row === null);
    if (refused >= 0) {
      const error = (rows.results[refused] as { error: unknown }).error;
      if (error instanceof CrmError && error.field === 'customerId') throw notFound('Customer', `customerIds.${given.indexOf(customerIds[refused]!)}`);
      throw error;
    }
    await writeRows(scope, rows);
    const changed = rows.values.filter((row) => row!.changed).length;
    const segment = (await scope.tx.segment.findUnique({ where: { id: segmentId } }))!;
    return { segment, changed, unchanged: customerIds.length - changed };
  });
}

/**
 * The trash and STATIC segments: a trashed customer leaves them (`segment.left`), as it leaves the FILTER segments
 * whose filters no longer reach it, and a restored one comes back (`segment.entered`); the rows stay through the
 * trash (counts, members and `Customer.segments` leave trashed customers out). Part of the segments' before-commit
 * hook: one statement, for commands that trashed or restored customers only.
 */
export async function announceTrashedMembers(scope: CommandScope, events: readonly PendingEvent[]): Promise<void> {
  const of = (type: string) => events.filter((e) => e.type === type && e.subjectType === 'Customer').map((e) => e.subjectId);
  const trashed = new Set(of('customer.trashed'));
  const restored = of('customer.restored');
  if (!trashed.size && !restored.length) return;
  const rows = await queryRawIn<{ customerId: string; segmentId: string; name: string }>(
    scope.tx,
    `SELECT m."customerId"::text AS "customerId", s."id"::text AS "segmentId", s."name" FROM "SegmentMember" m
       JOIN "Segment" s ON s."id" = m."segmentId" AND s."kind" = 'STATIC'
      WHERE m."customerId" = ANY($1::uuid[]) AND ${workspaceFilter('m."workspaceId"', '$2::uuid')}
      ORDER BY m."customerId", s."name"`,
    [...trashed, ...restored],
    scope.session.workspaceId,
  );
  for (const row of rows) {
    scope.emit(trashed.has(row.customerId) ? 'segment.left' : 'segment.entered', { type: 'Customer', id: row.customerId }, { segmentId: row.segmentId, segment: row.name });
  }
}

/**
 * A merge: the survivor becomes a member of every STATIC segment a merged customer was in (`segment.entered` for each
 * it was not in already); the merged customers' rows go with them. Before they are deleted, in the merge's transaction.
 */
export async function moveStaticMemberships(scope: CommandScope, keepId: string, mergedIds: readonly string[]): Promise<void> {
  const entered = await queryRawIn<{ segmentId: string; name: string }>(
    scope.tx,
    `WITH moved AS (
       INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId", "enteredAt")
       SELECT m."segmentId", $1::uuid, $2::uuid, min(m."enteredAt") FROM "SegmentMember" m
         JOIN "Segment" s ON s."id" = m."segmentId" AND s."kind" = 'STATIC'
        WHERE m."customerId" = ANY($3::uuid[]) AND ${workspaceFilter('m."workspaceId"', '$2::uuid')}
        GROUP BY m."segmentId"
       ON CONFLICT ("segmentId", "customerId") DO NOTHING
       RETURNING "segmentId")
     SELECT moved."segmentId"::text AS "segmentId", s."name" FROM moved JOIN "Segment" s ON s."id" = moved."segmentId" ORDER BY s."name"`,
    keepId,
    scope.session.workspaceId,
    [...mergedIds],
  );
  for (const { segmentId, name } of entered) scope.emit('segment.entered', { type: 'Customer', id: keepId }, { segmentId, segment: name });
}
