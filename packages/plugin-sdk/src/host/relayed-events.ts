// Events the outbox relay published again: unmarked in the outbox after its stale threshold, most often because the
// instance that committed them has not written its publish marks yet (under load, seconds late), and it delivers them
// to its plugins itself. Handing them on here at once put each in two instances' lanes: the second delivery waited on
// the first's delivery marks (the unique index) and found them taken, and with two gateways under load about half of
// all events were relayed by the other instance, so each lane did the other's work again, fell further behind, and
// the marks came later still (docs/performance.md, "Session 20: two instances"). So a relayed event is handed on only
// once the committing instance has had time to deliver it (`graceMs` from the event, the publisher's own in-flight
// bound), and only to the subscribers that have no mark of it then (one read per relayed batch). The marks stay the
// guarantee: what this lets through twice is still delivered once.
import type { RecordedEvent } from '@crm/core';
import type { PrismaClient } from '@crm/db';
import type { Plugin, SubscriberEntry } from '../plugin.js';

/** How long the committing instance has to deliver an event before a relay's copy is handed on: the publisher's in-flight bound. */
export const RELAY_GRACE_MS = 30_000;

/** Whether a subscriber still needs an event the relay published again. */
export type Unmarked = (plugin: Plugin, subscriber: SubscriberEntry, event: RecordedEvent) => boolean;

export class RelayedEvents {
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly options: {
      prisma: PrismaClient;
      pluginIds: readonly string[];
      graceMs: number;
      /** Hands the events on to the subscribers that `unmarked` lets through. */
      handOn: (events: readonly RecordedEvent[], unmarked: Unmarked) => void;
      track: (work: Promise<void>) => void;
    },
  ) {}

  /** Holds the relayed events until the grace after the newest has passed, then hands on those still unmarked. */
  add(events: readonly RecordedEvent[]): void {
    if (!events.length || !this.options.pluginIds.length) return;
    const newest = Math.max(...events.map((event) => event.occurredAt.getTime()));
    const wait = newest + this.options.graceMs - Date.now();
    if (wait <= 0) {
      this.options.track(this.#handOn(events));
      return;
    }
    // Not tracked while it waits: stopping drops it (the next start's catch-up, or another instance, delivers them).
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.options.track(this.#handOn(events));
    }, wait);
    timer.unref();
    this.#timers.add(timer);
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #handOn(events: readonly RecordedEvent[]): Promise<void> {
    // Host-level read across workspaces (unscoped client), as catch-up's: one statement for the batch.
    const marks = await this.options.prisma.pluginDelivery.findMany({
      where: { pluginId: { in: [...this.options.pluginIds] }, eventId: { in: events.map((event) => event.id) } },
      select: { pluginId: true, subscriber: true, eventId: true },
    });
    const marked = new Set(marks.map((mark) => `${mark.pluginId}\u0000${mark.subscriber}\u0000${mark.eventId}`));
    this.options.handOn(events, (plugin, subscriber, event) => !marked.has(`${plugin.id}\u0000${subscriber.name}\u0000${event.id}`));
  }
}
