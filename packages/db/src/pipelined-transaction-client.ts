import pg from 'pg';
import { CommandTransaction } from './command-transaction.js';

/** What node-postgres resolves a statement with; a held `BEGIN` is answered with an empty one. */
type Result = pg.QueryResult<never>;
type Callback = (error: unknown, result?: unknown) => void;

/** `BEGIN` or `COMMIT` alone, without values: how Prisma's adapter starts and ends every interactive transaction. */
function isBare(command: 'BEGIN' | 'COMMIT', config: unknown, values: unknown): boolean {
  const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
  if (typeof text !== 'string' || text.trim().replace(/;$/, '').trim().toUpperCase() !== command) return false;
  const configValues = typeof config === 'object' && config !== null ? (config as { values?: unknown[] }).values : undefined;
  return !(Array.isArray(values) && values.length) && !configValues?.length;
}

const begun: Result = { command: 'BEGIN', rowCount: null, oid: 0, fields: [], rows: [] };

/**
 * A node-postgres client whose transactions cost no round trip at their edges:
 * - a `BEGIN` sent alone is held back (answered at once) and written together with the transaction's next statement;
 * - a COMMIT sent where a write and a read wait for it ({@link CommandTransaction}) is written together with them: the
 *   write right before it, the read right behind it. A pipelined transaction whose write failed is aborted and answers
 *   the COMMIT with ROLLBACK, not an error: the COMMIT then fails with the write's error (nothing was committed).
 *
 * Prisma's adapter sends `BEGIN` and waits for it before the first statement; the command runner read the events'
 * numbers on another connection after COMMIT: two socket writes, reads and wake-ups per command that a profile of the
 * gateway under `createCustomer` put among its largest costs (docs/performance.md, "Gateway CPU per request"). The
 * client runs in node-postgres' pipeline mode for this (documented, opt-in: each statement keeps its own result or
 * error, in order); a command's raw statements sent without waiting go out one behind the other in call order
 * (`command-transaction.ts`), and Prisma's own statements, one at a time, see no difference.
 *
 * Each statement keeps its own Sync. A `BEGIN` only fails on a connection that is gone (the statement then fails too)
 * or in a transaction already aborted (the statement fails the same way); its error, if any, is the statement's
 * answer. A client released with a `BEGIN` still held forgets it ({@link releaseHeldBegin}): its next holder never
 * inherits a transaction. A read behind a COMMIT that failed runs outside any transaction and finds nothing of it.
 */
export class PipelinedTransactionClient extends pg.Client {
  private heldBegin: string | null = null;

  constructor(config?: string | pg.ClientConfig) {
    super({ ...(typeof config === 'string' ? { connectionString: config } : config), pipeline: true } as pg.ClientConfig);
  }

  // Every form node-postgres accepts: (text | config, values?, callback?).
  override query(...args: unknown[]): never {
    const send = super.query.bind(this) as (...a: unknown[]) => never;
    const [config, values, callback] = args;
    const done = (typeof values === 'function' ? values : typeof callback === 'function' ? callback : null) as Callback | null;
    if (!done && !this.heldBegin && isBare('BEGIN', config, values)) {
      // Without its deadline: the statement it rides with carries one, and is answered after it.
      this.heldBegin = typeof config === 'string' ? config : (config as { text: string }).text;
      return Promise.resolve(begun) as never;
    }
    const begin = this.heldBegin;
    const companions = !done && isBare('COMMIT', config, values) ? CommandTransaction.takeCommitCompanions(this) : null;
    if (!begin && !companions) return send(...args);
    this.heldBegin = null;
    const stream = (this as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
    stream.cork();
    let beginFailed: Promise<unknown> = Promise.resolve(null);
    let written: Promise<unknown> | null = null;
    let statement: unknown;
    try {
      if (begin) beginFailed = (send(begin) as Promise<unknown>).then(() => null, (error: unknown) => error);
      const before = companions?.before;
      if (before) written = send({ text: before.text, values: before.values }) as Promise<unknown>;
      if (done) {
        // The callback form (pg-pool's `pool.query`): told after the BEGIN's answer, with its error first.
        const afterBegin: Callback = (error, result) => void beginFailed.then((failed) => (failed ? done(failed) : done(error, result)));
        statement = typeof values === 'function' ? send(config, afterBegin) : send(config, values, afterBegin);
      } else {
        statement = send(...args);
      }
      const after = companions?.after;
      const read = after ? (send({ text: after.text, values: after.values }) as Promise<pg.QueryResult>).then((result) => result.rows) : null;
      companions?.sent(written, read);
    } finally {
      stream.uncork();
    }
    const writeFailed = written ? written.then(() => null, (error: unknown) => error) : Promise.resolve(null);
    if (done) return statement as never;
    return (statement as Promise<unknown>).then(async (result) => {
      const failed = (await beginFailed) ?? (await writeFailed);
      if (failed) throw failed;
      return result;
    }) as never;
  }

  /** Forgets a `BEGIN` no statement followed (the pool calls this when the client is released). */
  releaseHeldBegin(): void {
    this.heldBegin = null;
  }
}
