// Custom fields on a plugin object on PostgreSQL, where the storage path differs from PGlite's: the plugin's migration
// adds the column, and an indexed or unique field's expression indexes are built CONCURRENTLY on the plugin's table.
import { type PluginTestGateway, startPluginTestGateway } from '@crm/plugin-testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { competitorFeedback } from '../src/index.js';

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [competitorFeedback], database: 'postgres' });
});
afterAll(async () => {
  await kit?.close();
});

it('an indexed, unique field on Competitor: valid indexes on its table, values checked, indexes dropped with the field', async () => {
  const admin = kit.workspace.client;
  const defined = await admin.query(`mutation { defineCustomField(input: { object: COMPETITOR, name: "registry", type: TEXT, unique: true, indexed: true }) { customField { id } } }`);
  const id = defined.defineCustomField.customField.id as string;
  const suffix = id.replace(/-/g, '');
  const INDEXES = `SELECT c.relname AS name, t.relname AS "table", i.indisvalid AS valid FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid WHERE c.relname LIKE $1 ORDER BY 1`;
  expect(await kit.database.sql.query(INDEXES, [`%${suffix}`])).toEqual([
    { name: `cf_${suffix}`, table: 'Competitor', valid: true },
    { name: `cfu_${suffix}`, table: 'Competitor', valid: true },
  ]);

  const CREATE = `mutation ($name: String!, $registry: String) { createCompetitor(input: { name: $name, customFields: { registry: $registry } }) { competitor { registry } } }`;
  expect((await admin.query(CREATE, { name: 'Pg One', registry: 'R-1' })).createCompetitor.competitor).toEqual({ registry: 'R-1' });
  const duplicate = await admin.request(CREATE, { name: 'Pg Two', registry: 'R-1' });
  expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'customFields.registry' });
  const found = await admin.query(`{ competitors(filter: { registry: { startsWith: "R-" } }) { edges { node { name } } } }`);
  expect(found.competitors.edges).toEqual([{ node: { name: 'Pg One' } }]);

  await admin.query(`mutation ($id: ID!) { deleteCustomField(input: { id: $id }) { deletedId } }`, { id });
  expect(await kit.database.sql.query(INDEXES, [`%${suffix}`])).toEqual([]);
});
