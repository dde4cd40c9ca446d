// Bulk background work keeps the planner's statistics true: a refit writes only the Customer rows whose figures
// changed, and ANALYZEs the tables it rewrote a good part of.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

const DAY = 86_400_000;
const asOf = new Date(Math.floor(Date.now() / DAY) * DAY - 5 * DAY).toISOString();
const REFRESH = `mutation ($asOf: DateTime) { refreshClvModel(input: { asOf: $asOf }) { model { id customers } } }`;
const CUSTOMERS = 80;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ clvRefresh: false });
  // 80 customers with 1 to 4 orders on different days (deterministic).
  const rows = ['customer,orderedAt,total'];
  for (let c = 0; c < CUSTOMERS; c++) {
    for (let o = 0; o <= c % 4; o++) rows.push(`S${c},${new Date(Date.parse(asOf) - (10 + c + o * 37) * DAY).toISOString()},${20 + ((c * 7 + o * 13) % 90)}`);
  }
  await t.workspace.client.query(`mutation ($csv: String!) { importOrders(input: { csv: $csv }) { imported } }`, { csv: rows.join('\n') });
});
afterAll(async () => {
  await t?.close();
});

/** Each Customer row's version (xmin changes whenever PostgreSQL writes the row). */
async function rowVersions(): Promise<Map<string, string>> {
  const rows = await t.database.sql.query<{ id: string; xmin: string }>(`SELECT id::text, xmin::text FROM "Customer" WHERE "workspaceId" = $1::uuid`, [
    t.workspace.workspaceId,
  ]);
  return new Map(rows.map((row) => [row.id, row.xmin]));
}

async function estimatedRows(table: string): Promise<number> {
  const [row] = await t.database.sql.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = $1`, [table]);
  return row!.n;
}

describe('refits and planner statistics', () => {
  it('a first fit ANALYZEs the tables it rewrote; a second identical fit updates no Customer row', async () => {
    const { client } = t.workspace;
    const first = await client.query(REFRESH, { asOf });
    expect(first.refreshClvModel.model.customers).toBe(CUSTOMERS);
    // ANALYZE counted the rows (a small table is read whole): the planner knows what the fit wrote.
    expect(await estimatedRows('CustomerScore')).toBe(CUSTOMERS);
    expect(await estimatedRows('Customer')).toBe(Number((await t.database.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "Customer"`))[0]!.n));

    const before = await rowVersions();
    const second = await client.query(REFRESH, { asOf });
    expect(second.refreshClvModel.model.id).not.toBe(first.refreshClvModel.model.id);
    const after = await rowVersions();
    const rewritten = [...after].filter(([id, version]) => before.get(id) !== version);
    expect(rewritten).toEqual([]);
  });
});
