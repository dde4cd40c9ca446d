// The plan of waitForEvent's look-back (wait-for-event.ts `lookBack`): the subject's events by the
// ("workspaceId", "subjectId", seq) index, from the run's start (its `startSeq`) on — not the global occurredAt index
// (every workspace's recent events) nor the subject's whole history. The statements are the ones the step sends (the
// plugin's `sql` tag, each also EXPLAINed).
import { type PluginTestGateway, startPluginTestGateway } from '@crm/plugin-testing';
import { sqlFor } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookBack } from '../src/runs/wait-for-event.js';
import { testTransport, workflows, workflowsPlugin } from '../src/index.js';

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport() })] });
});
afterAll(async () => {
  await kit?.close();
});

const SUBJECT = '0190a8f0-0000-7000-8000-000000000001';
const RUN = '0190a8f0-0000-7000-8000-0000000000ff';

describe('the look-back’s plan', () => {
  it('reads the subject’s events since the run started by the subject index, one page', async () => {
    const ws = kit.workspace.workspaceId;
    const events = (subject: string, type: string, age: string, count: number) =>
      kit.database.sql.query(
        `INSERT INTO "Event" (id, "workspaceId", type, "subjectType", "subjectId", actor, "occurredAt")
         SELECT gen_random_uuid(), $1::uuid, $3, 'Task', ${subject}, 'system', now() - $4::interval FROM generate_series(1, $2::int)`,
        [ws, count, type, age],
      );
    // The subject's long history (a day old), every other subject's recent events, then the awaited one.
    await events(`'${SUBJECT}'::uuid`, 'task.updated', '1 day', 20_000);
    // The run starts here: its `startSeq` is the newest seq so far.
    const [{ startSeq }] = (await kit.database.sql.query<{ startSeq: string }>(`SELECT max(seq)::text AS "startSeq" FROM "Event" WHERE "workspaceId" = $1::uuid`, [ws])) as [{ startSeq: string }];
    await events('gen_random_uuid()', 'task.completed', '1 second', 20_000);
    await events(`'${SUBJECT}'::uuid`, 'task.completed', '0 seconds', 1);
    await kit.database.sql.query(`ANALYZE "Event"`);

    const plans: string[] = [];
    const prisma = kit.database.prisma;
    const runner = {
      async $queryRawUnsafe<T>(query: string, ...values: unknown[]): Promise<T> {
        const plan = await prisma.$queryRawUnsafe<Record<string, string>[]>(`EXPLAIN ${query}`, ...values);
        plans.push(plan.map((line) => Object.values(line)[0]).join('\n'));
        return prisma.$queryRawUnsafe<T>(query, ...values);
      },
    };
    const sql = sqlFor(workflows, runner, ws);
    const look = { runId: RUN, eventType: 'task.completed', subjectId: SUBJECT };
    const first = await lookBack(sql, look, startSeq);
    expect(first.event).toMatchObject({ type: 'task.completed', subjectId: SUBJECT });
    expect(plans).toHaveLength(1);
    expect(plans[0]).toContain('Event_workspaceId_subjectId_seq_idx');
    expect(plans[0]).not.toContain('Event_occurredAt_idx');
    console.info(`The first look's plan:\n${plans[0]}`);

    // The next look: only what came after the newest event the first saw.
    plans.length = 0;
    const next = await lookBack(sql, look, first.seenSeq);
    expect(next.event).toBeNull();
    expect(plans).toHaveLength(1);
    // By an index from that seq on (the subject's, or the workspace's (workspaceId, seq): the events since the first look).
    expect(plans[0]).toMatch(new RegExp(`Index Cond: .*seq > '${first.seenSeq}'::bigint`));
    expect(plans[0]).not.toContain('Event_occurredAt_idx');
  });
});
