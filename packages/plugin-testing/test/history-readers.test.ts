// A customer's history leaves out the plugin events the key does not read, its totalCount too: the stamps fixture's
// `stamps.stamp_added` declares no `read` (so ADMIN only) and names the customer in its payload (`customerId`), so it
// is in the customer's history for ADMIN and absent for MEMBER.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { stamps } from './fixtures/stamps/src/index.js';

const HISTORY = `query ($id: ID!) { customer(id: $id) { history(first: 50) { totalCount edges { node { type } } } } }`;

describe('Customer.history and plugin event readers', () => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [stamps] });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('an ADMIN-only plugin event about the customer: in ADMIN’s history, not in MEMBER’s (nor its count)', async () => {
    const admin = kit.workspace.client;
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    const id = (await admin.query(`mutation { createCustomer(input: { name: "Stamped" }) { customer { id } } }`)).createCustomer.customer.id;
    await member.query(`mutation ($id: ID!) { addStamp(input: { customerId: $id }) { card { stamps } } }`, { id });

    const asAdmin = (await admin.query(HISTORY, { id })).customer.history;
    const adminTypes = asAdmin.edges.map((e: { node: { type: string } }) => e.node.type);
    expect(adminTypes).toContain('stamps.stamp_added');
    expect(asAdmin.totalCount).toBe(adminTypes.length);

    const asMember = (await member.query(HISTORY, { id })).customer.history;
    const memberTypes = asMember.edges.map((e: { node: { type: string } }) => e.node.type);
    expect(memberTypes).toEqual(adminTypes.filter((type: string) => type !== 'stamps.stamp_added'));
    expect(asMember.totalCount).toBe(memberTypes.length);
    const asked = (await member.query(`query ($id: ID!) { customer(id: $id) { history(first: 5, types: ["stamps.stamp_added"]) { totalCount edges { node { type } } } } }`, { id })).customer.history;
    expect(asked).toEqual({ totalCount: 0, edges: [] });
  }, 120_000);
});
