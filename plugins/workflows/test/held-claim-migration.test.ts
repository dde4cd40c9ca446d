// The migration that gave held step rows their claim (WorkflowStepRun.heldClaim, runs/admission.ts): a row held back
// before it has none, and stays as it was — no wake or limits change takes it (their condition, `HELD_ROW`, wants the
// claim it was held in), so it goes on at its own due time (its hold's fallback), claimed by the queue as any due row.
import { createWorkspace } from '@crm/core';
import { expect, it } from 'vitest';
import { HELD_ROW } from '../src/runs/admission.js';
import { databaseBefore } from './database-before.js';

const HELD_CLAIM_MIGRATION = 'workflows/20261206131000_held_claim';

it('a row held before the migration keeps its due time and is no held row for a wake', async () => {
  const { database, migrations } = await databaseBefore(HELD_CLAIM_MIGRATION);
  try {
    const { workspaceId } = await createWorkspace(database.prisma, { name: 'Before held claims' });
    const sql = (text: string, ...values: unknown[]) => database.sql.query<Record<string, any>>(text, values);
    const [workflow] = await sql(`INSERT INTO "Workflow" (id, "workspaceId", name, draft, secret, "hookToken", "updatedAt") VALUES (gen_random_uuid(), $1, 'Old', '{}', 's', 't', now()) RETURNING id`, workspaceId);
    const [version] = await sql(
      `INSERT INTO "WorkflowVersion" (id, "workspaceId", "workflowId", number, definition, "triggerKey") VALUES (gen_random_uuid(), $1, $2, 1, '{}', 'manual:Customer') RETURNING id`,
      workspaceId,
      workflow!.id,
    );
    // A run held back by the concurrency limit, its step due at the hold's fallback, under its first claim.
    const [run] = await sql(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, "heldBack", trigger)
       VALUES (gen_random_uuid(), $1, $2, $3, 'held', 'QUEUED', 'CONCURRENCY', '{}') RETURNING id`,
      workspaceId,
      workflow!.id,
      version!.id,
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
  } finally {
    await database.close();
  }
});
