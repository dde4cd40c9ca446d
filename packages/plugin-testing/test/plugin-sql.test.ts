// The SDK's `sql` tag: one read-only statement whose tables are narrowed to the caller's workspace. Through the
// gateway (the fixture's `stampTotals`), and directly (`sqlFor`) for what the scanner refuses.
import { coreCatalog, Permissions, type RoleGrants } from '@crm/core';
import { PluginSqlError } from '@crm/plugin-sdk';
import { sqlFor } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { stamps } from './fixtures/stamps/src/index.js';

const CREATE_CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const ADD_STAMP = `mutation ($id: ID!) { addStamp(input: { customerId: $id }) { card { stamps } } }`;
const TOTALS = `{ stampTotals { cards stamps customers } }`;

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [stamps] });
});
afterAll(async () => {
  await kit?.close();
});

describe('plugin sql', () => {
  it("reads only the caller's workspace, through the gateway and directly", async () => {
    const a = await kit.createWorkspace('Sql A');
    const b = await kit.createWorkspace('Sql B');
    for (const [client, names] of [[a.client, ['a1', 'a2', 'a3']], [b.client, ['b1']]] as const) {
      for (const name of names) {
        const id = (await client.query(CREATE_CUSTOMER, { name })).createCustomer.customer.id as string;
        await client.query(ADD_STAMP, { id });
      }
    }
    expect((await a.client.query(TOTALS)).stampTotals).toEqual({ cards: 3, stamps: 3, customers: 3 });
    expect((await b.client.query(TOTALS)).stampTotals).toEqual({ cards: 1, stamps: 1, customers: 1 });

    const { prisma } = kit.database;
    const sqlA = sqlFor(stamps, prisma, a.workspaceId);
    // Asking for B's rows by B's id, in a subquery, in a join, in a statement of its own WITH: none of B's.
    expect(await sqlA`SELECT count(*)::int AS n FROM "StampCard" WHERE "workspaceId" = ${b.workspaceId}::uuid`).toEqual([{ n: 0 }]);
    expect(await sqlA`SELECT (SELECT count(*) FROM "Customer" c WHERE c.name = ANY(${['a1', 'b1']}::text[]))::int AS n`).toEqual([{ n: 1 }]);
    expect(await sqlA`SELECT c.name FROM "StampCard" s JOIN "Customer" c ON c.id = s."customerId" ORDER BY c.name`).toEqual([{ name: 'a1' }, { name: 'a2' }, { name: 'a3' }]);
    expect(await sqlA`WITH mine AS (SELECT "workspaceId" FROM "Customer") SELECT DISTINCT "workspaceId" AS id FROM mine`).toEqual([{ id: a.workspaceId }]);
    expect(await sqlA`SELECT w.name FROM "Workspace" w`).toEqual([{ name: 'Sql A' }]);
    // Values are bound parameters, never SQL text.
    expect(await sqlA`SELECT count(*)::int AS n FROM "Customer" WHERE name = ${"a1' OR true OR name = '"}`).toEqual([{ n: 0 }]);
  });

  it('narrows every table by an API key’s permissions: rows, own records, hidden columns and custom values', async () => {
    const ws = await kit.createWorkspace('Sql narrowed');
    const { prisma } = kit.database;
    const [ulla, otto] = await Promise.all(
      ['ulla', 'otto'].map((name) => prisma.user.create({ data: { workspaceId: ws.workspaceId, name, email: `${name}@narrow.test` } })),
    );
    for (const [name, owner] of [['mine', ulla!.id], ['theirs', otto!.id]] as const) {
      await prisma.customer.create({
        data: { workspaceId: ws.workspaceId, name, phone: `+1 555 ${name}`, ownerId: owner, customFields: { secret: 's', shown: 'v' } },
      });
    }
    const grants: RoleGrants = {
      objects: {
        Customer: { read: true, create: false, update: false, delete: false, ownRecordsOnly: true, hiddenFields: ['phone', 'customFields.secret'], readOnlyFields: [] },
        User: { read: true, create: false, update: false, delete: false, ownRecordsOnly: false, hiddenFields: [], readOnlyFields: [] },
      },
      plugins: [],
    };
    const session = { workspaceId: ws.workspaceId, role: 'READ_ONLY' as const, actor: `user:${ulla!.id}`, userId: ulla!.id, customRole: { id: 'r', name: 'Rep', grants } };
    const sql = sqlFor(stamps, prisma, ws.workspaceId, Permissions.of(session, coreCatalog));
    // Own rows only; a hidden column is NULL (the row keeps its type); hidden custom values are left out.
    expect(await sql`SELECT name, phone, "customFields" AS custom, "createdAt" FROM "Customer" ORDER BY name`).toEqual([
      { name: 'mine', phone: null, custom: { shown: 'v' }, createdAt: expect.any(Date) },
    ]);
    // In joins and subqueries too; an object the role does not name has no rows.
    expect(await sql`SELECT u.name, (SELECT count(*) FROM "Customer" c WHERE c."ownerId" = u.id)::int AS n FROM "User" u ORDER BY u.name`).toEqual([
      { name: 'otto', n: 0 },
      { name: 'ulla', n: 1 },
    ]);
    expect(await sql`SELECT count(*)::int AS n FROM "Deal"`).toEqual([{ n: 0 }]);
    // Without permissions (a subscriber, a job): whole rows.
    expect(await sqlFor(stamps, prisma, ws.workspaceId)`SELECT count(*)::int AS n FROM "Customer" WHERE phone IS NOT NULL`).toEqual([{ n: 2 }]);
  });

  it('refuses what would get around the workspace scope, and anything but a read', async () => {
    const sql = sqlFor(stamps, kit.database.prisma, kit.workspace.workspaceId);
    const refused: [Promise<unknown>, RegExp][] = [
      [sql`SELECT * FROM public."StampCard"`, /reaches outside/],
      [sql`SELECT * FROM x."StampCard"`, /without a schema/],
      [sql`SELECT * FROM "CrossSellPairCount"`, /another plugin's table/],
      [sql`SELECT * FROM "_prisma_migrations"`, /reaches outside/],
      [sql`SELECT relname FROM pg_class`, /reaches outside/],
      [sql`SELECT * FROM information_schema.tables`, /reaches outside/],
      [sql`SELECT query_to_xml('SELECT * FROM "Customer"', true, true, '')`, /reaches outside/],
      [sql`SELECT current_setting('role')`, /reaches outside/],
      [sql`SELECT 1; DELETE FROM "StampCard"`, /one statement only/],
      [sql`SELECT 1 -- and more`, /comment/],
      [sql`SELECT $$text$$`, /dollar quoting/],
      [sql`SELECT E'\\x27'`, /prefixed string/],
      [sql`DELETE FROM "StampCard"`, /one SELECT/],
      [sql`WITH gone AS (DELETE FROM "StampCard" RETURNING id) SELECT count(*) FROM gone`, /"DELETE" is not allowed/],
      [sql`SELECT * FROM "StampCard" FOR UPDATE`, /"UPDATE" is not allowed/],
      [sql`WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r`, /RECURSIVE/],
    ];
    for (const [statement, message] of refused) {
      const error = await statement.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(PluginSqlError);
      expect((error as Error).message).toMatch(message);
    }
    expect(await kit.database.prisma.stampCard.count()).toBeGreaterThan(0); // nothing was deleted
  });
});
