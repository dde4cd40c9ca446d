// A plugin's connection paged by a compound key holding an Int (`KeyedCounter @@id([workspaceId, id])`): its second
// page opens with the cursor the first gave (the cursor check takes each key value of its column's type, not only
// strings), and a cursor whose values are not of those types is the client's input.
import { rowsFor } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { keyed } from './fixtures/keyed/src/index.js';

const PAGE = `query ($after: String) { keyedCounters(first: 2, after: $after) { edges { node { number } } pageInfo { endCursor hasNextPage } } }`;

describe('cursors over an Int key', () => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [keyed] });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('pages to the second page; a cursor with a text number is BAD_USER_INPUT', async () => {
    const a = await kit.createWorkspace('Int cursors');
    await rowsFor(keyed, kit.database.prisma, a.workspaceId).write([{ insert: 'KeyedCounter', rows: [1, 2, 3].map((id) => ({ id, count: id })) }]);
    const first = (await a.client.query(PAGE)).keyedCounters;
    expect(first.edges.map((e: { node: { number: number } }) => e.node.number)).toEqual([1, 2]);
    const second = (await a.client.query(PAGE, { after: first.pageInfo.endCursor })).keyedCounters;
    expect(second.edges.map((e: { node: { number: number } }) => e.node.number)).toEqual([3]);

    const decoded = Buffer.from(first.pageInfo.endCursor, 'base64').toString();
    const bent = Buffer.from(decoded.replace(/"N:2"/, '"S:2"')).toString('base64');
    expect(bent).not.toBe(first.pageInfo.endCursor);
    expect(await a.client.errorCode(PAGE, { after: bent })).toBe('BAD_USER_INPUT');
  }, 120_000);
});
