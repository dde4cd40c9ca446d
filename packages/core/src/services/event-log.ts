import { Prisma, type ScopedPrisma } from '@crm/db';
import type { RecordedEvent } from '../events.js';

/** A window of the event log by position (`seq`), as connection arguments translate to. */
export interface EventPage {
  /** Only events with seq below this (older). */
  olderThan?: bigint;
  /** Only events with seq above this (newer). */
  newerThan?: bigint;
  /** Most events to return. */
  limit: number;
  /** Newest first (the log's reading order) or oldest first (for `last`). */
  newestFirst: boolean;
}

export interface EventLogFilter {
  /** Only these event types. */
  types?: readonly string[] | null;
  /** Only events about this entity (row id and model name). */
  subject?: { type: string; id: string } | null;
  /** occurredAt ≥ from. */
  from?: Date | null;
  /** occurredAt < to. */
  to?: Date | null;
  /** Not events about these subject types (the objects the caller's role does not read). */
  hiddenSubjectTypes?: readonly string[] | null;
  /** Not events of these types (plugin events the caller's role does not read: `EventReaders.hiddenTypes`). */
  hiddenTypes?: readonly string[] | null;
}

/** The Prisma filter of the workspace-wide log (the workspace itself comes from the scoped client). */
export function eventLogWhere(filter: EventLogFilter, page?: Pick<EventPage, 'olderThan' | 'newerThan'>): Prisma.EventWhereInput {
  const seq: Prisma.BigIntFilter = {};
  if (page?.olderThan !== undefined) seq.lt = page.olderThan;
  if (page?.newerThan !== undefined) seq.gt = page.newerThan;
  const occurredAt: Prisma.DateTimeFilter = {};
  if (filter.from) occurredAt.gte = filter.from;
  if (filter.to) occurredAt.lt = filter.to;
  return {
    ...(filter.types?.length ? { type: { in: [...filter.types] } } : {}),
    ...(filter.subject ? { subjectId: filter.subject.id, subjectType: filter.subject.type } : {}),
    ...(filter.hiddenSubjectTypes?.length || filter.hiddenTypes?.length
      ? {
          NOT: [
            ...(filter.hiddenSubjectTypes?.length ? [{ subjectType: { in: [...filter.hiddenSubjectTypes] } }] : []),
            ...(filter.hiddenTypes?.length ? [{ type: { in: [...filter.hiddenTypes] } }] : []),
          ],
        }
      : {}),
    ...(Object.keys(occurredAt).length ? { occurredAt } : {}),
    ...(Object.keys(seq).length ? { seq } : {}),
  };
}

/** One page of the workspace's log; served by the (workspaceId, seq) and (workspaceId, subjectId, seq) indexes. */
export async function readEventLog(db: ScopedPrisma, filter: EventLogFilter, page: EventPage): Promise<RecordedEvent[]> {
  const rows = await db.event.findMany({
    where: eventLogWhere(filter, page),
    orderBy: { seq: page.newestFirst ? 'desc' : 'asc' },
    take: page.limit,
  });
  return rows.map(toRecordedEvent);
}

/** An Event row as raw SQL returns it (drivers differ on bigint, JSON and time columns). */
export interface EventRow {
  id: string;
  workspaceId: string;
  /** NULL only inside the inserting transaction (events are numbered at commit). */
  seq: bigint | number | string | null;
  type: string;
  subjectType: string;
  subjectId: string;
  actor: string;
  /** Absent from rows of statements that do not read it (the event is then taken as beginning its chain). */
  causedBy?: string | null;
  chainDepth?: number | null;
  payload: unknown;
  occurredAt: Date | string;
}

type HistoryRow = EventRow & { ownerId: string };

/**
 * Whose history: a customer's (events about them or naming them, `Event.customerId`) or any record's (events about
 * it, `Event.subjectId`). Both columns lead an index with the workspace and `seq`.
 */
export type HistoryOwner = 'customerId' | 'subjectId';

/**
 * The same page of history for many customers in ONE statement (a page of customers costs one query, not one
 * each): a LATERAL index scan of (workspaceId, customerId, seq) per customer. Raw SQL bypasses the workspace scope,
 * so the statement names the workspace itself. Result in the order of `customerIds`.
 */
export async function customerHistories(
  db: ScopedPrisma,
  workspaceId: string,
  customerIds: readonly string[],
  page: EventPage,
  types?: readonly string[] | null,
  owner: HistoryOwner = 'customerId',
  hiddenTypes?: readonly string[] | null,
): Promise<RecordedEvent[][]> {
  if (!customerIds.length) return [];
  const conditions = [Prisma.sql`e."workspaceId" = ${workspaceId}::uuid`, Prisma.sql`e.${Prisma.raw(`"${owner}"`)} = c.id`];
  if (page.olderThan !== undefined) conditions.push(Prisma.sql`e.seq < ${page.olderThan}`);
  if (page.newerThan !== undefined) conditions.push(Prisma.sql`e.seq > ${page.newerThan}`);
  if (types?.length) conditions.push(Prisma.sql`e.type = ANY(${[...types]}::text[])`);
  if (hiddenTypes?.length) conditions.push(Prisma.sql`e.type <> ALL(${[...hiddenTypes]}::text[])`);
  const rows = await db.$queryRaw<HistoryRow[]>(Prisma.sql`
    SELECT h.id::text AS id, h."workspaceId"::text AS "workspaceId", h.seq, h.type, h."subjectType", h."subjectId"::text AS "subjectId",
           h.actor, h.payload, h."occurredAt", c.id::text AS "ownerId"
      FROM unnest(${[...customerIds]}::uuid[]) WITH ORDINALITY AS c(id, position)
      CROSS JOIN LATERAL (
        SELECT e.* FROM "Event" e
         WHERE ${Prisma.join(conditions, ' AND ')}
         ORDER BY e.seq ${page.newestFirst ? Prisma.sql`DESC` : Prisma.sql`ASC`}
         LIMIT ${page.limit}) h
     ORDER BY c.position, h.seq ${page.newestFirst ? Prisma.sql`DESC` : Prisma.sql`ASC`}`);
  const byCustomer = new Map<string, RecordedEvent[]>(customerIds.map((id) => [id, []]));
  for (const row of rows) byCustomer.get(row.ownerId)?.push(toRecordedEvent(row));
  return customerIds.map((id) => byCustomer.get(id) ?? []);
}

/** How many events each customer's history holds (optionally of some types), in one grouped statement. */
export async function customerHistoryCounts(
  db: ScopedPrisma,
  customerIds: readonly string[],
  types?: readonly string[] | null,
  owner: HistoryOwner = 'customerId',
  hiddenTypes?: readonly string[] | null,
): Promise<number[]> {
  if (!customerIds.length) return [];
  const groups = await db.event.groupBy({
    by: [owner],
    where: {
      [owner]: { in: [...customerIds] },
      ...(types?.length ? { type: { in: [...types] } } : {}),
      ...(hiddenTypes?.length ? { NOT: { type: { in: [...hiddenTypes] } } } : {}),
    },
    _count: { _all: true },
  });
  const counts = new Map(groups.map((group) => [(group as { customerId?: string | null; subjectId?: string })[owner], group._count._all]));
  return customerIds.map((id) => counts.get(id) ?? 0);
}

/** A raw Event row as the event every consumer (bus, subscriptions, queries) handles. */
export function toRecordedEvent(row: EventRow): RecordedEvent {
  if (row.seq === null) throw new Error(`Event ${row.id} is not committed yet (no seq)`);
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    seq: BigInt(row.seq),
    type: row.type,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    actor: row.actor,
    causedBy: row.causedBy ?? null,
    chainDepth: row.chainDepth ?? 0,
    payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload,
    occurredAt: new Date(row.occurredAt),
  };
}
