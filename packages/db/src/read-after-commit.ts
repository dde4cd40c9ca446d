import { AsyncLocalStorage } from 'node:async_hooks';

type Row = Record<string, unknown>;

const storage = new AsyncLocalStorage<ReadAfterCommit>();

/**
 * A read written in the same write as a transaction's COMMIT, on its connection, right behind it: what only the commit
 * decides (the events' numbers, given by a deferred trigger) is read without a round trip, a pooled connection and a
 * Prisma call of its own. The PostgreSQL pool's client sends it (`pipelined-transaction-client.ts`); on PGlite, or
 * when the transaction never reached its COMMIT, {@link rows} stays null and the caller reads as before.
 */
export class ReadAfterCommit {
  private statement: { text: string; values: unknown[] } | null = null;
  /** The read's rows (text values, as node-postgres parses them), once it was sent behind the COMMIT; else null. */
  rows: Promise<Row[]> | null = null;

  /** Runs `transaction` (a Prisma interactive transaction) so that its COMMIT carries the read {@link set} names. */
  run<T>(transaction: () => Promise<T>): Promise<T> {
    this.statement = null;
    this.rows = null;
    return storage.run(this, transaction);
  }

  /** The read to send behind the COMMIT: the transaction's last step, so that the next COMMIT in its context is its own. */
  set(text: string, values: unknown[]): void {
    this.statement = { text, values };
  }

  /** The read waiting for the COMMIT being sent in this async context, if any (taken: sent once). */
  static takePending(): { text: string; values: unknown[]; sent(rows: Promise<Row[]>): void } | null {
    const read = storage.getStore();
    const statement = read?.statement;
    if (!read || !statement) return null;
    read.statement = null;
    return {
      ...statement,
      sent: (rows) => {
        // A read that fails (the connection went away with the COMMIT) leaves the caller to read again.
        read.rows = rows.catch(() => []);
      },
    };
  }
}
