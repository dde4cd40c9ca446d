import type { ScopedPrisma } from '@crm/db';

/** Tables a bulk job writes, by the number of rows it wrote (names are ours: models, never input). */
export type RowsWritten = Partial<Record<string, number>>;

/**
 * ANALYZE on the tables a bulk job rewrote a good part of, right after it committed: the rule autovacuum applies
 * (50 rows + 10 % of the table), but at once, so the planner's statistics are true even where autovacuum is off or
 * behind (a catch-up of month-end fits rewrote `Customer` 51,729 times and the customer search ran at half speed
 * until a manual ANALYZE). Returns the tables analysed.
 */
export async function analyzeWritten(db: ScopedPrisma, written: RowsWritten): Promise<string[]> {
  const candidates = Object.entries(written).filter(([, rows]) => (rows ?? 0) >= 50);
  if (!candidates.length) return [];
  const stats = await db.$queryRawUnsafe<{ relname: string; reltuples: number }[]>(
    `SELECT relname, reltuples::float8 AS reltuples FROM pg_class
      WHERE relname = ANY($1::text[]) AND relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace`,
    candidates.map(([table]) => table),
  );
  const estimated = new Map(stats.map((row) => [row.relname, Math.max(0, row.reltuples)]));
  const due = candidates.filter(([table, rows]) => rows! >= 50 + 0.1 * (estimated.get(table) ?? 0)).map(([table]) => table);
  if (due.length) await db.$executeRawUnsafe(`ANALYZE ${due.map((table) => `"${table}"`).join(', ')}`);
  return due;
}
