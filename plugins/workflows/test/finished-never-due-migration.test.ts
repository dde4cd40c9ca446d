// The migration that makes a finished step never due (20261209100300_finished_steps_never_due) applies on a database
// that has finished steps with a due time (written raw, or by a path before it): it clears theirs — finished, nothing is
// left to do for them — and leaves every unfinished step's due time as it was.
import { expect, it } from 'vitest';
import { beforeMigration } from './database-before.js';

const MIGRATION = 'workflows/20261209100300_finished_steps_never_due';

it('finished steps due before the migration are due never after it; unfinished ones keep their due time', async () => {
  await beforeMigration(MIGRATION, 'Before finished never due', async ({ migrations, database, workspaceId, sql, oldVersion }) => {
    const { workflowId, versionId } = await oldVersion();
    const [run] = await sql(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger)
       VALUES (gen_random_uuid(), $1, $2, $3, 'm', 'WAITING', '{}') RETURNING id`,
      workspaceId,
      workflowId,
      versionId,
    );
    // One step of each status, every one due (the column's default: the database's now) — the finished ones wrongly.
    await sql(
      `INSERT INTO "WorkflowStepRun" (id, "workspaceId", "runId", "stepId", kind, status)
       SELECT gen_random_uuid(), $1, $2, s::text, 'addTag', s FROM unnest(enum_range(NULL::"WorkflowStepStatus")) AS s`,
      workspaceId,
      run!.id,
    );
    const due = () => sql(`SELECT status::text AS status, "dueAt" FROM "WorkflowStepRun" WHERE "dueAt" IS NOT NULL ORDER BY status`);
    const before = await due();
    expect(before.map((row) => row.status)).toEqual(['CANCELLED', 'FAILED', 'PENDING', 'RUNNING', 'SKIPPED', 'SUCCEEDED', 'WAITING']);

    await database.migrate(migrations);
    expect(await due()).toEqual(before.filter((row) => ['PENDING', 'RUNNING', 'WAITING'].includes(row.status)));
    // And from now on refused.
    await expect(sql(`UPDATE "WorkflowStepRun" SET "dueAt" = now() WHERE status = 'SUCCEEDED'`)).rejects.toMatchObject({ code: '23514' });
  });
}, 120_000);
