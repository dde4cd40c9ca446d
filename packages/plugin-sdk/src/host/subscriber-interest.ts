// Which events the subscribers that declare an interest (`{ handle, interest }`) need, per workspace: the host asks
// before delivering, so an event outside it costs no transaction and leaves no mark.
//
// Kept per subscriber and workspace (core's WorkspaceFactCache: 10 s at most), forgotten when one of the subscriber's
// `changedBy` events commits here (`dispatch`) or is heard from another instance (`notice`: the event bus, the
// database's notifications). Between a change committing on another instance and this one hearing of it, this one
// may skip an event the new interest wants; so the events skipped in the last WINDOW_MS are kept (by reference), and
// when a change is heard those that committed after it (a higher `seq`: the workspace's commit order) are asked again
// and delivered if the new interest wants them. An event that committed before the change is not (the interest it
// met was the one in force).
import { type RecordedEvent, WorkspaceFactCache } from '@crm/core';
import type { EventInterest } from '../interest.js';
import type { RawQueryRunner } from '../plugin-sql.js';
import type { Plugin, SubscriberEntry } from '../plugin.js';
import type { RecordAccess } from '../record-access.js';

type Wants = (event: RecordedEvent) => boolean;

/** A committed event as a change of interest is heard (from this instance, the bus, or another instance's message). */
export interface HeardChange {
  workspaceId: string;
  type: string;
  seq?: bigint | string | null;
}

/** How long skipped events are kept for a change heard late (the bus and notifications take milliseconds; the relay 2 s). */
const WINDOW_MS = 10_000;
/** Skipped events kept per subscriber and workspace at most (the oldest go first). */
const MAX_SKIPPED = 20_000;

const seqOf = (event: { seq?: bigint | string | null }): bigint | null => {
  try {
    return event.seq === undefined || event.seq === null ? null : BigInt(event.seq);
  } catch {
    return null;
  }
};

/** The interest as a test on one event (`changeOf`: the host's one rule for record changes; `catalog`: the objects it knows). */
export function wantsOf(interest: EventInterest, { changeOf, catalog }: Pick<RecordAccess, 'changeOf' | 'catalog'>): Wants {
  if (interest === 'every') return () => true;
  const types = new Set(interest.types ?? []);
  const records = new Map<string, Set<string> | 'any'>();
  for (const { object, change } of interest.records ?? []) {
    const known = records.get(object);
    if (!change || known === 'any') records.set(object, 'any');
    else records.set(object, new Set([...(known ?? []), change]));
  }
  return (event) => {
    if (types.has(event.type)) return true;
    if (!records.size) return false;
    const change = changeOf(event);
    if (change) {
      const wanted = records.get(change.object);
      return wanted === 'any' || Boolean(wanted?.has(change.change));
    }
    // Not a record change of a declared object (`customer.stage_changed`) — unless no declared object knows the
    // subject (a custom object's record): then any of its events.
    return !catalog.has(event.subjectType) && records.has(event.subjectType);
  };
}

interface Interested {
  plugin: Plugin;
  subscriber: SubscriberEntry & { interest: NonNullable<SubscriberEntry['interest']> };
  cache: WorkspaceFactCache<Wants>;
  /** Changes heard per workspace: a decision taken while one arrived is taken again. */
  changes: Map<string, number>;
  /** Events skipped per workspace, oldest first. */
  skipped: Map<string, { event: RecordedEvent; at: number }[]>;
}

export class SubscriberInterests {
  readonly #interested = new Map<SubscriberEntry, Interested>();

  constructor(
    plugins: readonly Plugin[],
    private readonly options: {
      db: RawQueryRunner;
      objects: Pick<RecordAccess, 'changeOf' | 'catalog'>;
      /** Delivers events that a change heard late made wanted (in the order they committed). */
      deliver: (plugin: Plugin, subscriber: SubscriberEntry, events: RecordedEvent[]) => void;
      /** Work the host waits for when it settles or stops (asking again after a change). */
      track: (work: Promise<void>) => void;
    },
  ) {
    for (const plugin of plugins) {
      for (const subscriber of plugin.subscribers) {
        const { interest } = subscriber;
        if (!interest) continue;
        this.#interested.set(subscriber, {
          plugin,
          subscriber: subscriber as Interested['subscriber'],
          cache: new WorkspaceFactCache<Wants>({ changedBy: (event) => interest.changedBy.has(event.type) }),
          changes: new Map(),
          skipped: new Map(),
        });
      }
    }
  }

  /** Whether the subscriber declares an interest (else every event of its type is delivered). */
  declares(subscriber: SubscriberEntry): boolean {
    return this.#interested.has(subscriber);
  }

  /**
   * The events of `events` (one workspace's or several) the subscriber needs, in order; the others are kept for a
   * change heard late. An interest that cannot be read delivers everything (as without one).
   */
  async wanted(subscriber: SubscriberEntry, events: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    const entry = this.#interested.get(subscriber);
    if (!entry) return [...events];
    const byWorkspace = new Map<string, RecordedEvent[]>();
    for (const event of events) byWorkspace.set(event.workspaceId, [...(byWorkspace.get(event.workspaceId) ?? []), event]);
    const decided = new Map<RecordedEvent, boolean>();
    await Promise.all(
      [...byWorkspace].map(async ([workspaceId, group]) => {
        const wants = await this.#current(entry, workspaceId);
        const now = Date.now();
        for (const event of group) {
          const wanted = !wants || wants(event);
          decided.set(event, wanted);
          if (!wanted) this.#keep(entry, workspaceId, event, now);
        }
      }),
    );
    return events.filter((event) => decided.get(event));
  }

  /**
   * Committed events (this instance's, or heard from others): the interests they change are read again, and the
   * events skipped after them in their workspace asked again.
   */
  notice(events: readonly HeardChange[]): void {
    for (const entry of this.#interested.values()) {
      for (const change of events) {
        if (!entry.subscriber.interest.changedBy.has(change.type)) continue;
        entry.cache.forget(change.workspaceId);
        entry.changes.set(change.workspaceId, (entry.changes.get(change.workspaceId) ?? 0) + 1);
        this.#reconsider(entry, change);
      }
    }
  }

  /** The events of `events` that change some subscriber's interest (for the other instances to hear of). */
  changes(events: readonly RecordedEvent[]): RecordedEvent[] {
    const entries = [...this.#interested.values()];
    return entries.length ? events.filter((event) => entries.some((entry) => entry.subscriber.interest.changedBy.has(event.type))) : [];
  }

  /** The workspace's interest as a test; null when it cannot be read (deliver). Read again if a change arrived meanwhile. */
  async #current(entry: Interested, workspaceId: string): Promise<Wants | null> {
    for (;;) {
      const heard = entry.changes.get(workspaceId) ?? 0;
      let wants: Wants | null;
      try {
        wants = await entry.cache.get(workspaceId, async () => wantsOf(await entry.subscriber.interest.of({ workspaceId, db: this.options.db }), this.options.objects));
      } catch {
        return null; // delivered as without an interest; the subscriber's own transaction meets the same database
      }
      if ((entry.changes.get(workspaceId) ?? 0) === heard) return wants;
    }
  }

  #keep(entry: Interested, workspaceId: string, event: RecordedEvent, now: number) {
    const kept = entry.skipped.get(workspaceId) ?? [];
    kept.push({ event, at: now });
    let expired = 0;
    while (expired < kept.length && (now - kept[expired]!.at > WINDOW_MS || kept.length - expired > MAX_SKIPPED)) expired++;
    if (expired) kept.splice(0, expired);
    entry.skipped.set(workspaceId, kept);
  }

  /** The events skipped after `change` in its workspace, asked again under the interest as it is now. */
  #reconsider(entry: Interested, change: HeardChange) {
    const kept = entry.skipped.get(change.workspaceId);
    const after = seqOf(change);
    if (!kept?.length) return;
    const later = kept.filter(({ event }) => {
      const seq = seqOf(event);
      return after === null || seq === null || seq > after;
    });
    if (!later.length) return;
    const taken = new Set(later);
    entry.skipped.set(
      change.workspaceId,
      kept.filter((item) => !taken.has(item)),
    );
    // Asked again through `wanted`: those still outside the interest are kept again.
    this.options.track(
      this.wanted(entry.subscriber, later.map(({ event }) => event)).then((events) => {
        if (events.length) this.options.deliver(entry.plugin, entry.subscriber, events);
      }),
    );
  }
}
