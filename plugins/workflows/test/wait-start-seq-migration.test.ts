// The migration that gave runs their start as an event seq (WorkflowRun.startSeq): runs under way get one below the
// least seq of the workspace's events that occurred from 5 minutes before their start (or the workspace's last seq if
// none did), never below their trigger event's; finished ones 0; a run inserted afterwards gets the workspace's newest
// seq from the database, whatever its writer passed.
import { expect, it } from 'vitest';
import { beforeMigration } from './database-before.js';

const START_SEQ_MIGRATION = 'workflows/20261206101500_wait_start_seq';

it('runs under way get a bound that misses no event committed after their start; new runs the newest seq', async () => {
  // The database as it was before the migration (and the ones after it).
  await beforeMigration(START_SEQ_MIGRATION, 'Before start seqs', async ({ migrations, database, workspaceId, sql, oldVersion }) => {
    // Three events an hour apart, each committed alone (numbered 1, 2, 3 at their commits), then a long command's
    // event: it occurred 100 minutes ago but committed last (4).
    const events: Record<string, string> = {};
    for (const age of ['3 hours', '2 hours', '1 hour', '100 minutes']) {
      const [event] = await sql(
        `INSERT INTO "Event" (id, "workspaceId", type, "subjectType", "subjectId", actor, "occurredAt")
         VALUES (gen_random_uuid(), $1::uuid, 'customer.updated', 'Customer', gen_random_uuid(), 'system', now() - $2::interval) RETURNING id`,
        workspaceId,
        age,
      );
      events[age] = event!.id;
    }
    const { workflowId, versionId } = await oldVersion();
    const run = (triggerId: string, status: string, age: string) =>
      sql(
        `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "startedAt")
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::"WorkflowRunStatus", '{}', now() - $6::interval)`,
        workspaceId,
        workflowId,
        versionId,
        triggerId,
        status,
        age,
      );
    // After the first two events, before the third: the third (1) counts; the long command's event, older than 5
    // minutes before the start by its clock, does not set the bound (the old rule took its seq, 4, and missed the third).
    await run('waiting', 'WAITING', '90 minutes');
    await run('queued', 'QUEUED', '4 hours'); // before any
    // Set off by the second event, 1 minute after it: that event is within the 5 minutes, but the trigger's seq is a floor.
    await run(events['2 hours']!, 'RUNNING', '119 minutes');
    await run('recent', 'WAITING', '10 minutes'); // no event since: the workspace's last seq
    await run('done', 'SUCCEEDED', '30 minutes');

    await database.migrate(migrations);
    const seqs = async () =>
      Object.fromEntries((await sql(`SELECT "triggerId", "startSeq"::text AS "startSeq" FROM "WorkflowRun"`)).map((r) => [r.triggerId, r.startSeq]));
    expect(await seqs()).toEqual({ waiting: '2', queued: '0', [events['2 hours']!]: '2', recent: '4', done: '0' });

    // From now on the insert's statement sets it: the newest seq, whatever was given.
    await sql(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", trigger, "startSeq") VALUES (gen_random_uuid(), $1, $2, $3, 'new', '{}', 99)`,
      workspaceId,
      workflowId,
      versionId,
    );
    expect((await seqs()).new).toBe('4');
  });
});
