import { createHash } from 'node:crypto';
import type { SqlQuery } from '@prisma/driver-adapter-utils';

/** Statements that can be prepared (utility statements such as BEGIN or SET are sent as they are). */
const PREPARABLE = /^\s*(?:SELECT|WITH|INSERT|UPDATE|DELETE)\b/i;
/**
 * A queue's claim (`FOR UPDATE SKIP LOCKED`) stays unnamed: it runs from a process's first second, while its table
 * is tiny, and a prepared statement's generic plan made then (a sequential scan) is kept until the table is next
 * analyzed; at 200 workflow runs a second the claim scanned 28,000 step rows a time before autovacuum came round.
 * Planned at each claim, it finds the rows by key. Claims are few a second: their planning costs little.
 */
const PLANNED_EACH_TIME = /\bSKIP\s+LOCKED\b/i;

/**
 * Names Prisma's statements so that node-postgres prepares each once per connection and PostgreSQL skips parsing and
 * planning it on every later execution. The read engine's statements are long and repeat per operation shape: its
 * page of 50 activities with their customers took 0.87 ms of backend CPU unnamed and 0.46 ms prepared
 * (docs/performance.md). A statement is named the second time its text is seen (one-off texts, such as an `IN` list
 * of a given length, stay unnamed), and at most `limit` texts are named per process: each named statement keeps a
 * plan in the backend of every connection that ran it, for that connection's life. An empty name sends it unnamed.
 * Queue claims are never named (above).
 */
export function statementNamer(limit = 500): (query: SqlQuery) => string {
  const named = new Map<string, string>();
  let seenOnce = new Set<string>();
  return ({ sql }) => {
    const name = named.get(sql);
    if (name !== undefined) return name;
    if (named.size >= limit || !PREPARABLE.test(sql) || PLANNED_EACH_TIME.test(sql)) return '';
    if (!seenOnce.has(sql)) {
      if (seenOnce.size >= limit * 10) seenOnce = new Set(); // bounded: forget the one-offs now and then
      seenOnce.add(sql);
      return '';
    }
    seenOnce.delete(sql);
    const created = `crm_${createHash('sha1').update(sql).digest('hex')}`;
    named.set(sql, created);
    return created;
  };
}
