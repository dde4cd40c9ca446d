// One resumable event stream per signed-in client, shared by every component that listens (a page may have
// several): one subscription on the server, not one per component, and no churn when React remounts effects.
import { type Client, type CrmEvent, type EventStream, subscribeToEvents } from '@crm/client';

export type EventListener = (event: CrmEvent) => void;

export class EventHub {
  private readonly listeners = new Set<EventListener>();
  private stream: EventStream | null = null;

  constructor(private readonly client: Client) {}

  /** Calls `listener` with every event from now on; returns the function that stops it. */
  listen(listener: EventListener): () => void {
    this.listeners.add(listener);
    this.stream ??= subscribeToEvents(this.client, {}, (event) => {
      for (const each of this.listeners) each(event);
    });
    return () => void this.listeners.delete(listener);
  }

  /** Ends the stream (sign-out). */
  close() {
    this.stream?.unsubscribe();
    this.stream = null;
    this.listeners.clear();
  }
}
