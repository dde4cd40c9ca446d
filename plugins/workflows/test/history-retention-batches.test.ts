// History retention's cost and its guards (runs/retention.ts): a run of the job deletes batches of at most 1,000 runs
// while they come back full (a backlog of 2,500 goes in one run, in three DELETEs), each batch committed in a
// transaction of its own (the SDK's `transaction: 'per-call'` job; a statement trigger records which transaction
// deleted which workspace's runs); `historyDays: null` keeps everything; stored settings that do not parse prune
// nothing (the SDK would hand the job the defaults). The job's clock is runJob's `now`: no waiting.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_BATCH } from '../src/runs/retention.js';
import { insertFinishedRuns, startTwoWorkspaces } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const DAY = 86_400_000;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Batches B'));
});
afterAll(() => kit?.close());

const workspaceId = () => kit.workspace.workspaceId;
const count = async (workspace = workspaceId()) =>
  (await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "workspaceId" = $1::uuid', workspace))[0]!.n;
/** Runs the job at `now` until it ran in this workspace (the timer may hold its lock at that moment). */
const pruneAt = async (now: number) => {
  for (let tries = 0; tries < 100; tries++) if ((await kit.gateway.plugins!.runJob('workflows', 'pruneHistory', new Date(now))) === 2) return;
  throw new Error('the job never ran in both workspaces');
};

describe('run history retention, batches and guards', () => {
  it('deletes a backlog of 2,500 runs in one run, at most 1,000 a statement, each batch its own transaction; keeps everything with null; prunes nothing on settings that do not parse', async () => {
    await insertFinishedRuns(kit, admin, workspaceId(), 2500, new Date().toISOString());
    // The other workspace's runs finished long ago too, but it keeps them (null): none of them goes with this one's.
    const otherId = (await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM "Workspace" WHERE id <> $1::uuid', workspaceId()))[0]!.id;
    await other.query(SETTINGS, { settings: { historyDays: null } });
    await insertFinishedRuns(kit, other, otherId, 1500, new Date(Date.now() - 400 * DAY).toISOString());
    // Which transaction deleted how many runs of which workspace: one row per DELETE statement.
    await kit.database.prisma.$executeRawUnsafe('CREATE TABLE "RetentionDeletes" (tx bigint, "workspaceId" uuid, n int)');
    await kit.database.prisma.$executeRawUnsafe(`CREATE FUNCTION retention_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO "RetentionDeletes" SELECT txid_current(), "workspaceId", count(*) FROM gone GROUP BY 2; RETURN NULL; END $$`);
    await kit.database.prisma.$executeRawUnsafe(
      'CREATE TRIGGER retention_deletes AFTER DELETE ON "WorkflowRun" REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION retention_deletes()',
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
    expect(await count(otherId)).toBe(1500);
    expect(HISTORY_BATCH).toBe(1000);
    // The other workspace has none to delete: the three are this one's, 1,000, 1,000 and 500 ids.
    const ids = (q: string) => q.match(/\bIN \(([^)]*)\)/)?.[1]?.split(',').length ?? 0;
    expect(deletes.map(ids), deletes.join('\n')).toEqual([1000, 1000, 500]);
    // Each in a transaction of its own (in the job's one transaction, all three had the same), this workspace's only.
    const byTransaction = await kit.database.prisma.$queryRawUnsafe<{ tx: string; workspaceId: string; n: number }[]>(
      'SELECT tx::text, "workspaceId"::text AS "workspaceId", n FROM "RetentionDeletes" ORDER BY tx',
    );
    expect(byTransaction.map((row) => [row.workspaceId, row.n])).toEqual([[workspaceId(), 1000], [workspaceId(), 1000], [workspaceId(), 500]]);
    expect(new Set(byTransaction.map((row) => row.tx)).size).toBe(3);
  });
});
