// `rows.writeAtCommit` inside a savepoint (plugin-sdk savepoint.ts `inSavepoint`: every action call runs in one). An
// action that counts a label's use at commit and tells it, then is refused, is rolled back to its savepoint: neither
// its write nor its event is kept, and its caller (a subscriber), going on, may still make its own last write at
// commit. One that is not refused: its write sent once, its event once. On PostgreSQL, where a write at commit rides
// with the COMMIT outside a savepoint, and on PGlite, where it is sent at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { keyed } from './fixtures/keyed/src/index.js';

const CREATE = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;

describe.each(['pglite', 'postgres'] as const)('rows.writeAtCommit in an action call’s savepoint (%s)', (database) => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [keyed], database, delivery: { attempts: 2, backoffMs: 1 } });
  });
  afterAll(async () => {
    await kit?.close();
  });

  /** The keyed fixture's subscriber reads what to do from the new customer's name (fixtures/keyed). */
  const heard = async (name: string) => {
    await kit.workspace.client.query(CREATE, { name });
    await kit.settled();
  };
  const label = async (id: string) =>
    (await kit.database.sql.query<{ id: string; title: string; uses: number }>(`SELECT id, title, uses FROM "KeyedLabel" WHERE "workspaceId" = $1::uuid AND id = $2`, [kit.workspace.workspaceId, id]))[0] ??
    null;
  const used = async (id: string) =>
    (await kit.database.prisma.event.findMany({ where: { type: 'keyed.label_used', workspaceId: kit.workspace.workspaceId }, select: { payload: true } }))
      .map((event) => event.payload as { id: string; uses: number })
      .filter((payload) => payload.id === id);
  const useUpdates = (statements: string[]) => statements.filter((s) => /UPDATE "KeyedLabel"/.test(s));

  it('refused: its write at commit and its event are not kept; the caller goes on and makes its own last write at commit', async () => {
    const statements = await kit.sql.during(() => heard('use refused 5 refuse after-refusal'));
    // The caller's writes are kept (its label, and its own write at commit after the refusal, which it heard) ...
    expect(await label('refused')).toEqual({ id: 'refused', title: 'label refused', uses: 0 });
    expect(await label('after-refusal')).toEqual({ id: 'after-refusal', title: 'LABEL_REFUSED', uses: 0 });
    // ... the action's are not: sent in its savepoint (not held for the COMMIT) and rolled back with it; no event.
    expect(useUpdates(statements)).toHaveLength(1);
    expect(await used('refused')).toEqual([]);
  });

  it('not refused: its write at commit is sent once and kept, its event once', async () => {
    const statements = await kit.sql.during(() => heard('use kept 3 ok'));
    expect(useUpdates(statements)).toHaveLength(1);
    expect(await label('kept')).toEqual({ id: 'kept', title: 'label kept', uses: 3 });
    expect(await used('kept')).toEqual([{ id: 'kept', uses: 3 }]);
  });

  it('the caller’s write after an action’s write at commit is refused as any write after one is: the delivery fails, nothing kept', async () => {
    await heard('use too-late 2 ok then');
    const failed = await kit.database.prisma.pluginDelivery.findMany({ where: { pluginId: 'keyed', status: 'FAILED' }, select: { subscriber: true, lastError: true } });
    expect(failed).toEqual([{ subscriber: 'useLabel', lastError: expect.stringMatching(/rows\.writeAtCommit: once per transaction/) }]);
    expect(await label('too-late')).toBeNull();
    expect(await label('then')).toBeNull();
    expect(await used('too-late')).toEqual([]);
  });
});
