// Which gateway processes deliver events to plugins and are alive. Such a process has an instance id: its connections
// carry it (`crm.instance`, read by the event-numbering trigger into the outbox row of each event it commits) and it
// holds a session advisory lock keyed by it on a connection of its own for its lifetime. PostgreSQL releases the lock
// when that connection ends, the process's death included, so "nobody holds the lock" is "the committer is gone": the
// outbox relay then hands its stale events to its own instance's plugins (docs/architecture.md, "Events").
import pg from 'pg';

/** The advisory lock key of the instance id `sql` (an SQL text expression): one formula for the holder and the relay. */
export const instanceLockKey = (sql: string) => `hashtextextended(${sql}, 20261209)`;

/** The startup option that makes a connection's commits name `instanceId` as their committer. */
export const instanceConnectionOption = (instanceId: string) => `-c crm.instance=${instanceId}`;

export interface InstancePresence {
  /** This process's instance id (what its connections write as the committer). */
  readonly id: string;
  /** Takes the liveness lock on a connection of its own (opened again, and the lock taken again, if it is lost). */
  hold(): Promise<void>;
  /** Ends the lock's connection: other instances' relays take over this one's undelivered events. */
  release(): Promise<void>;
}

/** How long a lost lock connection waits before it is opened again. */
const RECONNECT_MS = 1000;

/** The presence of `id` held through a connection opened from the pool's settings. */
export function poolPresence(pool: pg.Pool, id: string): InstancePresence {
  if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Error(`An instance id is letters, digits and dashes (got "${id}")`);
  let client: Promise<pg.Client> | null = null;
  let held = false;

  function connect(): Promise<pg.Client> {
    const opened = (async () => {
      const next = new pg.Client(pool.options);
      // Lost (a server restart): taken again; meanwhile other relays may deliver this instance's events as well
      // (delivery is idempotent by event id, so at worst twice the work, never an event handled twice).
      const reopen = () => {
        if (!held || client !== opened) return;
        client = null;
        setTimeout(() => {
          if (held && !client) void (client = connect()).catch(() => {});
        }, RECONNECT_MS).unref();
      };
      next.on('error', reopen);
      next.on('end', reopen);
      await next.connect();
      await next.query(`SELECT pg_advisory_lock(${instanceLockKey('$1')})`, [id]);
      return next;
    })();
    opened.catch(() => {
      if (client === opened) client = null;
    });
    return opened;
  }

  return {
    id,
    async hold() {
      held = true;
      await (client ??= connect());
    },
    async release() {
      held = false;
      const connection = client;
      client = null;
      if (connection) await (await connection.catch(() => null))?.end().catch(() => {});
    },
  };
}
