// `rows.writeAtCommit` is a transaction's last write: a `rows.write` or a second `writeAtCommit` after it is refused
// with a coded error the plugin's author sees (PLUGIN_FAILED with the SDK's message), and the whole
// transaction rolls back: neither the earlier write nor the one held for the COMMIT is kept. The same on PostgreSQL,
// where the write rides with the COMMIT, and on PGlite, where it is sent at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { keyed } from './fixtures/keyed/src/index.js';

const LABELS = `mutation ($ids: [String!]!, $then: KeyedWriteAfterCommitWrite!) { keyedLabels(ids: $ids, then: $then) }`;

describe.each(['pglite', 'postgres'] as const)('a rows write after rows.writeAtCommit (%s)', (database) => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [keyed], database });
  });
  afterAll(async () => {
    await kit?.close();
  });

  const labels = async () =>
    (await kit.database.sql.query<{ id: string }>(`SELECT id FROM "KeyedLabel" WHERE "workspaceId" = $1::uuid ORDER BY id`, [kit.workspace.workspaceId])).map((row) => row.id);

  it('writeAtCommit as the last write: both writes kept', async () => {
    expect(await kit.workspace.client.query(LABELS, { ids: ['kept-1', 'kept-2'], then: 'NOTHING' })).toEqual({ keyedLabels: true });
    expect(await labels()).toEqual(['kept-1', 'kept-2']);
  });

  it.each([
    ['WRITE', /rows\.write after rows\.writeAtCommit/],
    ['WRITE_AT_COMMIT', /rows\.writeAtCommit: once per transaction/],
  ])('then %s: refused with PLUGIN_FAILED, nothing of the transaction written', async (then, message) => {
    const before = await labels();
    const result = await kit.workspace.client.request(LABELS, { ids: [`${then}-1`, `${then}-2`, `${then}-3`], then });
    expect(result.data?.keyedLabels ?? null).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toEqual({ code: 'PLUGIN_FAILED', plugin: 'keyed' });
    expect(result.errors![0]!.message).toMatch(message);
    expect(await labels()).toEqual(before);
  });
});
