// `CustomField.target` of relation fields (docs/custom-fields.md, "Defining fields"): a list of definitions whose
// relation fields point at custom objects reads the targets' names in one statement, however many there are (a
// per-request loader); built-in targets need none. Another workspace's objects of the same name are its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

let t: TestGateway;
let a: TestWorkspace;
let b: TestWorkspace;

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const DEFINE_OBJECT = `mutation ($i: DefineCustomObjectInput!) { defineCustomObject(input: $i) { customObject { id } } }`;
const LIST = `query ($o: ID) { customFields(customObjectId: $o) { name target } }`;

const object = async (client: TestClient, name: string) => (await client.query(DEFINE_OBJECT, { i: { name } })).defineCustomObject.customObject.id as string;
const relation = (client: TestClient, customObjectId: string, name: string, target: string) => client.query(DEFINE, { i: { customObjectId, name, type: 'RELATION', target } });

beforeAll(async () => {
  t = await startTestGateway();
  a = t.workspace;
  b = await t.createWorkspace('Workspace B');
  const visit = await object(a.client, 'Visit');
  for (const name of ['Store', 'Contract', 'Region']) await object(a.client, name);
  await relation(a.client, visit, 'store', 'Store');
  await relation(a.client, visit, 'contract', 'Contract');
  await relation(a.client, visit, 'region', 'Region');
  await relation(a.client, visit, 'customer', 'Customer');
  // B has a Store of its own, and a relation to it.
  const audit = await object(b.client, 'Audit');
  await object(b.client, 'Store');
  await relation(b.client, audit, 'store', 'Store');
});
afterAll(async () => {
  await t?.close();
});

describe('CustomField.target', () => {
  it('names every target of a list of definitions with one read of the custom objects', async () => {
    // The workspace's schema is rebuilt after the definitions changed (two reads of them): not what is measured.
    await a.client.query(`{ __typename }`);
    let listed: { name: string; target: string | null }[] = [];
    const statements = await t.sql.during(async () => (listed = (await a.client.query(LIST)).customFields));
    expect(listed.filter((f) => f.target)).toEqual([
      { name: 'store', target: 'Store' },
      { name: 'contract', target: 'Contract' },
      { name: 'region', target: 'Region' },
      { name: 'customer', target: 'Customer' },
    ]);
    const reads = statements.filter((s) => s.includes('"CustomObjectDefinition"'));
    expect(reads, statements.join('\n')).toHaveLength(1);
  });

  it("another workspace lists its own targets, never A's", async () => {
    expect((await b.client.query(LIST)).customFields).toEqual([{ name: 'store', target: 'Store' }]);
    const reader = await t.issueKey(b.workspaceId, 'READ_ONLY');
    expect((await reader.query(LIST)).customFields).toEqual([{ name: 'store', target: 'Store' }]);
  });
});
