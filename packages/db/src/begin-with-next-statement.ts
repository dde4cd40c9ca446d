import pg from 'pg';

/** What node-postgres resolves a statement with; a held `BEGIN` is answered with an empty one. */
type Result = pg.QueryResult<never>;

/** A `BEGIN` alone: Prisma's adapter starts every interactive transaction with it (`executeRaw({ sql: 'BEGIN' })`). */
function isBareBegin(config: unknown, values: unknown): config is { text: string } {
  const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
  const noValues = values === undefined || (Array.isArray(values) && values.length === 0);
  const configValues = typeof config === 'object' && config !== null ? (config as { values?: unknown[] }).values : undefined;
  return typeof text === 'string' && /^\s*BEGIN\s*;?\s*$/i.test(text) && noValues && !configValues?.length;
}

const begun: Result = { command: 'BEGIN', rowCount: null, oid: 0, fields: [], rows: [] };

/**
 * A node-postgres client that starts a transaction without a round trip of its own: a `BEGIN` sent alone is held
 * back (answered at once) and written together with the transaction's next statement, in one write; the server
 * answers them in order. Every transaction (each command is one; Prisma's adapter sends `BEGIN` and waits for it
 * before its first statement) so costs one round trip less: a socket write, a read and their wake-ups, which a
 * profile of the gateway under `createCustomer` put among its largest costs (docs/performance.md, "Gateway CPU per
 * request"). The client runs in node-postgres' pipeline mode for this (documented, opt-in: each statement still gets
 * its own result or error); its holders send one statement at a time, so nothing else changes for them.
 *
 * The two ride in one write, each with its own Sync. A `BEGIN` only fails on a connection that is gone (then the
 * statement fails too) or in a transaction already aborted (then the statement fails the same way); its error, if
 * any, is the statement's answer. A client released with a `BEGIN` still held forgets it
 * ({@link releaseHeldBegin}): its next holder never inherits a transaction.
 */
export class BeginWithNextStatementClient extends pg.Client {
  private heldBegin: { text: string } | null = null;

  constructor(config?: string | pg.ClientConfig) {
    super({ ...(typeof config === 'string' ? { connectionString: config } : config), pipeline: true } as pg.ClientConfig);
  }

  // Every form node-postgres accepts: (text | config, values?, callback?).
  override query(...args: unknown[]): never {
    const send = super.query.bind(this) as (...a: unknown[]) => never;
    const [config, values, callback] = args;
    const hasCallback = typeof values === 'function' || typeof callback === 'function';
    if (!hasCallback && !this.heldBegin && isBareBegin(config, values)) {
      // Without its deadline: the statement it rides with carries one, and is answered after it.
      this.heldBegin = { text: typeof config === 'string' ? config : config.text };
      return Promise.resolve(begun) as never;
    }
    const held = this.heldBegin;
    if (!held) return send(...args);
    this.heldBegin = null;
    const stream = (this as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
    stream.cork();
    let begin: Promise<unknown>;
    let statement: unknown;
    try {
      begin = (send(held) as Promise<unknown>).then(
        () => null,
        (error: unknown) => error,
      );
      if (hasCallback) {
        // The callback form (pg-pool's `pool.query`): told after the BEGIN's answer, with its error first.
        const done = (typeof values === 'function' ? values : callback) as (error: unknown, result?: unknown) => void;
        const afterBegin = (error: unknown, result?: unknown) =>
          void begin.then((failed) => (failed ? done(failed) : done(error, result)));
        statement = typeof values === 'function' ? send(config, afterBegin) : send(config, values, afterBegin);
      } else {
        statement = send(...args);
      }
    } finally {
      stream.uncork();
    }
    if (hasCallback) return statement as never;
    return (statement as Promise<unknown>).then(
      async (result) => {
        const failed = await begin;
        if (failed) throw failed;
        return result;
      },
    ) as never;
  }

  /** Forgets a `BEGIN` no statement followed (the pool calls this when the client is released). */
  releaseHeldBegin(): void {
    this.heldBegin = null;
  }
}
