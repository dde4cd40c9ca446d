// What the plugin host of one gateway instance tells the others, through the database's notifications (PostgreSQL's
// LISTEN/NOTIFY): that a plugin's queue has new work (their idle workers look at once instead of at their next poll),
// and which committed events changed subscribers' interests (read again there; the event bus says so too when there
// is one, and hearing a change twice is harmless). Messages are coalesced: one in flight at a time, the next carrying
// everything asked for meanwhile. Without notifications (the embedded database, one process) nothing is sent.
import { randomUUID } from 'node:crypto';
import type { Notifications } from '@crm/db';
import type { HeardChange } from './subscriber-interest.js';

const CHANNEL = 'crm_plugin_host';
/** Changes carried by one message at most (a NOTIFY payload is limited to 8,000 bytes); the rest go in the next. */
const MAX_CHANGES = 40;

interface Message {
  from: string;
  wake?: string[];
  changes?: { workspaceId: string; type: string; seq: string | null }[];
}

export interface HostSignals {
  /** Tells the other instances that the plugin's queues have work. */
  wake(pluginId: string): void;
  /** Tells the other instances of committed events that change interests. */
  changed(events: readonly HeardChange[]): void;
  /** Stops sending and handling messages (the connection is the database's). */
  stop(): void;
}

export function hostSignals(notifications: Notifications | null | undefined, heard: { wake(pluginId: string): void; notice(changes: HeardChange[]): void }): HostSignals {
  if (!notifications) return { wake: () => {}, changed: () => {}, stop: () => {} };
  const self = randomUUID();
  let stopped = false;
  const wakes = new Set<string>();
  const changes: HeardChange[] = [];
  let sending = false;

  void notifications
    .listen(CHANNEL, (payload) => {
      if (stopped) return;
      let message: Message;
      try {
        message = JSON.parse(payload) as Message;
      } catch {
        return; // not ours
      }
      if (message.from === self) return;
      for (const pluginId of message.wake ?? []) heard.wake(pluginId);
      if (message.changes?.length) heard.notice(message.changes);
    })
    .catch(() => {}); // no listening connection: the instances poll, and the bus (if any) carries the changes

  async function send() {
    if (sending || stopped) return;
    sending = true;
    try {
      while ((wakes.size || changes.length) && !stopped) {
        const message: Message = { from: self };
        if (wakes.size) message.wake = [...wakes];
        wakes.clear();
        const carried = changes.splice(0, MAX_CHANGES);
        if (carried.length) message.changes = carried.map((c) => ({ workspaceId: c.workspaceId, type: c.type, seq: c.seq === undefined || c.seq === null ? null : String(c.seq) }));
        await notifications!.notify(CHANNEL, JSON.stringify(message)).catch(() => {}); // lost: the others' polls and the interests' 10 s backstop
      }
    } finally {
      sending = false;
    }
  }

  return {
    wake(pluginId) {
      wakes.add(pluginId);
      void send();
    },
    changed(events) {
      if (!events.length) return;
      changes.push(...events);
      void send();
    },
    stop() {
      stopped = true;
    },
  };
}
