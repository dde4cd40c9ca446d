// Migration event_outbox replaces "Event"."publishedAt" by the rows of "EventOutbox" while other instances may still
// be writing: events already published stay published (no row), the unpublished ones within the relay's look-back
// (7 days) get a row, a commit under way is waited for and copied, and every later commit enters its events itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreMigrations } from '../src/migrations/folder.js';
import { applyMigrations } from '../src/migrations/runner.js';
import type { SqlSession } from '../src/sql.js';
import { createTestPostgres, type TestPostgres } from '../src/testing/index.js';

let target: TestPostgres;
beforeAll(async () => {
  target = await createTestPostgres();
});
afterAll(async () => {
  await target?.drop();
});

const workspaceId = '01900000-0000-7000-8000-000000000002';
const insertEvent = (session: SqlSession, title: string, ageDays = 0) =>
  session.query(
    `INSERT INTO "Event" (id, "workspaceId", type, "subjectType", "subjectId", actor, payload, "occurredAt")
     VALUES (gen_random_uuid(), $1::uuid, 'task.created', 'Task', gen_random_uuid(), 'system', $2::jsonb, now() - $3::int * interval '1 day')`,
    [workspaceId, JSON.stringify({ title }), ageDays],
  );

describe('migration event_outbox', () => {
  it('keeps published events published and puts the unpublished ones of the look-back in the outbox, a commit under way included', async () => {
    const sql = target.database.sql;
    const all = coreMigrations();
    const at = all.findIndex((migration) => migration.name.endsWith('_event_outbox'));
    expect(at).toBeGreaterThan(0);
    await sql.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await applyMigrations(sql, all.slice(0, at));
    await sql.query(`INSERT INTO "Workspace" (id, name, "updatedAt") VALUES ($1::uuid, 'Upgraded', now())`, [workspaceId]);
    await insertEvent(sql, 'published');
    await sql.query(`UPDATE "Event" SET "publishedAt" = now() WHERE payload->>'title' = 'published'`);
    await insertEvent(sql, 'waiting');
    await insertEvent(sql, 'past the look-back', 8);

    await sql.withSession(async (writer) => {
      await writer.query('BEGIN');
      await insertEvent(writer, 'committing'); // numbered at its commit, by the old function
      const migrating = applyMigrations(sql, all);
      // The migration waits for the writer (read from pg_locks, not timed).
      while (!(await sql.query(`SELECT 1 FROM pg_locks WHERE relation = '"Event"'::regclass AND NOT granted`)).length) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await writer.query('COMMIT');
      const report = await migrating;
      expect(report.applied).toEqual(all.slice(at).map((migration) => migration.name));
    });
    await insertEvent(sql, 'after'); // numbered, and put in the outbox, by the new function

    const outbox = await sql.query<{ seq: string; title: string }>(
      `SELECT e.seq::text, e.payload->>'title' AS title FROM "EventOutbox" o JOIN "Event" e ON e.id = o."eventId" ORDER BY e.seq`,
    );
    expect(outbox.map((event) => [Number(event.seq), event.title])).toEqual([
      [2, 'waiting'],
      [4, 'committing'],
      [5, 'after'],
    ]);
  });

  it('keeps "publishedAt" for instances still on the old code: their reads and their marks succeed', async () => {
    const sql = target.database.sql;
    // What the old Prisma client sends for readEventLog / the plugin host's catch-up (every column named), and the old
    // publisher's mark: with the column dropped both failed (P2022) until every instance was replaced.
    const read = await sql.query<{ id: string; publishedAt: Date | null }>(
      `SELECT "public"."Event"."id", "public"."Event"."seq", "public"."Event"."publishedAt", "public"."Event"."occurredAt"
         FROM "public"."Event" WHERE "public"."Event"."workspaceId" = $1::uuid ORDER BY "public"."Event"."seq" ASC`,
      [workspaceId],
    );
    expect(read.length).toBeGreaterThan(0);
    await sql.query(`UPDATE "Event" SET "publishedAt" = now() WHERE id = ANY($1::uuid[])`, [read.map((row) => row.id)]);
    // Only the index the new code no longer needs is gone.
    expect(await sql.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'Event_publishedAt_occurredAt_idx'`)).toEqual([]);
  });

  it("has autovacuum take the outbox's dead rows by a fixed count", async () => {
    const sql = target.database.sql;
    const [table] = await sql.query<{ options: string[] }>(`SELECT reloptions AS options FROM pg_class WHERE oid = '"EventOutbox"'::regclass`);
    expect(table!.options.sort()).toEqual(['autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=10000']);
  });
});
