import { CrmError, type RecordedEvent, toRecordedEvent } from '@crm/core';
import type { ScopedPrisma } from '@crm/db';
import type { LiveEvents } from '../context.js';

/** Replay reaches back at most this far (the Event table's retention for subscribers). */
export const REPLAY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const PAGE = 200;
/** A subscriber this far behind is cut off rather than buffering without bound. */
const MAX_BUFFERED = 10_000;
/** How long a gap in live positions may wait for the missing events to be published before the table is read. */
const GAP_GRACE_MS = 100;

const bySeq = (a: RecordedEvent, b: RecordedEvent) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);

/**
 * Identical page reads are shared: when many subscribers of a workspace fill the same gap (an event nobody
 * published in time, a Redis reconnect), the table is read once for all of them, not once each. A closed range
 * (from < seq < to) of committed events never changes, so its page is kept a moment for the subscribers whose gap
 * timers fire a little later; an open range is only shared while in flight.
 */
const sharedPages = new Map<string, Promise<RecordedEvent[]>>();
const CLOSED_RANGE_KEEP_MS = 2000;

function readPage(db: ScopedPrisma, workspaceId: string, after: bigint, before: bigint | null): Promise<RecordedEvent[]> {
  const key = `${workspaceId}|${after}|${before ?? ''}`;
  let page = sharedPages.get(key);
  if (!page) {
    const since = new Date(Date.now() - REPLAY_RETENTION_MS);
    const forget = () => sharedPages.get(key) === page && sharedPages.delete(key);
    page = db.event
      .findMany({
        where: { workspaceId, seq: before === null ? { gt: after } : { gt: after, lt: before }, occurredAt: { gte: since } },
        orderBy: { seq: 'asc' },
        take: PAGE,
      })
      .then((rows) => rows.map(toRecordedEvent));
    page.then(
      () => (before === null ? forget() : setTimeout(forget, CLOSED_RANGE_KEEP_MS).unref()),
      () => forget(),
    );
    sharedPages.set(key, page);
  }
  return page;
}

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

  let unsubscribe: (() => void) | null = null;
  const listen = () => {
    unsubscribe = live.subscribe(workspaceId, (events) => {
      if (events.length) incoming.push(...events);
      else catchUp = true;
      wakePump?.();
    });
  };

  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
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
    let cursor = from;
    while (!closed) {
      const rows = await readPage(db, workspaceId, cursor, to);
      for (const row of rows) deliver(row);
      if (rows.length < PAGE) return;
      cursor = rows[rows.length - 1]!.seq;
    }
  };

  const pump = async () => {
    if (options.after === null) {
      // The present is read before listening, and whatever committed in between is read from the table: once this
      // stream counts as a subscriber on the bus, every later event reaches it (none falls between the two).
      const sequence = await db.eventSequence.findUnique({ where: { workspaceId }, select: { lastSeq: true } });
      last = sequence?.lastSeq ?? 0n; // no row: the workspace has no event yet
      if (closed) return;
      listen();
      await fill(last, null);
    } else {
      listen(); // live events are buffered while the replay reads the table
      last = options.after;
      await fill(last, null);
    }
    let gapSince: number | null = null;
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
      incoming.sort(bySeq);
      let next = 0;
      for (; next < incoming.length && !closed; next++) {
        const event = incoming[next]!;
        if (event.seq > last + 1n) break; // a gap
        if (event.seq === last + 1n) deliver(event); // else already delivered (replayed, or published twice)
      }
      incoming.splice(0, next);
      if (!incoming.length || closed) {
        gapSince = null;
        continue;
      }
      // A gap: the missing events were most likely committed concurrently and are being published right now. Wait a
      // moment for them; read them from the table only if they do not come (every subscriber would otherwise query
      // the table at once on each out-of-order publication).
      gapSince ??= Date.now();
      const waited = Date.now() - gapSince;
      if (waited < GAP_GRACE_MS) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, GAP_GRACE_MS - waited);
          wakePump = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakePump = null;
        continue;
      }
      gapSince = null;
      await fill(last, incoming[0]!.seq);
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
