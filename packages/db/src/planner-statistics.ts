// Planner statistics for tables that grew without them. PostgreSQL's autovacuum analyzes a table once enough of it
// changed; where it does not run (PGlite, the embedded default, has none; a server set to `autovacuum = off`, as the
// machines this project is tested and measured on are) or has not run yet (a table's first minute, a bulk import),
// the planner guesses: with no statistics it takes `"workspaceId" = $1` to match 0.5 % of the rows and answers a read
// by ids by walking the workspace's index, a cost growing with every row (docs/performance.md, sessions 12 and 13).
import type { SqlDatabase } from './sql.js';

/** Smaller tables are left alone: a walk of their pages costs little whatever the plan. */
export const MIN_ANALYZED_PAGES = 64;

/** Arbitrary but fixed: one process analyzes at a time (the others skip their round). */
const STATISTICS_LOCK_KEY = 7_202_612_060;

/**
 * Analyzes every table of the current schemas of at least `MIN_ANALYZED_PAGES` pages that was never analyzed, or has
 * twice the pages it had when it last was (so a growing table is analyzed a logarithmic number of times, not at
 * every change; where autovacuum runs it usually gets there first). Returns the tables analyzed, largest first; none
 * when another process holds the round. ANALYZE reads a sample (30,000 rows by default) and blocks no reads or writes.
 */
export async function analyzeGrownTables(sql: SqlDatabase): Promise<string[]> {
  return sql.withSession(async (session) => {
    const [lock] = await session.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS held', [STATISTICS_LOCK_KEY]);
    if (!lock?.held) return [];
    try {
      const tables = await session.query<{ name: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS name
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          CROSS JOIN LATERAL (SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint AS pages) size
          WHERE c.relkind = 'r' AND n.nspname = ANY (current_schemas(false))
            AND size.pages >= $1::bigint AND (c.reltuples < 0 OR size.pages >= 2 * c.relpages::bigint)
          ORDER BY size.pages DESC`,
        [MIN_ANALYZED_PAGES],
      );
      for (const { name } of tables) await session.query(`ANALYZE ${name}`);
      return tables.map((table) => table.name);
    } finally {
      await session.query('SELECT pg_advisory_unlock($1::bigint)', [STATISTICS_LOCK_KEY]);
    }
  });
}
