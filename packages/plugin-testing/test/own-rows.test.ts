// The SDK's `rows`: writes of a plugin's own models in one statement, scoped to the workspace. Inserted rows belong to
// the caller's workspace whatever they say; updates reach only its rows; the core's models and unknown columns are
// refused; a call with nothing to write sends no statement.
import { randomUUID } from 'node:crypto';
import { PluginSqlError } from '@crm/plugin-sdk';
import { rowsFor } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { stamps } from './fixtures/stamps/src/index.js';

const CREATE_CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [stamps] });
});
afterAll(async () => {
  await kit?.close();
});

const customerOf = async (client: PluginTestGateway['workspace']['client'], name: string) =>
  Buffer.from((await client.query(CREATE_CUSTOMER, { name })).createCustomer.customer.id as string, 'base64').toString().split(':')[1]!;

describe('plugin rows', () => {
  it("writes only the caller's workspace: inserts take its id, updates reach only its rows", async () => {
    const a = await kit.createWorkspace('Rows A');
    const b = await kit.createWorkspace('Rows B');
    const { prisma } = kit.database;
    const [mine, theirs] = [await customerOf(a.client, 'a1'), await customerOf(b.client, 'b1')];
    const theirCard = await prisma.stampCard.create({ data: { workspaceId: b.workspaceId, customerId: theirs, stamps: 1 } });

    const rowsA = rowsFor(stamps, prisma, a.workspaceId);
    const myCard = randomUUID();
    const now = new Date();
    // Posing as B on insert: the row is A's. In the same statement, an update of B's card by its id: nothing.
    const [inserted, updated] = await rowsA.write([
      { insert: 'StampCard', rows: [{ id: myCard, workspaceId: b.workspaceId, customerId: mine, stamps: 2, updatedAt: now }] },
      { update: 'StampCard', rows: [{ id: theirCard.id, stamps: 99 }] },
    ]);
    expect(inserted).toEqual([myCard]);
    expect(updated).toEqual([]);
    expect(await prisma.stampCard.findUnique({ where: { id: myCard } })).toMatchObject({ workspaceId: a.workspaceId, stamps: 2, bonusStamps: 0 });
    expect((await prisma.stampCard.findUnique({ where: { id: theirCard.id } }))!.stamps).toBe(1);

    // Several rows of one update; a duplicate insert skipped; an insert depending on it writes nothing.
    const [again, bumped] = await rowsA.write([
      { insert: 'StampCard', rows: [{ id: randomUUID(), customerId: mine, updatedAt: now }], skipDuplicates: true },
      { update: 'StampCard', rows: [{ id: myCard, stamps: 3, updatedAt: now }] },
    ]);
    expect(again).toEqual([]);
    expect(bumped).toEqual([myCard]);
    expect((await prisma.stampCard.findUnique({ where: { id: myCard } }))!.stamps).toBe(3);

    // An insert alone, posing as B again: A's row.
    const second = await customerOf(a.client, 'a2');
    const [alone] = await rowsA.write([{ insert: 'StampCard', rows: [{ id: randomUUID(), workspaceId: b.workspaceId, customerId: second, updatedAt: now }] }]);
    expect(await prisma.stampCard.findMany({ where: { id: { in: alone } }, select: { workspaceId: true, stamps: true } })).toEqual([{ workspaceId: a.workspaceId, stamps: 0 }]);
  });

  it("refuses the core's models, unknown columns and a dependency on a later write", async () => {
    const ws = await kit.createWorkspace('Rows refused');
    const rows = rowsFor(stamps, kit.database.prisma, ws.workspaceId);
    await expect(rows.write([{ update: 'Customer', rows: [{ id: randomUUID(), name: 'x' }] }])).rejects.toThrow(PluginSqlError);
    await expect(rows.write([{ update: 'StampCard', rows: [{ id: randomUUID(), 'stamps" = 0, "workspaceId': 1 }] }])).rejects.toThrow(/no column/);
    await expect(
      rows.write([{ insert: 'StampCard', rows: [{ id: randomUUID() }], onlyFor: { column: 'customerId', write: 0 } }]),
    ).rejects.toThrow(/earlier write/);
    // Nothing to write: no statement at all.
    const statements = await kit.sql.during(async () => {
      expect(await rows.write([{ update: 'StampCard', rows: [] }])).toEqual([[]]);
    });
    expect(statements).toEqual([]);
  });
});
