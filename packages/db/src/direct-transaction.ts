import type { SqlDriverAdapter, Transaction } from '@prisma/driver-adapter-utils';
import type pg from 'pg';
import type { StatementHooks } from './command-transaction.js';

/**
 * What a command's own transaction needs of the database it runs on (PostgreSQL through our pool): the pool and the
 * hooks its statements are reported to. Registered per Prisma client by `fromPool`; PGlite registers none, and its
 * commands keep Prisma's interactive transaction.
 */
export interface DirectTransactions {
  pool: pg.Pool;
  hooks: StatementHooks;
}

const registry = new WeakMap<object, DirectTransactions>();

/** Lets the commands of `prisma` (the base client) run their transactions on `pool` themselves. */
export function enableDirectTransactions(prisma: object, direct: DirectTransactions): void {
  registry.set(prisma, direct);
}

/** The pool and hooks the commands of `prisma` open their transactions on, or null (PGlite: Prisma's own). */
export function directTransactionsOf(prisma: object): DirectTransactions | null {
  return registry.get(prisma) ?? null;
}

/** Opens Prisma's interactive transaction on the command's connection, the first time the command needs it. */
export type OpenPrismaTransaction = () => Promise<object>;

/**
 * A stand-in for Prisma's transaction client that opens the real one only when the command first uses Prisma on it
 * (a model call, `$queryRaw`…). A command whose statements are all raw (`queryRawIn`/`executeRawIn` on its
 * connection: `createCustomer`, the workflows' steps and deliveries) never pays for Prisma's interactive transaction
 * (its client per transaction, transaction manager, timers and request pipeline: ~0.35 ms of CPU a transaction,
 * docs/performance.md "Session 20"). Once opened, the real client answers everything.
 */
export function lazyPrismaTransaction(open: OpenPrismaTransaction, opened: () => object | null): object {
  const delegates = new Map<string, object>();
  const later =
    (path: (tx: Record<string, unknown>) => unknown) =>
    (...args: unknown[]) =>
      open().then((tx) => (path(tx as Record<string, unknown>) as (...a: unknown[]) => unknown)(...args));
  return new Proxy(Object.create(null) as object, {
    get(_target, property) {
      const real = opened();
      if (real) return Reflect.get(real, property);
      // Not a thenable (an async function may return the scope that holds it), nor anything but names.
      if (typeof property !== 'string' || property === 'then') return undefined;
      if (property.startsWith('$')) return later((tx) => (tx[property] as (...a: unknown[]) => unknown).bind(tx));
      let delegate = delegates.get(property);
      if (!delegate) {
        delegate = new Proxy(Object.create(null) as object, {
          get(_inner, operation) {
            const now = opened();
            if (now) return Reflect.get((now as Record<string, object>)[property]!, operation);
            if (typeof operation !== 'string' || operation === 'then') return undefined;
            return later((tx) => {
              const model = tx[property] as Record<string, (...a: unknown[]) => unknown>;
              return model[operation]!.bind(model);
            });
          },
        });
        delegates.set(property, delegate);
      }
      return delegate;
    },
  });
}

const edge = /^\s*(BEGIN|COMMIT|ROLLBACK)\s*;?\s*$/i;

/**
 * Prisma's adapter starting its transaction on `connection`, already begun by the command: its BEGIN, COMMIT and
 * ROLLBACK are answered without a statement (the command ends the transaction itself) and its release keeps the
 * connection, which the command releases. Its other statements go to the connection (the request's deadline included).
 */
export async function adoptConnection(adapter: SqlDriverAdapter, startTransaction: (...args: unknown[]) => Promise<Transaction>, args: unknown[], connection: pg.ClientBase): Promise<Transaction> {
  const stand = {
    query(config: { text: string }, ...rest: unknown[]) {
      const match = edge.exec(config.text);
      if (match) return Promise.resolve({ command: match[1]!.toUpperCase(), rowCount: 0, rows: [], fields: [], oid: 0 });
      return (connection.query as (...a: unknown[]) => unknown)(config, ...rest);
    },
    release() {},
    on() {},
    removeListener() {},
  };
  // node-postgres' adapter starts a transaction on `this.client.connect()`: here, that is the command's connection.
  const adopting = Object.create(adapter, { client: { value: { connect: async () => stand } } }) as SqlDriverAdapter;
  return startTransaction.apply(adopting, args);
}

/** A connection of `pool` within `maxWait` ms (Prisma's bound on starting a transaction); one that comes later goes back. */
export function connectWithin(pool: pg.Pool, maxWait: number): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(Object.assign(new Error(`Transaction API error: Unable to start a transaction in the given time (${maxWait} ms).`), { code: 'P2028' }));
    }, maxWait);
    pool.connect().then(
      (client) => {
        clearTimeout(timer);
        if (late) client.release();
        else resolve(client);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Prisma's answer to a statement or COMMIT of an interactive transaction past its timeout (rolled back). */
export function transactionClosed(timeout: number, elapsed: number): Error {
  return Object.assign(
    new Error(
      `Transaction already closed: A commit cannot be executed on an expired transaction. The timeout for this transaction was ${timeout} ms, however ${elapsed} ms passed since the start of the transaction. Consider increasing the interactive transaction timeout or doing less work in the transaction.`,
    ),
    { code: 'P2028' },
  );
}
