// Custom fields and objects on PostgreSQL with two gateway instances on one Redis: a definition made through one
// instance reaches the other's schema through the event bus (metadata.changed), and the field's indexes are built
// CONCURRENTLY, valid.
import { randomUUID } from 'node:crypto';
import { createWorkspace } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import type { RedisEventBus } from '../src/live/redis-event-bus.js';
import { silentLogger } from '../src/logger.js';
import { TestClient } from '../src/testing/index.js';

const REDIS = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

interface Instance {
  gateway: Gateway;
  database: Database;
  url: string;
}

let pg: TestPostgres;
const instances: Instance[] = [];

async function startInstance(channelPrefix: string): Promise<Instance> {
  const database = await openDatabase({ kind: 'postgres', url: pg.url, poolSize: 5 }, { migrate: false });
  const gateway = createGateway({ database, logger: silentLogger, redis: { url: REDIS, channelPrefix }, clvRefresh: false, monthEndSnapshots: false });
  const url = await gateway.listen(0);
  await (gateway.bus as RedisEventBus).ready();
  const instance = { gateway, database, url };
  instances.push(instance);
  return instance;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  pg = await createTestPostgres();
});
afterAll(async () => {
  for (const instance of instances.splice(0)) {
    await instance.gateway.close(1000);
    await instance.database.close();
  }
  await pg?.drop();
});

describe('custom fields across gateway instances (PostgreSQL + Redis)', () => {
  it('a field defined through instance 1 is in instance 2’s schema without a restart; its indexes are valid', async () => {
    const prefix = `crm-test-${randomUUID()}:`;
    const one = await startInstance(prefix);
    const two = await startInstance(prefix);
    const ws = await createWorkspace(one.database.prisma, { name: 'Custom fields at scale' });
    const viaOne = new TestClient(one.url, ws.apiKey);
    const viaTwo = new TestClient(two.url, ws.apiKey);
    const READ = `{ customers(first: 5, filter: { membershipNo: { eq: "M-7" } }) { edges { node { name membershipNo } } } }`;
    // Instance 2 has built and cached the workspace's schema, without the field.
    expect((await viaTwo.request(READ)).errors?.[0]?.message).toMatch(/membershipNo/);

    const defined = await viaOne.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "membershipNo", type: TEXT, unique: true, indexed: true }) { customField { id } } }`);
    await viaOne.query(`mutation { createCustomer(input: { name: "Ada", customFields: { membershipNo: "M-7" } }) { customer { id } } }`);
    await waitFor(async () => !(await viaTwo.request(READ)).errors);
    expect((await viaTwo.query(READ)).customers.edges).toEqual([{ node: { name: 'Ada', membershipNo: 'M-7' } }]);
    // Instance 2 writes through its new schema too, and the unique rule holds there.
    const duplicate = await viaTwo.request(`mutation { createCustomer(input: { name: "Bob", customFields: { membershipNo: "M-7" } }) { customer { id } } }`);
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'customFields.membershipNo' });

    const suffix = (defined.defineCustomField.customField.id as string).replace(/-/g, '');
    const indexes = await one.database.sql.query<{ name: string; valid: boolean; unique: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid, i.indisunique AS unique FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE $1 ORDER BY 1`,
      [`%${suffix}`],
    );
    expect(indexes).toEqual([
      { name: `cf_${suffix}`, valid: true, unique: false },
      { name: `cfu_${suffix}`, valid: true, unique: true },
    ]);
    // Statistics on the indexed expression, which the planner reads (a partial index's own it ignores).
    const statistics = `SELECT stxname AS name FROM pg_statistic_ext WHERE stxname LIKE $1`;
    expect(await one.database.sql.query(statistics, [`%${suffix}`])).toEqual([{ name: `cfs_${suffix}` }]);

    // Deleting it through instance 2 takes it out of instance 1's schema, and drops the indexes.
    await viaTwo.query(`mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId } }`, { i: { id: defined.defineCustomField.customField.id } });
    await waitFor(async () => Boolean((await viaOne.request(READ)).errors));
    expect(await one.database.sql.query(`SELECT 1 FROM pg_class WHERE relname LIKE $1`, [`%${suffix}`])).toEqual([]);
    expect(await one.database.sql.query(statistics, [`%${suffix}`])).toEqual([]);
  });

  it('a custom object and its relation field defined through instance 1 are served by instance 2; its relation index is valid', async () => {
    const prefix = `crm-test-${randomUUID()}:`;
    const one = await startInstance(prefix);
    const two = await startInstance(prefix);
    const ws = await createWorkspace(one.database.prisma, { name: 'Custom objects at scale' });
    const viaOne = new TestClient(one.url, ws.apiKey);
    const viaTwo = new TestClient(two.url, ws.apiKey);
    const READ = `{ contracts(first: 5, filter: { customer: { name: { eq: "Ada" } } }) { edges { node { number customer { name } } } } }`;
    expect((await viaTwo.request(READ)).errors?.[0]?.message).toMatch(/contracts/);
    const object = (await viaOne.query(`mutation { defineCustomObject(input: { name: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject.id;
    await viaOne.query(`mutation ($o: ID!) { defineCustomField(input: { customObjectId: $o, name: "number", type: TEXT }) { customField { id } } }`, { o: object });
    const relation = (await viaOne.query(`mutation ($o: ID!) { defineCustomField(input: { customObjectId: $o, name: "customer", type: RELATION, target: "Customer" }) { customField { id } } }`, { o: object })).defineCustomField.customField.id as string;
    const ada = (await viaOne.query(`mutation { createCustomer(input: { name: "Ada" }) { customer { id } } }`)).createCustomer.customer.id;
    await waitFor(async () => !(await viaTwo.request(READ)).errors);
    // Written through instance 2's new schema, read through both.
    await viaTwo.query(`mutation ($c: ID!) { createContract(input: { number: "C-1", customer: $c }) { contract { id } } }`, { c: ada });
    expect((await viaOne.query(READ)).contracts.edges).toEqual([{ node: { number: 'C-1', customer: { name: 'Ada' } } }]);
    expect((await viaTwo.query(READ)).contracts.edges).toEqual([{ node: { number: 'C-1', customer: { name: 'Ada' } } }]);
    const suffix = relation.replace(/-/g, '');
    const indexes = await one.database.sql.query<{ name: string; valid: boolean }>(`SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE $1`, [`%${suffix}`]);
    expect(indexes).toEqual([{ name: `cf_${suffix}`, valid: true }]);
    // Archived through instance 2: gone from instance 1's schema.
    await viaTwo.query(`mutation ($i: ArchiveCustomObjectInput!) { archiveCustomObject(input: $i) { customObject { id } } }`, { i: { id: object } });
    await waitFor(async () => Boolean((await viaOne.request(READ)).errors));
  });
});
