// The migration that gave reruns their family (WorkflowRun.rerunRootId): each existing rerun gets the first run of its
// chain of `rerunOf` (a chain whose first run is gone: the missing run's id); a run that reruns none keeps null.
import { expect, it } from 'vitest';
import { beforeMigration } from './database-before.js';

const RERUN_ROOT_MIGRATION = 'workflows/20261206111000_rerun_root';

it('existing reruns get the first run of their chain', async () => {
  // The database as it was before the migration (and the ones after it).
  await beforeMigration(RERUN_ROOT_MIGRATION, 'Before rerun roots', async ({ migrations, database, workspaceId, sql, oldVersion }) => {
    const { workflowId, versionId } = await oldVersion();
    const run = async (triggerId: string, rerunOfId: string | null) =>
      (
        await sql(
          `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "rerunOfId")
           VALUES (gen_random_uuid(), $1, $2, $3, $4, 'FAILED', '{}', $5::uuid) RETURNING id::text`,
          workspaceId,
          workflowId,
          versionId,
          triggerId,
          rerunOfId,
        )
      )[0]!.id as string;
    const first = await run('first', null);
    const second = await run('second', first);
    await run('third', second);
    await run('other', null);
    const gone = '00000000-0000-4000-8000-000000000001';
    await run('orphan', gone);

    await database.migrate(migrations);
    const roots = Object.fromEntries((await sql(`SELECT "triggerId", "rerunRootId"::text AS root FROM "WorkflowRun"`)).map((r) => [r.triggerId, r.root]));
    expect(roots).toEqual({ first: null, second: first, third: first, other: null, orphan: gone });
  });
});
