// PostgreSQL's LISTEN/NOTIFY between the processes that share a database: a message sent on a channel reaches every
// session listening to it once the sending statement's transaction commits. The gateway's plugin host wakes the
// queue workers of every instance with it when one of them has queued work (instead of their next poll) and tells
// them of changes to subscribers' interests. The embedded database has none: it is one process.
import pg from 'pg';

export interface Notifications {
  /** Sends `payload` (at most 8,000 bytes) to every listener of `channel`, this process's included. */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Calls `onPayload` with every message on `channel`, received on a connection of its own (opened now, opened again
   * after it is lost: messages sent meanwhile are lost, so a listener keeps a poll of its own as the fallback).
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<void>;
  /** Ends the listening connection. */
  close(): Promise<void>;
}

/** How long a lost listening connection waits before it is opened again. */
const RECONNECT_MS = 1000;

/** Notifications over a node-postgres pool: sent through the pool, received on one connection opened from its settings. */
export function poolNotifications(pool: pg.Pool): Notifications {
  const listeners = new Map<string, ((payload: string) => void)[]>();
  let client: Promise<pg.Client> | null = null;
  let closed = false;

  const quoted = (channel: string) => `"${channel.replaceAll('"', '""')}"`;

  function connect(): Promise<pg.Client> {
    const opened = (async () => {
      const next = new pg.Client(pool.options);
      next.on('notification', ({ channel, payload }) => {
        for (const listener of listeners.get(channel) ?? []) listener(payload ?? '');
      });
      // A lost connection (a server restart) is opened again; the listeners' polls cover the gap.
      const reopen = () => {
        if (closed || client !== opened) return;
        client = null;
        setTimeout(() => {
          if (!closed && !client && listeners.size) void ensure().catch(() => {});
        }, RECONNECT_MS).unref();
      };
      next.on('error', reopen);
      next.on('end', reopen);
      await next.connect();
      for (const channel of listeners.keys()) await next.query(`LISTEN ${quoted(channel)}`);
      return next;
    })();
    opened.catch(() => {
      if (client === opened) client = null;
    });
    return opened;
  }
  const ensure = () => (client ??= connect());

  return {
    async notify(channel, payload) {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async listen(channel, onPayload) {
      const known = listeners.has(channel);
      listeners.set(channel, [...(listeners.get(channel) ?? []), onPayload]);
      const had = client;
      const connection = await ensure();
      // A connection opened by this call listens already; an earlier one is told of the new channel.
      if (had && !known) await connection.query(`LISTEN ${quoted(channel)}`);
    },
    async close() {
      closed = true;
      const connection = client;
      client = null;
      if (connection) await (await connection.catch(() => null))?.end().catch(() => {});
    },
  };
}
