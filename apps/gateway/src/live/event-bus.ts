import type { RecordedEvent } from '@crm/core';
import type { LiveEvents } from '@crm/graph';

/** A batch of one workspace's events; an empty batch means "you may have missed some: catch up from the table". */
export type EventListener = (events: readonly RecordedEvent[]) => void;

/**
 * Fans committed events out to subscribers, per workspace: in-process ({@link InProcessEventBus}) or across gateway
 * instances through Redis (`RedisEventBus`). Subscribers only ever see their own workspace's events.
 */
export interface EventBus extends LiveEvents {
  /**
   * Delivers events (of any workspaces) to the subscribers of each event's workspace, on every instance. Resolves
   * once they are handed over; rejects when they could not be (e.g. Redis is down): the caller then leaves them
   * unpublished in the outbox and the relay tries again.
   */
  publish(events: readonly RecordedEvent[]): Promise<void>;
  subscribe(workspaceId: string, listener: EventListener): () => void;
  /** Subscribers on this instance right now (metrics, tests). */
  readonly subscriberCount: number;
  /** Releases connections; the gateway calls it last. */
  close(): Promise<void>;
}

/** The single-process bus: a listener set per workspace. Also the local fan-out of the Redis bus. */
export class InProcessEventBus implements EventBus {
  private readonly listeners = new Map<string, Set<EventListener>>();

  constructor(
    private readonly onListenerError: (error: unknown) => void = () => {},
    /** Sees every batch delivered to this process (metrics: the bus' lag). Must not throw. */
    private readonly onDelivered: (events: readonly RecordedEvent[]) => void = () => {},
  ) {}

  publish(events: readonly RecordedEvent[]): Promise<void> {
    this.deliver(events);
    return Promise.resolve();
  }

  /** Synchronous delivery to this process' subscribers. Never throws. */
  deliver(events: readonly RecordedEvent[]): void {
    this.onDelivered(events);
    const byWorkspace = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      const list = byWorkspace.get(event.workspaceId);
      if (list) list.push(event);
      else byWorkspace.set(event.workspaceId, [event]);
    }
    for (const [workspaceId, batch] of byWorkspace) this.notify(this.listeners.get(workspaceId), batch);
  }

  /** Tells every subscriber it may have missed events (pub/sub was unreachable): each reads the table after its position. */
  catchUp(): void {
    for (const set of this.listeners.values()) this.notify(set, []);
  }

  subscribe(workspaceId: string, listener: EventListener): () => void {
    let set = this.listeners.get(workspaceId);
    if (!set) this.listeners.set(workspaceId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size && this.listeners.get(workspaceId) === set) this.listeners.delete(workspaceId);
    };
  }

  get subscriberCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  async close(): Promise<void> {}

  private notify(listeners: Set<EventListener> | undefined, batch: readonly RecordedEvent[]): void {
    for (const listener of listeners ?? []) {
      // One failing subscriber must not keep the event from the others.
      try {
        listener(batch);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
