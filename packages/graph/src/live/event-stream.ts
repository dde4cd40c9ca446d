import { CrmError, type RecordedEvent } from '@crm/core';
import type { ScopedPrisma } from '@crm/db';
import type { LiveEvents } from '../context.js';

/** Replay reaches back at most this far (the Event table's retention for subscribers). */
export const REPLAY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const PAGE = 200;
/** A subscriber this far behind is cut off rather than buffering without bound. */
const MAX_BUFFERED = 10_000;

export interface EventStreamOptions {
  live: LiveEvents;
  db: ScopedPrisma;
  workspaceId: string;
  /** Replay events after this seq first; null starts at the workspace's current position. */
  after: bigint | null;
  /** Only matching events are yielded (the position still advances past the others). */
  matches: (event: RecordedEvent) => boolean;
}

/**
 * The workspace's events in seq order, without gaps or duplicates: live events are buffered from the start, the
 * table fills whatever the bus has not (yet) delivered - the replay after `after`, and any gap between two live
 * events (an event of seq N+1 is committed only after N, so the table always holds the missing ones).
 */
export function eventStream(options: EventStreamOptions): AsyncIterableIterator<RecordedEvent> {
  const { live, db, workspaceId, matches } = options;
  const incoming: RecordedEvent[] = [];
  const output: RecordedEvent[] = [];
  let failure: unknown = null;
  let closed = false;
  let wakePump: (() => void) | null = null;
  let wakeReader: (() => void) | null = null;
  // Set when the bus says events may have been missed (pub/sub outage): read the table after our position.
  let catchUp = false;

  const unsubscribe = live.subscribe(workspaceId, (events) => {
    if (events.length) incoming.push(...events);
    else catchUp = true;
    wakePump?.();
  });

  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    wakePump?.();
    wakeReader?.();
  };

  let last: bigint;
  const deliver = (event: RecordedEvent) => {
    last = event.seq;
    if (!matches(event)) return;
    if (output.length >= MAX_BUFFERED) throw new CrmError('RATE_LIMITED', 'Subscriber too slow: too many undelivered events');
    output.push(event);
    wakeReader?.();
  };

  // Reads events with from < seq < to from the table, page by page, delivering each.
  const fill = async (from: bigint, to: bigint | null) => {
    const since = new Date(Date.now() - REPLAY_RETENTION_MS);
    let cursor = from;
    while (!closed) {
      const rows = await db.event.findMany({
        where: { workspaceId, seq: to === null ? { gt: cursor } : { gt: cursor, lt: to }, occurredAt: { gte: since } },
        orderBy: { seq: 'asc' },
        take: PAGE,
      });
      for (const row of rows) deliver({ ...row, payload: row.payload as unknown });
      if (rows.length < PAGE) return;
      cursor = rows[rows.length - 1]!.seq;
    }
  };

  const pump = async () => {
    if (options.after === null) {
      const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { eventSeq: true } });
      last = workspace.eventSeq;
    } else {
      last = options.after;
      await fill(last, null);
    }
    while (!closed) {
      if (catchUp) {
        catchUp = false;
        await fill(last, null);
        continue;
      }
      if (!incoming.length) {
        await new Promise<void>((resolve) => (wakePump = resolve));
        wakePump = null;
        continue;
      }
      const batch = incoming.splice(0).sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
      for (const event of batch) {
        if (closed) return;
        if (event.seq <= last) continue; // already delivered (replayed, or published twice by the relay)
        if (event.seq > last + 1n) await fill(last, event.seq);
        if (event.seq > last) deliver(event);
      }
    }
  };
  pump().catch((error: unknown) => {
    failure = error;
    close();
  });

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<RecordedEvent>> {
      while (!output.length && !closed) {
        await new Promise<void>((resolve) => (wakeReader = resolve));
        wakeReader = null;
      }
      const event = output.shift();
      if (event) return { value: event, done: false };
      if (failure) {
        const error = failure;
        failure = null;
        throw error;
      }
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<RecordedEvent>> {
      close();
      output.length = 0;
      return { value: undefined, done: true };
    },
    // Generator-like, so servers that end an abandoned iterator only when it has `throw` (graphql-ws) end this one.
    async throw(error: unknown): Promise<IteratorResult<RecordedEvent>> {
      close();
      output.length = 0;
      throw error;
    },
  };
}
