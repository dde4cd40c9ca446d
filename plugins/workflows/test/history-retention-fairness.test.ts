// Retention across workspaces (the SDK's per-call job budget, plugin-sdk host/jobs.ts): a run of `pruneHistory` has one
// budget for all workspaces, not one per workspace, and the next run starts with the workspace the last one did not
// reach, so three workspaces with backlogs are pruned in turn: none waits for the others' backlogs to be gone. The
// budget is runJob's (0: one batch in one workspace a run); the runs' clock is runJob's `now` (31 days on), so the
// gateway's own job timer is off (`jobTimers: false`): its run beside the test's would take a workspace's lock, and
// that workspace's turn would be lost.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_BATCH } from '../src/runs/retention.js';
import { insertFinishedRuns, startTwoWorkspaces } from './support.js';

const DAY = 86_400_000;

let kit: PluginTestGateway;
let backlogged: { client: TestClient; workspaceId: string }[];

beforeAll(async () => {
  const { kit: started, admin, other } = await startTwoWorkspaces('Fair B', { jobTimers: false });
  kit = started;
  const ids = async () => (await kit.database.prisma.workspace.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } })).map((w) => w.id);
  const third = await kit.createWorkspace('Fair C');
  const [first, second] = (await ids()).filter((id) => id !== third.workspaceId);
  backlogged = [
    { client: admin, workspaceId: first! },
    { client: other, workspaceId: second! },
    { client: third.client, workspaceId: third.workspaceId },
  ];
  expect(backlogged[0]!.workspaceId).toBe(kit.workspace.workspaceId);
});
afterAll(() => kit?.close());

const left = async () =>
  Promise.all(
    backlogged.map(
      async ({ workspaceId }) =>
        (await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "workspaceId" = $1::uuid', workspaceId))[0]!.n,
    ),
  );

describe('run history retention across workspaces', () => {
  it('spends one budget per run across workspaces and serves backlogged workspaces in turn', async () => {
    const finishedAt = new Date(Date.now() - DAY).toISOString();
    for (const { client, workspaceId } of backlogged) await insertFinishedRuns(kit, client, workspaceId, 1500, finishedAt);
    const workspaces = await kit.database.prisma.workspace.count();
    const at = new Date(Date.now() + 31 * DAY);
    const history: number[][] = [await left()];
    const runOnce = async () => {
      await kit.gateway.plugins!.runJob('workflows', 'pruneHistory', at, { budgetMs: 0 });
      history.push(await left());
    };
    // One batch a run: every run deletes at most HISTORY_BATCH runs, of one workspace (a budget per workspace would
    // have deleted a batch or more in each). Round after round (idle workspaces take their turn too), every
    // backlogged workspace gets its first batch before any gets its second.
    for (let run = 0; run < workspaces && history.at(-1)!.some((n) => n > 500); run++) await runOnce();
    expect(history.at(-1), JSON.stringify(history)).toEqual([500, 500, 500]);
    for (let run = 0; run < workspaces && history.at(-1)!.some((n) => n > 0); run++) await runOnce();
    expect(history.at(-1), JSON.stringify(history)).toEqual([0, 0, 0]);
    for (const [i, counts] of history.entries()) {
      if (i === 0) continue;
      const gone = counts.map((n, w) => history[i - 1]![w]! - n);
      expect(gone.filter((n) => n > 0).length, JSON.stringify(history)).toBeLessThanOrEqual(1);
      expect(Math.max(...gone)).toBeLessThanOrEqual(HISTORY_BATCH);
    }
  });
});
