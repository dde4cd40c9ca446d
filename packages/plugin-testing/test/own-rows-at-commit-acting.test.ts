// `rows.writeAtCommit` once per transaction across an action called `as` a role and its caller. Called `as` a role, the
// action writes through a narrowed view of the caller's transaction (record-writes.ts `actingScope`); the rule holds
// for the transaction, through any view of it (@crm/db transaction-views.ts), as it does for a plain call: the COMMIT
// carries one write. The keyed fixture's subscriber and its `useLabel` action both write at commit (fixtures/keyed).
// What guards the rule through a view: with `underlyingTransaction` made the identity, the MEMBER case of the first
// test and the second test fail; the plain case (no view: a control) and the last two (a refused action's write rolled
// back; one write kept once) pass even so: they pin the behaviour down, they do not catch that regression.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { keyed } from './fixtures/keyed/src/index.js';

const CREATE = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;

describe.each(['pglite', 'postgres'] as const)('rows.writeAtCommit across an action called `as` a role and its caller (%s)', (database) => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [keyed], database, delivery: { attempts: 2, backoffMs: 1 } });
  });
  afterAll(async () => {
    await kit?.close();
  });

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
  const failed = async (message: RegExp) =>
    (await kit.database.prisma.pluginDelivery.findMany({ where: { pluginId: 'keyed', status: 'FAILED' }, select: { lastError: true } })).filter((d) => message.test(d.lastError ?? ''));

  it.each([
    ['called plainly', 'plain', ''],
    ['called as a MEMBER', 'member', ' member'],
  ])('the caller wrote at commit first, the action %s: its write at commit is refused and rolled back, the caller’s kept', async (_how, key, flag) => {
    await heard(`use first-${key} 4 ok first-${key}-then${flag} first`);
    expect(await label(`first-${key}-then`)).toEqual({ id: `first-${key}-then`, title: 'FIRST', uses: 0 });
    // The action's count and its event are not kept: refused in its savepoint (the subscriber caught it and went on).
    expect(await label(`first-${key}`)).toEqual({ id: `first-${key}`, title: `label first-${key}`, uses: 0 });
    expect(await used(`first-${key}`)).toEqual([]);
  });

  it('the action called as a MEMBER wrote at commit: the caller’s write at commit after it is refused, nothing kept', async () => {
    const before = await failed(/rows\.writeAtCommit: once per transaction/);
    await heard('use member-late 2 ok member-then member');
    expect(await failed(/rows\.writeAtCommit: once per transaction/)).toHaveLength(before.length + 1);
    expect(await label('member-late')).toBeNull();
    expect(await label('member-then')).toBeNull();
    expect(await used('member-late')).toEqual([]);
  });

  it('the action called as a MEMBER is refused after its write at commit: rolled back, and the caller may still make its own', async () => {
    await heard('use member-refused 5 refuse member-after member');
    expect(await label('member-refused')).toEqual({ id: 'member-refused', title: 'label member-refused', uses: 0 });
    expect(await label('member-after')).toEqual({ id: 'member-after', title: 'LABEL_REFUSED', uses: 0 });
    expect(await used('member-refused')).toEqual([]);
  });

  it('the action called as a MEMBER, not refused: its write at commit kept once, its event once', async () => {
    const statements = await kit.sql.during(() => heard('use member-kept 3 ok'));
    expect(statements.filter((s) => /UPDATE "KeyedLabel"/.test(s))).toHaveLength(1);
    expect(await label('member-kept')).toEqual({ id: 'member-kept', title: 'label member-kept', uses: 3 });
    expect(await used('member-kept')).toEqual([{ id: 'member-kept', uses: 3 }]);
  });
});
