/**
 * The smallest raw-SQL surface both drivers (PGlite, node-postgres) offer. Migrations, the event relay and
 * analytics aggregates use it; everything else goes through Prisma.
 */
export interface SqlSession {
  /** One statement with `$1`-style parameters. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A multi-statement script, sent as one simple query (atomic on PostgreSQL). */
  exec(script: string): Promise<void>;
}

export interface SqlDatabase extends SqlSession {
  /**
   * Runs `fn` on one dedicated connection (session-level state such as advisory locks holds for all of it).
   */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
}
