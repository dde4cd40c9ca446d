// The migration that gave held step rows their claim (WorkflowStepRun.heldClaim, runs/admission.ts): a row held back
// before it has none, and stays as it was — no wake or limits change takes it (their condition, `HELD_ROW`, wants the
// claim it was held in), so it goes on at its own due time (its hold's fallback), claimed by the queue as any due row.
import { expect, it } from 'vitest';
import { HELD_ROW } from '../src/runs/admission.js';
import { beforeMigration } from './database-before.js';

const HELD_CLAIM_MIGRATION = 'workflows/20261206131000_held_claim';

it('a row held before the migration keeps its due time and is no held row for a wake', async () => {
  // The database as it was before the migration (and the ones after it).
  await beforeMigration(HELD_CLAIM_MIGRATION, 'Before held claims', async ({ migrations, database, workspaceId, sql, oldVersion }) => {
    const { workflowId, versionId } = await oldVersion();
    // A run held back by the concurrency limit, its step due at the hold's fallback, under its first claim.
    const [run] = await sql(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, "heldBack", trigger)
       VALUES (gen_random_uuid(), $1, $2, $3, 'held', 'QUEUED', 'CONCURRENCY', '{}') RETURNING id`,
      workspaceId,
      workflowId,
      versionId,
    );
    const [before] = await sql(
      `INSERT INTO "WorkflowStepRun" (id, "workspaceId", "runId", "stepId", kind, status, claims, "dueAt")
       VALUES (gen_random_uuid(), $1, $2, 'tag', 'addTag', 'PENDING', 1, now() + interval '5 seconds') RETURNING id, claims, "dueAt"`,
      workspaceId,
      run!.id,
    );

    await database.migrate(migrations);
    const [after] = await sql(`SELECT id, claims, "dueAt", "heldClaim" FROM "WorkflowStepRun" WHERE id = $1`, before!.id);
    // As it was: due at its fallback (the queue claims it then), no claim of a hold.
    expect(after).toEqual({ ...before, heldClaim: null });
    // The wakes' condition (one piece of SQL, no values) does not take it; the same row held under its claim it takes.
    const held = () =>
      sql(`SELECT s.id FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId" WHERE ${HELD_ROW.strings.join('')}`);
    expect(HELD_ROW.values).toEqual([]);
    expect(await held()).toEqual([]);
    await sql(`UPDATE "WorkflowStepRun" SET "heldClaim" = claims WHERE id = $1`, before!.id);
    expect(await held()).toEqual([{ id: before!.id }]);
  });
});
