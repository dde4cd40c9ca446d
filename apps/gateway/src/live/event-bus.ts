import type { RecordedEvent } from '@crm/core';
import type { LiveEvents } from '@crm/graph';

export type EventListener = (events: readonly RecordedEvent[]) => void;

/**
 * Fans committed events out to subscribers, per workspace. An interface so a Redis-backed bus (events across
 * gateway instances) can replace the in-process one; subscribers only ever see their own workspace's events.
 */
export interface EventBus extends LiveEvents {
  /** Delivers events (of any workspaces) to the subscribers of each event's workspace. Must not throw. */
  publish(events: readonly RecordedEvent[]): void;
  subscribe(workspaceId: string, listener: EventListener): () => void;
  /** Subscribers on this instance right now (metrics, tests). */
  readonly subscriberCount: number;
}

/** The single-process bus: a listener set per workspace. */
export class InProcessEventBus implements EventBus {
  private readonly listeners = new Map<string, Set<EventListener>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  publish(events: readonly RecordedEvent[]): void {
    const byWorkspace = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      const list = byWorkspace.get(event.workspaceId);
      if (list) list.push(event);
      else byWorkspace.set(event.workspaceId, [event]);
    }
    for (const [workspaceId, batch] of byWorkspace) {
      for (const listener of this.listeners.get(workspaceId) ?? []) {
        // One failing subscriber must not keep the event from the others.
        try {
          listener(batch);
        } catch (error) {
          this.onListenerError(error);
        }
      }
    }
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
}
