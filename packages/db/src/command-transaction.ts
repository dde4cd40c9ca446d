import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';
import type pg from 'pg';
import type { SqlStatementObserver } from './observed-adapter.js';
import { adoptConnection, connectWithin, type DirectTransactions, lazyPrismaTransaction, transactionClosed } from './direct-transaction.js';
import { PipelinedTransactionClient } from './pipelined-transaction-client.js';
import { asParameter, prismaRowTypes } from './prisma-row-types.js';
import { underlyingTransaction } from './transaction-views.js';

type Row = Record<string, unknown>;
interface Statement {
  text: string;
  values: unknown[];
}

/** How an open database reports its statements (`OpenDatabaseOptions`' `onQuery` and `observeSql`). */
export interface StatementHooks {
  onQuery?: (event: { query: string; params: string; durationMs: number }) => void;
  observeSql?: SqlStatementObserver;
}

/** What rides with a COMMIT: a write sent right before it and a read right behind it, on the same connection. */
export interface CommitCompanions {
  before: Statement | null;
  after: Statement | null;
  /** Told what was sent: the write's outcome (it fails the COMMIT) and the read's rows. */
  sent(before: Promise<unknown> | null, after: Promise<Row[]> | null): void;
}

const storage = new AsyncLocalStorage<CommandTransaction>();
/**
 * The transactions (Prisma's interactive transaction clients) a command bound to its connection, with the attempt
 * that bound them: a command retried (a serialization failure) runs again on the same {@link CommandTransaction},
 * and a statement the failed attempt sends late must not land in the retry's transaction.
 */
const bound = new WeakMap<object, { transaction: CommandTransaction; attempt: number }>();
/** A command's transactions that go through Prisma's client: their last raw statement (settled), the next one's turn. */
const lastThroughPrisma = new WeakMap<object, Promise<unknown>>();

/**
 * A command's transaction (a Prisma interactive transaction run through {@link run}; a narrowed view of it is the same
 * transaction here: transaction-views.ts), and what may skip Prisma's
 * client in it on PostgreSQL:
 * - raw statements go to the transaction's own connection ({@link queryRawIn}, {@link executeRawIn}): each raw call
 *   through Prisma's client passes its request pipeline, interpreter and tracing helper, about 1.3 ms of CPU per
 *   one-insert transaction under load (docs/performance.md, "Session 11: a command's CPU"). The statements are still
 *   reported to the database's `onQuery` and `observeSql`, bounded by the request's deadline (the connection's
 *   client), their rows in Prisma's raw types (`prisma-row-types.ts`);
 * - a write and a read ride with the COMMIT ({@link writeWithCommit}, {@link readAfterCommit}), in the same socket write
 *   (`pipelined-transaction-client.ts`): a pipelined transaction whose write failed answers its COMMIT with ROLLBACK,
 *   not an error, so the write's error is made the COMMIT's.
 * On PGlite (no such connection) each falls back: statements through Prisma's client, the write sent at once, the read
 * left to the caller ({@link rows} null).
 */
export class CommandTransaction {
  /** The transaction's connection while it is open: null before Prisma opens it and from its COMMIT or ROLLBACK on. */
  private client: pg.ClientBase | null = null;
  /** The connection of the attempt under way, kept through its COMMIT (which `client` is not): whose COMMIT carries the companions. */
  private connection: pg.ClientBase | null = null;
  private hooks: StatementHooks = {};
  private before: Statement | null = null;
  private after: Statement | null = null;
  /** The read's rows (text values, as node-postgres parses them) once it was sent behind the COMMIT; else null. */
  rows: Promise<Row[]> | null = null;
  /** Counts the transactions attached to this command (its attempts). */
  private attempt = 0;
  /** A direct transaction's connection, while Prisma may still open its interactive transaction on it ({@link runDirect}). */
  private adoptable: pg.ClientBase | null = null;

  /**
   * Runs `body` in a transaction this command opens itself on a connection of `direct.pool` (PostgreSQL), with a
   * stand-in for Prisma's transaction client that opens Prisma's interactive transaction on the same connection only
   * if the body uses Prisma ({@link lazyPrismaTransaction}). The same bounds as Prisma's: a connection within
   * `maxWait`, the transaction rolled back at `timeout` (later statements refused, the command failed). BEGIN rides
   * with the first statement, the events and the numbers' read with the COMMIT, as in Prisma's path.
   */
  async runDirect<T>(
    direct: DirectTransactions,
    open: (body: (tx: object) => Promise<void>, options: { timeout: number; maxWait: number }) => Promise<unknown>,
    body: (tx: object) => Promise<T>,
    options: { timeout: number; maxWait: number },
  ): Promise<T> {
    [this.client, this.connection, this.before, this.after, this.rows] = [null, null, null, null, null];
    return storage.run(this, async () => {
      const started = Date.now();
      const client = await connectWithin(direct.pool, options.maxWait);
      const attempt = ++this.attempt;
      [this.client, this.connection, this.hooks] = [client, client, direct.hooks];
      let expired = false;
      let ended = false;
      // Prisma's interactive transaction on this connection, once the body asked for it (assigned in `openPrisma`).
      let prisma = null as { tx: object | null; opening: Promise<object>; finish: (error?: unknown) => Promise<void> } | null;
      let rolledBack: Promise<void> | null = null;
      const rollback = () => {
        ended = true;
        this.client = null;
        return (rolledBack ??= this.edge(client, 'ROLLBACK'));
      };
      const timer = setTimeout(() => {
        // As Prisma's interactive transaction at its timeout: rolled back now, whatever the command still sends fails.
        expired = true;
        if (!ended) void rollback().catch(() => {});
      }, options.timeout);
      const openPrisma = (): Promise<object> => {
        if (expired || !this.open(attempt)) return Promise.reject(transactionClosed(options.timeout, Date.now() - started));
        if (prisma) return prisma.opening;
        let finished!: (error?: unknown) => void;
        const until = new Promise<void>((resolve, reject) => (finished = (error) => (error === undefined ? resolve() : reject(error))));
        let openedTx!: (tx: object) => void;
        const opening = new Promise<object>((resolve) => (openedTx = resolve));
        this.adoptable = client;
        const running = storage.run(this, () =>
          open(
            async (tx) => {
              prisma!.tx = tx;
              openedTx(tx);
              await until;
            },
            { timeout: Math.max(1, options.timeout - (Date.now() - started)), maxWait: options.maxWait },
          ),
        );
        const settled = running.then(() => undefined, (error: unknown) => error);
        prisma = {
          tx: null,
          opening: Promise.race([opening, settled.then((error) => Promise.reject(error ?? transactionClosed(options.timeout, Date.now() - started)))]),
          finish: async (error) => {
            finished(error ?? undefined);
            const failed = await settled;
            if (error === undefined && failed) throw failed;
          },
        };
        return prisma.opening;
      };
      const tx = lazyPrismaTransaction(openPrisma, () => prisma?.tx ?? null);
      bound.set(tx, { transaction: this, attempt });
      let broken: unknown;
      try {
        await this.edge(client, 'BEGIN');
        const value = await body(tx);
        if (prisma) await prisma.finish();
        if (expired) throw transactionClosed(options.timeout, Date.now() - started);
        ended = true;
        this.client = null;
        await this.edge(client, 'COMMIT');
        return value;
      } catch (error) {
        if (prisma) await prisma.finish(error).catch(() => {});
        // Also the timeout's ROLLBACK, before the connection goes back to the pool.
        if (!ended || rolledBack) await rollback().catch((failed: unknown) => (broken = failed));
        throw error;
      } finally {
        clearTimeout(timer);
        this.adoptable = null;
        this.client = null;
        client.release(broken instanceof Error ? broken : undefined);
      }
    });
  }

  /** BEGIN, COMMIT or ROLLBACK of a direct transaction, reported to the hooks as Prisma reports its own (not BEGIN). */
  private async edge(client: pg.ClientBase, text: 'BEGIN' | 'COMMIT' | 'ROLLBACK'): Promise<void> {
    if (text === 'BEGIN') return void (await client.query(text));
    const hooks = this.hooks;
    const start = performance.now();
    const run = async () => {
      await client.query(text);
      hooks.onQuery?.({ query: text, params: '[]', durationMs: performance.now() - start });
    };
    await (hooks.observeSql ? hooks.observeSql({ sql: text, kind: 'execute' }, run) : run());
  }

  /**
   * Prisma's adapter opening a transaction in this context: on the connection of the direct transaction that asked for
   * it ({@link runDirect}), once; else null (a transaction of its own).
   */
  static adopting(): pg.ClientBase | null {
    const transaction = storage.getStore();
    const connection = transaction?.adoptable ?? null;
    if (transaction) transaction.adoptable = null;
    return connection;
  }

  /** Runs `transaction` (a Prisma interactive transaction) as this command's. */
  run<T>(transaction: () => Promise<T>): Promise<T> {
    this.client = null;
    this.connection = null;
    this.before = null;
    this.after = null;
    this.rows = null;
    return storage.run(this, transaction);
  }

  /**
   * Called by the adapter (`exposeTransactionConnections`) when Prisma opens a transaction: its connection, kept by the
   * command running in this context (answered), if any.
   */
  static attach(client: pg.ClientBase, hooks: StatementHooks): CommandTransaction | null {
    const transaction = storage.getStore();
    if (!transaction || transaction.client) return null;
    transaction.attempt++;
    transaction.client = client;
    transaction.connection = client;
    transaction.hooks = hooks;
    return transaction;
  }

  /**
   * Prisma ends the transaction (COMMIT, or ROLLBACK: the callback failed or ran past its timeout): from here on its
   * statements go through Prisma's client, which refuses them, never to a connection back in the pool.
   */
  detach(): void {
    this.client = null;
  }

  /**
   * Binds Prisma's transaction client `tx` to this transaction's connection, when it has one (PostgreSQL); else its
   * raw statements go through Prisma's client, one after another in call order ({@link queryRawIn}).
   */
  bind(tx: object): void {
    if (this.client) bound.set(tx, { transaction: this, attempt: this.attempt });
    else lastThroughPrisma.set(tx, Promise.resolve());
  }

  /** Whether `tx`, bound by attempt `attempt`, is still this command's open transaction. */
  private open(attempt: number): boolean {
    return this.client !== null && this.attempt === attempt;
  }

  /** The command transaction `tx` was bound to, while that very transaction is open. */
  static of(tx: object): CommandTransaction | null {
    const entry = bound.get(underlyingTransaction(tx));
    return entry?.transaction.open(entry.attempt) ? entry.transaction : null;
  }

  /** Whether `tx` is a command's transaction client ({@link bind}), on either database, whether still open or not. */
  static isCommand(tx: object): boolean {
    const underlying = underlyingTransaction(tx);
    return bound.has(underlying) || lastThroughPrisma.has(underlying);
  }

  /** Whether the transaction's connection is reachable (PostgreSQL): statements can ride with its COMMIT. */
  get direct(): boolean {
    return this.client !== null;
  }

  /**
   * Sends a statement on the transaction's connection, reported like Prisma's own. It is handed to the connection at
   * once, before the observer runs: statements sent without waiting go out in the order they were called, one behind
   * the other (node-postgres' pipeline mode), and PostgreSQL runs them in that order. (A plain pool's client, as in some
   * tests, queues them in order too, with node-postgres 8's deprecation warning for overlapping queries.)
   */
  send(text: string, values: readonly unknown[], kind: 'query' | 'execute'): Promise<pg.QueryResult<Row>> {
    const client = this.client!;
    const hooks = this.hooks;
    const params = values.map(asParameter);
    const start = performance.now();
    const sent = client.query<Row>({ text, values: params, types: prismaRowTypes });
    sent.catch(() => {}); // answered to whoever awaits `run`; not an unhandled rejection meanwhile
    const run = async () => {
      const result = await sent;
      hooks.onQuery?.({ query: text, params: JSON.stringify(params, jsonParam), durationMs: performance.now() - start });
      return result;
    };
    return hooks.observeSql ? hooks.observeSql({ sql: text, kind }, run) : run();
  }

  /**
   * A write to send right before the COMMIT, in its socket write. Answers false (nothing kept: the caller writes now)
   * when the transaction's connection is not reachable or not pipelined (a plain pool's client), or a write is
   * already waiting.
   */
  writeWithCommit(text: string, values: unknown[]): boolean {
    if (!(this.client instanceof PipelinedTransactionClient) || this.before) return false;
    this.before = { text, values: values.map(asParameter) };
    return true;
  }

  /** The read to send behind the COMMIT: the transaction's last step, so that the next COMMIT in its context is its own. */
  readAfterCommit(text: string, values: unknown[]): void {
    this.after = { text, values };
  }

  /**
   * The statements riding with the COMMIT `client` is sending in this async context, if any (taken: sent once). Only
   * the command's own connection takes them: another transaction's COMMIT in the same context (a Prisma call on
   * another connection) never carries this transaction's write.
   */
  static takeCommitCompanions(client: pg.ClientBase): CommitCompanions | null {
    const transaction = storage.getStore();
    if (!transaction || transaction.connection !== client || (!transaction.before && !transaction.after)) return null;
    const { before, after } = transaction;
    transaction.before = null;
    transaction.after = null;
    return {
      before,
      after,
      sent: (written, rows) => {
        if (written && before) transaction.report(before, written);
        // A read that fails (the connection went away with the COMMIT) leaves the caller to read again.
        if (rows) transaction.rows = rows.catch(() => []);
      },
    };
  }

  /** The write sent with the COMMIT, told to the database's hooks as any other statement. */
  private report(statement: Statement, written: Promise<unknown>): void {
    const hooks = this.hooks;
    const start = performance.now();
    const logged = written.then(() => hooks.onQuery?.({ query: statement.text, params: JSON.stringify(statement.values, jsonParam), durationMs: performance.now() - start }));
    if (hooks.observeSql) void hooks.observeSql({ sql: statement.text, kind: 'execute' }, () => logged).catch(() => {});
    else void logged.catch(() => {});
  }
}

const jsonParam = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/**
 * A raw statement through Prisma's client; in a command's transaction (bound without a connection: PGlite), after the
 * raw statements called before it, which Prisma's client might otherwise reorder when they are sent without waiting.
 * So in either path a command's raw statements run in call order.
 */
function inCallOrder<T>(tx: object, send: () => PromiseLike<T>): Promise<T> {
  const underlying = underlyingTransaction(tx);
  const previous = lastThroughPrisma.get(underlying);
  if (!previous) return Promise.resolve(send());
  const result = previous.then(send);
  lastThroughPrisma.set(underlying, result.catch(() => {}));
  return result;
}

/**
 * Prisma's raw query in `tx`, on its command's connection when {@link CommandTransaction.bind} bound it there. Raw
 * statements of a transaction run in the order they were called, also when sent without waiting (on the connection:
 * in one round trip).
 */
export function queryRawIn<R>(tx: { $queryRawUnsafe<T>(query: string, ...values: unknown[]): PromiseLike<T> }, text: string, ...values: unknown[]): Promise<R[]> {
  const transaction = CommandTransaction.of(tx);
  if (transaction) return transaction.send(text, values, 'query').then((result) => result.rows as R[]);
  return inCallOrder(tx, () => tx.$queryRawUnsafe<R[]>(text, ...values));
}

/** Prisma's raw execute in `tx` (the rows it changed), on its command's connection when bound there; in call order. */
export function executeRawIn(tx: { $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number> }, text: string, ...values: unknown[]): Promise<number> {
  const transaction = CommandTransaction.of(tx);
  if (transaction) return transaction.send(text, values, 'execute').then((result) => result.rowCount ?? 0);
  return inCallOrder(tx, () => tx.$executeRawUnsafe(text, ...values));
}

const ENDS = /^\s*(?:COMMIT|ROLLBACK)\s*;?\s*$/i;

/** The transaction, its command detached from its connection as Prisma ends it (before the connection is released). */
function detachingAtItsEnd(transaction: Transaction, command: CommandTransaction): Transaction {
  return new Proxy(transaction, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'executeRaw') {
        return (query: { sql: string }) => {
          if (ENDS.test(query.sql)) command.detach();
          return value.call(object, query);
        };
      }
      if (property === 'commit' || property === 'rollback') {
        return (...args: unknown[]) => {
          command.detach();
          return value.apply(object, args);
        };
      }
      return value.bind(object);
    },
  });
}

/**
 * The factory, with the connection of every transaction it opens (node-postgres' adapter: the transaction's pooled
 * client) handed to the {@link CommandTransaction} running in that async context, if any.
 */
export function exposeTransactionConnections(factory: SqlDriverAdapterFactory, hooks: StatementHooks): SqlDriverAdapterFactory {
  const exposing = (adapter: SqlDriverAdapter): SqlDriverAdapter =>
    new Proxy(adapter, {
      get(object, property, receiver) {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        if (property !== 'startTransaction') return value.bind(object);
        return async (...args: unknown[]) => {
          const adopted = CommandTransaction.adopting();
          if (adopted) return adoptConnection(object, value as (...a: unknown[]) => Promise<Transaction>, args, adopted);
          const transaction = (await value.apply(object, args)) as Transaction & { client?: pg.ClientBase };
          const command = transaction.client ? CommandTransaction.attach(transaction.client, hooks) : null;
          return command ? detachingAtItsEnd(transaction, command) : transaction;
        };
      },
    });
  return new Proxy(factory, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (property === 'connect' && typeof value === 'function') return async () => exposing((await value.call(object)) as SqlDriverAdapter);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}
