// `crm custom-fields reindex` (docs/custom-fields.md, "Storage"): builds what live custom fields' and objects' storage
// lacks (a field defined before its statistics existed, an object before its search indexes, a failed build), run as
// a child process on the gateway's PostgreSQL database while the gateway serves.
import { createWorkspace } from '@crm/core';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { TestClient } from '../src/testing/index.js';
import { runNode } from './support/run-cli.js';

let pg: TestPostgres;
let gateway: Gateway;
let workspaceId: string;
let fieldSuffix: string;
let objectPrefix: string;

beforeAll(async () => {
  pg = await createTestPostgres();
  gateway = createGateway({ database: pg.database, logger: silentLogger, clvRefresh: false, monthEndSnapshots: false, trashRetention: { days: null } });
  const url = await gateway.listen(0);
  const created = await createWorkspace(pg.database.prisma, { name: 'Reindexed' });
  workspaceId = created.workspaceId;
  const client = new TestClient(url, created.apiKey);
  const field = await client.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "tier", type: TEXT, indexed: true }) { customField { id } } }`);
  fieldSuffix = (field.defineCustomField.customField.id as string).replace(/-/g, '');
  const object = (await client.query(`mutation { defineCustomObject(input: { name: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject.id as string;
  await client.query(`mutation ($o: ID!) { defineCustomField(input: { customObjectId: $o, name: "title", type: TEXT }) { customField { id } } }`, { o: object });
  objectPrefix = `cos_${object.replace(/-/g, '')}_`;
}, 120_000);

afterAll(async () => {
  await gateway?.close(1000);
  await pg?.drop();
});

const crm = (args: string[]) => runNode(args, { env: { DATABASE_URL: pg.url } });

/** The field's index and statistics and the object's search indexes that exist now. */
async function storage(): Promise<string[]> {
  const rows = await pg.database.sql.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes WHERE indexname = $1 OR starts_with(indexname, $2)
     UNION ALL SELECT stxname FROM pg_statistic_ext WHERE stxname = $3 ORDER BY 1`,
    [`cf_${fieldSuffix}`, objectPrefix, `cfs_${fieldSuffix}`],
  );
  return rows.map((row) => row.name);
}

it('builds the missing indexes and statistics, and nothing twice', async () => {
  const built = await storage();
  // The field's index and statistics, the object's document and trigram indexes.
  expect(built).toHaveLength(4);
  for (const name of built) {
    await pg.database.sql.query(name.startsWith('cfs_') ? `DROP STATISTICS "${name}"` : `DROP INDEX "${name}"`);
  }
  expect(await storage()).toEqual([]);

  const run = await crm(['custom-fields', 'reindex', '--workspace', workspaceId]);
  expect(run.code, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout.trim())).toEqual({ workspaces: 1, fields: 1, objects: 1 });
  expect(await storage()).toEqual(built);
  const valid = await pg.database.sql.query<{ valid: boolean }>(`SELECT bool_and(indisvalid) AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ANY($1)`, [built]);
  expect(valid).toEqual([{ valid: true }]);

  // All workspaces, again: nothing is missing, nothing changes.
  const again = await crm(['custom-fields', 'reindex']);
  expect(again.code, again.stderr).toBe(0);
  expect(await storage()).toEqual(built);
}, 300_000);

it('refuses an unknown workspace', async () => {
  const run = await crm(['custom-fields', 'reindex', '--workspace', '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b']);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('No workspace 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
}, 120_000);
