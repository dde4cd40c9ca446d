// How long run history is kept (`historyDays`, docs/plugins/workflows.md "Run history"): the pruning job deletes the
// runs that finished more than the workspace's days ago, with their steps, and never a run under way whatever its age;
// each workspace by its own setting. The job's clock is runJob's `now`: no waiting.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, eventually, finishedRuns, publishedWorkflow, RUN, runsOf, startTwoWorkspaces } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const DAY = 86_400_000;
const tagged = { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'seen' }] };
const waiting = { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { days: 1 } }] };

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Retention B'));
});
afterAll(() => kit?.close());

/** Runs the job at `now` in every workspace (again when its timer held a workspace's lock at that moment). */
const pruneAt = (now: number, check: () => Promise<void>) =>
  eventually(kit, async () => {
    await kit.gateway.plugins!.runJob('workflows', 'pruneHistory', new Date(now));
    await check();
  });

describe('run history retention', () => {
  it('deletes finished runs older than historyDays with their steps; keeps recent and unfinished ones; per workspace', async () => {
    expect(await admin.errorCode(SETTINGS, { settings: { historyDays: 0 } })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(SETTINGS, { settings: { historyDays: 3651 } })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(SETTINGS, { settings: { historyDays: 1.5 } })).toBe('BAD_USER_INPUT');
    // Workspace B keeps 60 days; A the default, 30.
    expect((await other.query(SETTINGS, { settings: { historyDays: 60 } })).updatePluginSettings.plugin.settings.historyDays).toBe(60);

    const start = async (client: TestClient, definition: object, count: number) => {
      const id = await publishedWorkflow(client, `Retained ${Math.random()}`, definition);
      for (let i = 0; i < count; i++) {
        const recordId = (await client.query(CUSTOMER, { name: `Kept ${i}` })).createCustomer.customer.id;
        await client.query(RUN, { id, recordId });
      }
      return id;
    };
    const finished = await start(admin, tagged, 3);
    const underWay = await start(admin, waiting, 1);
    const theirs = await start(other, tagged, 2);
    await finishedRuns(kit, admin, finished, 3);
    await finishedRuns(kit, admin, underWay, 1, ['WAITING']);
    await finishedRuns(kit, other, theirs, 2);
    const now = Date.now();
    const counts = async () => [(await runsOf(admin, finished)).length, (await runsOf(admin, underWay)).length, (await runsOf(other, theirs)).length];

    // 29 days on: everything is recent.
    await pruneAt(now + 29 * DAY, async () => expect(await counts()).toEqual([3, 1, 2]));
    // 31 days on: A's finished runs go (B keeps 60 days); A's waiting run stays.
    await pruneAt(now + 31 * DAY, async () => expect(await counts()).toEqual([0, 1, 2]));
    // Their steps went with them (the foreign key's cascade): the workspace's only step left is the waiting run's.
    const [steps] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM "WorkflowStepRun" WHERE "workspaceId" = $1::uuid',
      kit.workspace.workspaceId,
    );
    expect(steps!.n).toBe(1);
    // 500 days on: B's go too; a run under way is never pruned, whatever its age.
    await pruneAt(now + 500 * DAY, async () => expect(await counts()).toEqual([0, 1, 0]));
    expect((await runsOf(admin, underWay))[0]!.status).toBe('WAITING');
  });
});
