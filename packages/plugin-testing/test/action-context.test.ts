// An action's context holds what its type (`ActionContext`) declares, and the action uses it without a cast: the keyed
// fixture's `labelCustomer` reads the customer through `objects`, lists `actions`, writes a label through `rows`, and
// titles it with the context's keys (compared here with the keys the type declares: plugin-sdk
// test/handler-contexts.test.ts checks the type's keys against the same list).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { keyed } from './fixtures/keyed/src/index.js';

const CREATE = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
/** `keyof ActionContext`, sorted. */
const ACTION_CONTEXT_KEYS = ['actions', 'commands', 'emit', 'lock', 'objects', 'rows', 'session', 'settings', 'sql', 'tx'];

describe('an action’s context', () => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [keyed] });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('has rows, objects and actions, as ActionContext declares, and nothing it does not', async () => {
    const created = await kit.workspace.client.query<{ createCustomer: { customer: { id: string } } }>(CREATE, { name: 'tag me' });
    await kit.settled();
    const rowId = Buffer.from(created.createCustomer.customer.id, 'base64').toString('utf8').split(':')[1];
    const id = `customer-${rowId}`;
    const [row] = await kit.database.sql.query<{ title: string }>(`SELECT title FROM "KeyedLabel" WHERE "workspaceId" = $1::uuid AND id = $2`, [kit.workspace.workspaceId, id]);
    expect(row?.title.split('|')).toEqual(['tag me', 'keyed.useLabel,keyed.putLabel,keyed.putPair,keyed.labelCustomer', ACTION_CONTEXT_KEYS.join(',')]);
  });
});
