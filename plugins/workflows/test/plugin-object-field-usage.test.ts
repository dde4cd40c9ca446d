// Deleting a custom field of a plugin object that a workflow names (docs/custom-fields.md, "Defining fields"): the
// usage check parses stored filters against the workspace's catalog with the installed plugins' objects, so a
// workflow whose condition reads a Competitor custom field is listed in `extensions.usedBy` and holds the delete back
// unless forced. Another workspace's workflows never hold a field back.
import { competitorFeedback } from '@crm/plugin-competitor-feedback';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const DELETE = `mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId usedBy } }`;
const CREATE_WORKFLOW = `mutation ($name: String!, $definition: JSON) { createWorkflow(input: { name: $name, definition: $definition }) { workflow { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;
const fields: Record<string, string> = {};

const define = async (client: TestClient, name: string) => (await client.query(DEFINE, { i: { object: 'COMPETITOR', name, type: 'NUMBER' } })).defineCustomField.customField.id as string;

/** A workflow on new competitors whose condition (the trigger's, or a condition step's) reads `filter`. */
const watching = (filter: Record<string, unknown>, where: 'trigger' | 'step') => ({
  trigger: { kind: 'record', object: 'Competitor', on: 'created', ...(where === 'trigger' ? { condition: filter } : {}) },
  steps: [{ id: 'check', kind: 'condition', if: where === 'step' ? filter : { name: { eq: 'Brewtal' } }, then: [], else: [] }],
});

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [competitorFeedback, workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })] });
  admin = kit.workspace.client;
  other = (await kit.createWorkspace('Users B')).client;
  fields.threat = await define(admin, 'threat');
  fields.reach = await define(admin, 'reach');
  fields.spare = await define(admin, 'spare');
  fields.theirThreat = await define(other, 'threat');
  await admin.query(CREATE_WORKFLOW, { name: 'Big threats', definition: watching({ threat: { gte: 8 } }, 'trigger') });
  await admin.query(CREATE_WORKFLOW, { name: 'Wide reach', definition: watching({ reach: { gt: 1000 } }, 'step') });
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

describe("deleting a plugin object's custom field a workflow names", () => {
  it("is refused with the workflows whose trigger condition or condition step reads it", async () => {
    const threat = await admin.request(DELETE, { i: { id: fields.threat } });
    expect(threat.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id', usedBy: 'Workflow:Big threats' });
    const reach = await admin.request(DELETE, { i: { id: fields.reach } });
    expect(reach.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', usedBy: 'Workflow:Wide reach' });
  });

  it('a field nothing names is deleted; another workspace is not held back; force deletes and lists them', async () => {
    expect((await admin.query(DELETE, { i: { id: fields.spare } })).deleteCustomField.usedBy).toEqual([]);
    expect((await other.query(DELETE, { i: { id: fields.theirThreat } })).deleteCustomField.usedBy).toEqual([]);
    expect((await other.request(DELETE, { i: { id: fields.threat, force: true } })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await admin.query(DELETE, { i: { id: fields.threat, force: true } })).deleteCustomField.usedBy).toEqual(['Workflow:Big threats']);
  });
});
