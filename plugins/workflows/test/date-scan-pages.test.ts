// The date scan commits page by page (triggers/date-field.ts, a `transaction: 'per-call'` job): each page of records
// is a transaction of its own, taking the run starts' lock for that page only (an erasure waits for a page, not for the
// whole scan, and the starts queued behind it with it). The page's runs and its cursor commit together: a scan that
// fails on its third page keeps its first two, and the next scan goes on from the cursor, no record's run started twice.
// Before, the scan was one transaction: the failure rolled back every page (no run), and the lock was held throughout.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { publishedWorkflow, rowIdOf } from './support.js';

const CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const DEAL = `mutation ($customerId: ID!, $title: String!) { createDeal(input: { title: $title, customerId: $customerId }) { deal { id } } }`;
const CLOSE_AT = `mutation ($id: ID!, $at: DateTime!) { updateDeal(input: { id: $id, expectedCloseAt: $at }) { deal { id } } }`;
const HOUR = 3_600_000;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  // Pages of two records: five deals take three pages.
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000, dateScan: { pageSize: 2, pages: 10 } })] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  await kit?.close();
});

const scanDates = (now: Date) => kit.gateway.plugins!.runJob('workflows', 'scanDates', now);

describe('the date scan', () => {
  it('commits each page with its cursor: a failure on the third page keeps two, the next scan starts the rest once', async () => {
    const globalId = await publishedWorkflow(admin, 'Paged close', {
      trigger: { kind: 'date', object: 'Deal', field: 'expectedCloseAt', condition: { title: { startsWith: 'Paged' } } },
      steps: [{ id: 'remind', kind: 'createTask', title: 'Close {{trigger.record.title}}', customerId: '{{trigger.record.customerId}}' }],
    });
    const workflowId = rowIdOf(globalId);
    const buyer = (await admin.query(CUSTOMER, { name: 'Paula Paged' })).createCustomer.customer.id as string;
    const now = Date.now();
    for (let i = 0; i < 5; i++) {
      const deal = (await admin.query(DEAL, { customerId: buyer, title: `Paged ${i}` })).createDeal.deal.id as string;
      await admin.query(CLOSE_AT, { id: deal, at: new Date(now + HOUR + i * 60_000).toISOString() });
    }
    // Each run insert's transaction; and the third page's insert fails while "FailScan" has a row.
    await kit.database.prisma.$executeRawUnsafe('CREATE TABLE "ScanInserts" (tx bigint, n int)');
    await kit.database.prisma.$executeRawUnsafe('CREATE TABLE "FailScan" (on_ boolean)');
    await kit.database.prisma.$executeRawUnsafe(`CREATE FUNCTION scan_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO "ScanInserts" SELECT txid_current(), count(*) FROM added; RETURN NULL; END $$`);
    await kit.database.prisma.$executeRawUnsafe('CREATE TRIGGER scan_inserts AFTER INSERT ON "WorkflowRun" REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION scan_inserts()');
    await kit.database.prisma.$executeRawUnsafe(`CREATE FUNCTION fail_scan() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM "FailScan") AND (SELECT count(*) FROM "WorkflowRun" WHERE "workflowId" = NEW."workflowId") >= 4 THEN
          RAISE EXCEPTION 'the third page fails';
        END IF;
        RETURN NEW;
      END $$`);
    await kit.database.prisma.$executeRawUnsafe('CREATE TRIGGER fail_scan BEFORE INSERT ON "WorkflowRun" FOR EACH ROW EXECUTE FUNCTION fail_scan()');
    await kit.database.prisma.$executeRawUnsafe('INSERT INTO "FailScan" VALUES (true)');

    const runs = async () =>
      kit.database.prisma.$queryRawUnsafe<{ triggerId: string }[]>('SELECT "triggerId" FROM "WorkflowRun" WHERE "workflowId" = $1::uuid ORDER BY "triggerId"', workflowId);
    const scanAt = new Date(now + 2 * HOUR);
    await scanDates(scanAt).catch(() => undefined); // the third page's failure: reported, the job goes on at its next run
    // Two pages committed, each in its own transaction, the cursor past them.
    expect(await runs()).toHaveLength(4);
    const inserts = await kit.database.prisma.$queryRawUnsafe<{ tx: string; n: number }[]>('SELECT tx::text AS tx, n FROM "ScanInserts" WHERE n > 0');
    expect(inserts.map((insert) => insert.n)).toEqual([2, 2]);
    expect(new Set(inserts.map((insert) => insert.tx)).size).toBe(2);
    const [cursor] = await kit.database.prisma.$queryRawUnsafe<{ cursor: unknown }[]>('SELECT "scanCursor" AS cursor FROM "Workflow" WHERE id = $1::uuid', workflowId);
    expect(cursor!.cursor).not.toBeNull();

    // The next scan goes on from the cursor: the fifth deal's run, none twice; the window done.
    await kit.database.prisma.$executeRawUnsafe('DELETE FROM "FailScan"');
    await scanDates(scanAt);
    const all = (await runs()).map((run) => run.triggerId);
    expect(all).toHaveLength(5);
    expect(new Set(all).size).toBe(5);
    const [done] = await kit.database.prisma.$queryRawUnsafe<{ cursor: unknown; until: Date }[]>('SELECT "scanCursor" AS cursor, "scannedUntil" AS until FROM "Workflow" WHERE id = $1::uuid', workflowId);
    expect(done!.cursor).toBeNull();
    expect(new Date(done!.until).getTime()).toBe(scanAt.getTime());
    await kit.database.prisma.$executeRawUnsafe('DROP TRIGGER fail_scan ON "WorkflowRun"');
    await kit.database.prisma.$executeRawUnsafe('DROP TRIGGER scan_inserts ON "WorkflowRun"');
  });
});
