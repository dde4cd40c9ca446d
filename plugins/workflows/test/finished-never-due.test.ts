// A finished step is never due, in the database (migration 20261209100300_finished_steps_never_due): the queue's claim
// takes rows by `dueAt` alone, and `dueAt` defaults to the database's time, so a finished row written without one — a raw
// INSERT, a future code path — was due at once and the claimer leased and read it (session 19: 20,000 such rows took
// the claimer 120 s on PGlite). Now such a write is refused where it is made, on PGlite and PostgreSQL alike; the
// refused statuses are the code's finished ones (FINISHED_STEP), every other status may be due.
import { createWorkspace } from '@crm/core';
import type { Database } from '@crm/db';
import { createTestPostgres, ensurePGliteTemplate, openTemplateDatabase } from '@crm/db/testing';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINISHED_STEP } from '../src/runs/claimed-state.js';
import { workflows } from '../src/index.js';

const migrations = createPluginHost([workflows]).migrations;
/** PostgreSQL's check_violation. */
const REFUSED = { code: '23514' };

describe.each([
  ['PGlite', async () => ({ database: await openTemplateDatabase(await ensurePGliteTemplate(migrations)), close: (db: Database) => db.close() })],
  [
    'PostgreSQL',
    async () => {
      const postgres = await createTestPostgres(migrations);
      return { database: postgres.database, close: () => postgres.drop() };
    },
  ],
] as const)('on %s', (_engine, open) => {
  let database: Database;
  let close: (db: Database) => Promise<void>;
  let runId: string;
  let workspaceId: string;
  const sql = (text: string, ...values: unknown[]) => database.sql.query<Record<string, any>>(text, values);
  /** A step of the run in `status`; `dueAt` as given (SQL), or the column's default when left out. */
  const insertStep = (status: string, dueAt?: string) =>
    sql(
      `INSERT INTO "WorkflowStepRun" (id, "workspaceId", "runId", "stepId", kind, status${dueAt ? ', "dueAt"' : ''})
       VALUES (gen_random_uuid(), $1, $2, gen_random_uuid()::text, 'addTag', $3::"WorkflowStepStatus"${dueAt ? `, ${dueAt}` : ''}) RETURNING id, "dueAt"`,
      workspaceId,
      runId,
      status,
    );

  beforeAll(async () => {
    ({ database, close } = await open());
    ({ workspaceId } = await createWorkspace(database.prisma, { name: 'Finished steps' }));
    const [workflow] = await sql(`INSERT INTO "Workflow" (id, "workspaceId", name, draft, secret, "hookToken", "updatedAt") VALUES (gen_random_uuid(), $1, 'W', '{}', 's', 't', now()) RETURNING id`, workspaceId);
    const [version] = await sql(
      `INSERT INTO "WorkflowVersion" (id, "workspaceId", "workflowId", number, definition, "triggerKey") VALUES (gen_random_uuid(), $1, $2, 1, '{}', 'manual:Customer') RETURNING id`,
      workspaceId,
      workflow!.id,
    );
    const [run] = await sql(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger) VALUES (gen_random_uuid(), $1, $2, $3, 'm', 'SUCCEEDED', '{}') RETURNING id`,
      workspaceId,
      workflow!.id,
      version!.id,
    );
    runId = run!.id as string;
  }, 120_000);
  afterAll(async () => {
    if (database) await close(database);
  });

  it('a finished step written without a due time (the default: now) is refused, and so is one with a due time', async () => {
    await expect(insertStep('SUCCEEDED')).rejects.toMatchObject(REFUSED);
    await expect(insertStep('CANCELLED', `now() + interval '1 day'`)).rejects.toMatchObject(REFUSED);
    // As the plugin writes it: never due.
    expect(await insertStep('SUCCEEDED', 'NULL')).toEqual([{ id: expect.any(String), dueAt: null }]);
    // Nothing of the refused writes is left: the claim finds no due row.
    expect(await sql(`SELECT id FROM "WorkflowStepRun" WHERE "dueAt" <= now() + interval '2 days'`)).toEqual([]);
  });

  it('a finished step cannot be made due again (an update), an unfinished one can', async () => {
    const [finished] = await insertStep('FAILED', 'NULL');
    await expect(sql(`UPDATE "WorkflowStepRun" SET "dueAt" = now() WHERE id = $1`, finished!.id)).rejects.toMatchObject(REFUSED);
    const [pending] = await insertStep('PENDING');
    // Unfinished: due at once by the default, finished by clearing it in the same write (completeStep's).
    expect(pending!.dueAt).not.toBeNull();
    await expect(sql(`UPDATE "WorkflowStepRun" SET status = 'SUCCEEDED' WHERE id = $1`, pending!.id)).rejects.toMatchObject(REFUSED);
    await sql(`UPDATE "WorkflowStepRun" SET status = 'SUCCEEDED', "dueAt" = NULL WHERE id = $1`, pending!.id);
  });

  it('the refused statuses are the code’s finished ones: every other status may be due', async () => {
    const statuses = (await sql(`SELECT unnest(enum_range(NULL::"WorkflowStepStatus"))::text AS status`)).map((row) => row.status as string);
    expect(statuses).toEqual(expect.arrayContaining([...FINISHED_STEP]));
    const refused: string[] = [];
    for (const status of statuses) {
      const written = await insertStep(status, `now() + interval '1 hour'`).then(
        () => true,
        (error: { code?: string }) => {
          if (error.code !== REFUSED.code) throw error;
          return false;
        },
      );
      if (!written) refused.push(status);
    }
    expect(refused.sort()).toEqual([...FINISHED_STEP].sort());
  });
});
