// History retention's cost and its guards (runs/retention.ts): a run of the job deletes batches of at most 1,000 runs
// while they come back full (a backlog of 2,500 goes in one run, in three DELETEs); `historyDays: null` keeps everything; stored settings that do not parse prune nothing (the SDK would hand
// the job the defaults). The job's clock is runJob's `now`: no waiting.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_BATCH, HISTORY_BATCHES } from '../src/runs/retention.js';
import { publishedWorkflow, startTwoWorkspaces } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const DAY = 86_400_000;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Batches B'));
});
afterAll(() => kit?.close());

const workspaceId = () => kit.workspace.workspaceId;
const count = async () =>
  (await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "workspaceId" = $1::uuid', workspaceId()))[0]!.n;
/** Runs the job at `now` until it ran in this workspace (the timer may hold its lock at that moment). */
const pruneAt = async (now: number) => {
  for (let tries = 0; tries < 100; tries++) if ((await kit.gateway.plugins!.runJob('workflows', 'pruneHistory', new Date(now))) === 2) return;
  throw new Error('the job never ran in both workspaces');
};

describe('run history retention, batches and guards', () => {
  it('deletes a backlog of 2,500 runs in one run, at most 1,000 a statement; keeps everything with null; prunes nothing on settings that do not parse', async () => {
    const globalId = await publishedWorkflow(admin, 'Bulk', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] });
    const workflowId = Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
    const [version] = await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM "WorkflowVersion" WHERE "workflowId" = $1::uuid LIMIT 1', workflowId);
    await kit.database.prisma.$executeRawUnsafe(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "finishedAt")
       SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, 'bulk-' || g, 'SUCCEEDED', '{}', now() FROM generate_series(1, 2500) g`,
      workspaceId(),
      workflowId,
      version!.id,
    );
    const now = Date.now();
    // Stored settings that no longer validate: nothing is pruned (not even by the default's 30 days).
    await kit.database.prisma.$executeRawUnsafe(
      `UPDATE "Workspace" SET settings = jsonb_set(coalesce(settings, '{}'), '{plugins}', coalesce(settings->'plugins', '{}') || '{"workflows": {"historyDays": "forever"}}') WHERE id = $1::uuid`,
      workspaceId(),
    );
    await pruneAt(now + 500 * DAY);
    expect(await count()).toBe(2500);
    // Null: kept forever.
    expect((await admin.query(SETTINGS, { settings: { historyDays: null } })).updatePluginSettings.plugin.settings.historyDays).toBeNull();
    await pruneAt(now + 500 * DAY);
    expect(await count()).toBe(2500);
    // 30 days: one run of the job deletes them all, in DELETEs of at most HISTORY_BATCH runs each.
    await admin.query(SETTINGS, { settings: { historyDays: 30 } });
    const deletes = (await kit.sql.during(() => pruneAt(now + 31 * DAY))).filter((q) => /^\s*DELETE FROM "public"\."WorkflowRun"/i.test(q));
    expect(await count()).toBe(0);
    expect(HISTORY_BATCH).toBe(1000);
    expect(HISTORY_BATCHES).toBeGreaterThanOrEqual(3);
    // The other workspace has none to delete: the three are this one's, 1,000, 1,000 and 500 ids.
    const ids = (q: string) => q.match(/\bIN \(([^)]*)\)/)?.[1]?.split(',').length ?? 0;
    expect(deletes.map(ids), deletes.join('\n')).toEqual([1000, 1000, 500]);
  });
});
