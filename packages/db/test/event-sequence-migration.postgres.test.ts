// Migration event_sequence_table moves the events' counter from "Workspace"."eventSeq" to "EventSequence" while other
// instances may still be writing: it waits for every transaction that has inserted events (they number them at their
// commit, with the old function), copies the counters, and every later commit numbers with the new one. Events keep
// their numbers, gapless, across the upgrade.
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

const workspaceId = '01900000-0000-7000-8000-000000000001';
const insertEvent = (session: SqlSession, title: string) =>
  session.query(
    `INSERT INTO "Event" (id, "workspaceId", type, "subjectType", "subjectId", actor, payload)
     VALUES (gen_random_uuid(), $1::uuid, 'task.created', 'Task', gen_random_uuid(), 'system', $2::jsonb)`,
    [workspaceId, JSON.stringify({ title })],
  );

describe('migration event_sequence_table', () => {
  it('carries every workspace’s count over, a commit under way included, and numbering goes on without a gap', async () => {
    const sql = target.database.sql;
    const all = coreMigrations();
    const at = all.findIndex((migration) => migration.name.endsWith('_event_sequence_table'));
    expect(at).toBeGreaterThan(0);
    await sql.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await applyMigrations(sql, all.slice(0, at));
    await sql.query(`INSERT INTO "Workspace" (id, name, "updatedAt") VALUES ($1::uuid, 'Upgraded', now())`, [workspaceId]);
    for (const title of ['one', 'two', 'three']) await insertEvent(sql, title); // numbered 1–3 by the old function

    await sql.withSession(async (writer) => {
      await writer.query('BEGIN');
      await insertEvent(writer, 'four'); // inserted, to be numbered at its commit
      const migrating = applyMigrations(sql, all);
      // The migration waits for the writer (read from pg_stat_activity, not timed).
      while (!(await sql.query(`SELECT 1 FROM pg_locks WHERE relation = '"Event"'::regclass AND NOT granted`)).length) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await writer.query('COMMIT'); // numbered 4 by the old function, before the counters are copied
      const report = await migrating;
      expect(report.applied).toEqual(all.slice(at).map((migration) => migration.name));
    });
    await insertEvent(sql, 'five'); // numbered by the new function

    const events = await sql.query<{ seq: string; title: string }>(
      `SELECT seq::text, payload->>'title' AS title FROM "Event" WHERE "workspaceId" = $1::uuid ORDER BY seq`,
      [workspaceId],
    );
    expect(events.map((event) => [Number(event.seq), event.title])).toEqual([[1, 'one'], [2, 'two'], [3, 'three'], [4, 'four'], [5, 'five']]);
    const [counter] = await sql.query<{ lastSeq: string; frozen: string }>(
      `SELECT s."lastSeq"::text AS "lastSeq", w."eventSeq"::text AS frozen FROM "EventSequence" s JOIN "Workspace" w ON w.id = s."workspaceId" WHERE s."workspaceId" = $1::uuid`,
      [workspaceId],
    );
    expect(counter).toEqual({ lastSeq: '5', frozen: '4' });
    // The counter belongs to its workspace: deleting the workspace deletes it.
    await sql.query(`DELETE FROM "Workspace" WHERE id = $1::uuid`, [workspaceId]);
    expect(await sql.query(`SELECT 1 FROM "EventSequence" WHERE "workspaceId" = $1::uuid`, [workspaceId])).toEqual([]);
  });
});
