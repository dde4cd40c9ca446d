// `rows.write` on plugin models whose id is not a uuid: a text id and an int id, each unique per workspace only. The
// update's id array comes from the rows (the id column's own type), and another workspace's row of the same id is
// neither read nor written. On both databases the kit runs.
import { rowsFor } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { keyed } from './fixtures/keyed/src/index.js';

describe.each(['pglite', 'postgres'] as const)('rows.write on text and int ids (%s)', (database) => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [keyed], database });
  });
  afterAll(async () => {
    await kit?.close();
  });

  const labels = async () =>
    kit.database.sql.query<{ workspaceId: string; id: string; title: string; uses: number }>(
      `SELECT "workspaceId"::text AS "workspaceId", id, title, uses FROM "KeyedLabel" ORDER BY "workspaceId", id`,
    );
  const counters = async () =>
    kit.database.sql.query<{ workspaceId: string; id: number; count: number }>(`SELECT "workspaceId"::text AS "workspaceId", id, count FROM "KeyedCounter" ORDER BY "workspaceId", id`);

  it('a text id: inserts and updates in the workspace; the other workspace’s row of the same id is untouched', async () => {
    const a = await kit.createWorkspace('Text ids A');
    const b = await kit.createWorkspace('Text ids B');
    const rowsA = rowsFor(keyed, kit.database.prisma, a.workspaceId);
    const rowsB = rowsFor(keyed, kit.database.prisma, b.workspaceId);
    expect(await rowsB.write([{ insert: 'KeyedLabel', rows: [{ id: 'alpha', title: 'B’s alpha' }] }])).toEqual([['alpha']]);

    // A has no "alpha" yet: an update of it finds nothing, B's row of that id included.
    expect(await rowsA.write([{ update: 'KeyedLabel', rows: [{ id: 'alpha', uses: 5 }] }])).toEqual([[]]);
    // Posing as B on insert: the rows are A's (B's "alpha" does not clash: the id is unique per workspace).
    const [inserted] = await rowsA.write([
      { insert: 'KeyedLabel', rows: [{ id: 'alpha', workspaceId: b.workspaceId, title: 'A’s alpha' }, { id: 'beta', title: 'A’s beta' }] },
    ]);
    expect(inserted!.sort()).toEqual(['alpha', 'beta']);
    // Several rows of one update, in the same statement as a skipped duplicate.
    const [again, updated] = await rowsA.write([
      { insert: 'KeyedLabel', rows: [{ id: 'alpha', title: 'a duplicate' }], skipDuplicates: true },
      { update: 'KeyedLabel', rows: [{ id: 'alpha', uses: 1, title: 'A’s alpha, used' }, { id: 'beta', uses: 2, title: 'A’s beta, used' }] },
    ]);
    expect(again).toEqual([]);
    expect(updated!.sort()).toEqual(['alpha', 'beta']);

    const all = await labels();
    expect(all.filter((row) => row.workspaceId === a.workspaceId)).toEqual([
      { workspaceId: a.workspaceId, id: 'alpha', title: 'A’s alpha, used', uses: 1 },
      { workspaceId: a.workspaceId, id: 'beta', title: 'A’s beta, used', uses: 2 },
    ]);
    expect(all.filter((row) => row.workspaceId === b.workspaceId)).toEqual([{ workspaceId: b.workspaceId, id: 'alpha', title: 'B’s alpha', uses: 0 }]);
  });

  it('an int id (given as a number or as text): the same, the ids answered as text', async () => {
    const a = await kit.createWorkspace('Int ids A');
    const b = await kit.createWorkspace('Int ids B');
    const rowsA = rowsFor(keyed, kit.database.prisma, a.workspaceId);
    const rowsB = rowsFor(keyed, kit.database.prisma, b.workspaceId);
    expect(await rowsB.write([{ insert: 'KeyedCounter', rows: [{ id: 7, count: 70 }] }])).toEqual([['7']]);

    expect(await rowsA.write([{ update: 'KeyedCounter', rows: [{ id: 7, count: 1 }] }])).toEqual([[]]);
    const [inserted] = await rowsA.write([{ insert: 'KeyedCounter', rows: [{ id: 7, workspaceId: b.workspaceId, count: 7 }, { id: '8', count: 8 }] }]);
    expect(inserted!.sort()).toEqual(['7', '8']);
    const [updated] = await rowsA.write([{ update: 'KeyedCounter', rows: [{ id: 7, count: 71 }, { id: 8, count: 81 }] }]);
    expect(updated!.sort()).toEqual(['7', '8']);

    const all = await counters();
    expect(all.filter((row) => row.workspaceId === a.workspaceId)).toEqual([
      { workspaceId: a.workspaceId, id: 7, count: 71 },
      { workspaceId: a.workspaceId, id: 8, count: 81 },
    ]);
    expect(all.filter((row) => row.workspaceId === b.workspaceId)).toEqual([{ workspaceId: b.workspaceId, id: 7, count: 70 }]);
  });
});
