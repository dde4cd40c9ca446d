// Planner statistics for tables that grew without them. PostgreSQL's autovacuum analyzes a table once enough of it
// changed; where it does not run (PGlite, the embedded default, has none; a server set to `autovacuum = off`, as the
// machines this project is tested and measured on are) or has not run yet (a table's first minute, a bulk import),
// the planner guesses: with no statistics it takes `"workspaceId" = $1` to match 0.5 % of the rows and answers a read
// by ids by walking the workspace's index, a cost growing with every row (docs/performance.md, sessions 12 and 13).
import type { Database } from './database.js';

/** Smaller tables are left alone: a walk of their pages costs little whatever the plan. */
export const MIN_ANALYZED_PAGES = 64;

/** Arbitrary but fixed: one process analyzes at a time (a table another holds is skipped). */
const STATISTICS_LOCK_KEY = 7_202_612_060;

/**
 * Tables due (`c` is pg_class, `t` pg_stat_user_tables): at least MIN_ANALYZED_PAGES pages, and never analyzed, or
 * changed since their last analysis by as many rows as they then held (inserts, updates and deletes counted: a table
 * growing is analyzed a logarithmic number of times, not at every change). Decided from the statistics system, not
 * `reltuples`: an index build sets that without analyzing anything.
 */
const DUE = `pg_relation_size(c.oid) >= $1::bigint * current_setting('block_size')::bigint
  AND (coalesce(t.last_analyze, t.last_autoanalyze) IS NULL OR t.n_mod_since_analyze >= greatest(c.reltuples, 0))`;

/**
 * Analyzes the tables of the current schemas that are due (`DUE`), largest first; returns those analyzed. On
 * PostgreSQL each in a transaction of its own under a transaction-level advisory lock (a table another process is
 * analyzing is skipped, and its due-ness read again under the lock), with `SKIP_LOCKED` (a table an index build or a
 * migration holds is left for a later round instead of waited for). On PGlite, whose one connection this process's
 * requests share and which runs in its thread, one table per call and no transaction of its own. `stopping` is asked
 * between tables.
 */
export async function analyzeGrownTables(database: Pick<Database, 'kind' | 'sql'>, stopping: () => boolean = () => false): Promise<string[]> {
  const due = await database.sql.query<{ oid: number; name: string }>(
    `SELECT c.oid::int8 AS oid, format('%I.%I', t.schemaname, t.relname) AS name
       FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid
      WHERE c.relkind = 'r' AND t.schemaname = ANY (current_schemas(false)) AND ${DUE}
      ORDER BY pg_relation_size(c.oid) DESC`,
    [MIN_ANALYZED_PAGES],
  );
  const analyzed: string[] = [];
  if (database.kind === 'pglite') {
    const [first] = due;
    if (first && !stopping()) {
      await database.sql.query(`ANALYZE (SKIP_LOCKED) ${first.name}`);
      analyzed.push(first.name);
    }
    return analyzed;
  }
  for (const table of due) {
    if (stopping()) break;
    const done = await database.sql.withSession(async (session) => {
      await session.query('BEGIN');
      try {
        const [held] = await session.query<{ held: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS held', [STATISTICS_LOCK_KEY]);
        const still = held?.held
          ? await session.query(`SELECT 1 FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid WHERE c.oid = $2::oid AND ${DUE}`, [MIN_ANALYZED_PAGES, table.oid])
          : [];
        if (still.length) await session.query(`ANALYZE (SKIP_LOCKED) ${table.name}`);
        await session.query('COMMIT');
        return still.length > 0;
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    if (done) analyzed.push(table.name);
  }
  return analyzed;
}
