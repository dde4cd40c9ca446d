// Sibling action calls of one transaction take turns at every depth (savepoint.ts `inTurn`): an action that runs
// `Promise.allSettled` of an ok call and a refused one keeps the ok call's row and event, and only the refused one's
// are undone. Both calls open a savepoint of the same name; run at once, the refused call's ROLLBACK TO would reach the
// ok call's savepoint and undo its rows while its event went out. The keyed fixture's `putPair` (fixtures/keyed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { keyed } from './fixtures/keyed/src/index.js';

const CREATE = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;

describe.each(['pglite', 'postgres'] as const)('sibling action calls in an action take turns (%s)', (database) => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [keyed], database, delivery: { attempts: 1, backoffMs: 1 } });
  });
  afterAll(async () => {
    await kit?.close();
  });

  const label = async (id: string) =>
    (await kit.database.sql.query<{ id: string; title: string }>(`SELECT id, title FROM "KeyedLabel" WHERE "workspaceId" = $1::uuid AND id = $2`, [kit.workspace.workspaceId, id]))[0] ?? null;
  const used = async (id: string) =>
    (await kit.database.prisma.event.findMany({ where: { type: 'keyed.label_used', workspaceId: kit.workspace.workspaceId }, select: { payload: true } }))
      .map((event) => event.payload as { id: string; uses: number })
      .filter((payload) => payload.id === id);

  it.each([
    ['called plainly', 'plain', ''],
    ['called as a MEMBER', 'member', ' member'],
  ])('the action %s: the ok call’s row and event kept, the refused one’s gone', async (_how, key, flag) => {
    await kit.workspace.client.query(CREATE, { name: `pair ${key}${flag}` });
    await kit.settled();
    expect(await label(`${key}-ok`)).toEqual({ id: `${key}-ok`, title: `put ${key}-ok` });
    expect(await used(`${key}-ok`)).toEqual([{ id: `${key}-ok`, uses: 0 }]);
    expect(await label(`${key}-refused`)).toBeNull();
    expect(await used(`${key}-refused`)).toEqual([]);
  });
});
