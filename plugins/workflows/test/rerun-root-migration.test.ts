// The migration that gave reruns their family (WorkflowRun.rerunRootId): each existing rerun gets the first run of its
// chain of `rerunOf` (a chain whose first run is gone: the missing run's id); a run that reruns none keeps null.
import { createWorkspace } from '@crm/core';
import { expect, it } from 'vitest';
import { databaseBefore } from './database-before.js';

const RERUN_ROOT_MIGRATION = 'workflows/20261206111000_rerun_root';

it('existing reruns get the first run of their chain', async () => {
  // The database as it was before the migration (and the ones after it).
  const { database, migrations } = await databaseBefore(RERUN_ROOT_MIGRATION);
  try {
    const { workspaceId } = await createWorkspace(database.prisma, { name: 'Before rerun roots' });
    const sql = (text: string, ...values: unknown[]) => database.sql.query<Record<string, any>>(text, values);
    const [workflow] = await sql(`INSERT INTO "Workflow" (id, "workspaceId", name, draft, secret, "hookToken", "updatedAt") VALUES (gen_random_uuid(), $1, 'Old', '{}', 's', 't', now()) RETURNING id`, workspaceId);
    const [version] = await sql(
      `INSERT INTO "WorkflowVersion" (id, "workspaceId", "workflowId", number, definition, "triggerKey") VALUES (gen_random_uuid(), $1, $2, 1, '{}', 'manual:Customer') RETURNING id`,
      workspaceId,
      workflow!.id,
    );
    const run = async (triggerId: string, rerunOfId: string | null) =>
      (
        await sql(
          `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "rerunOfId")
           VALUES (gen_random_uuid(), $1, $2, $3, $4, 'FAILED', '{}', $5::uuid) RETURNING id::text`,
          workspaceId,
          workflow!.id,
          version!.id,
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
  } finally {
    await database.close();
  }
});
