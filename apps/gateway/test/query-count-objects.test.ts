// No N+1 on any declared object: for every root list, a page with every declared field, every to-one relation and
// every to-many relation (first 3, with totalCount and aggregate) costs the same number of statements at page sizes
// 10 and 50, on both read paths: the read engine (one statement) and Pothos (what answers what the engine declines).
import { catalogOf } from '@crm/graph';
import { screaming, seedWorkspace, type ResolvedObject } from '@crm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { startTestGateway, TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
let pothosOnly: Gateway;
let pothosClient: TestClient;

beforeAll(async () => {
  t = await startTestGateway();
  await seedWorkspace(t.database.prisma, t.workspace.workspaceId, { customers: 80, seed: 3, asOf: new Date('2026-11-01T00:00:00Z') });
  pothosOnly = createGateway({ database: t.database, logger: createLogger('error'), sqlProjection: false });
  pothosClient = new TestClient(await pothosOnly.listen(0), t.workspace.apiKey);
  await t.workspace.client.query('{ viewer { role } }');
  await pothosClient.query('{ viewer { role } }');
});
afterAll(async () => {
  await pothosOnly?.close(1000);
  await t?.close();
});

/** Every declared field and relation of `object` one level deep, to-many relations as small pages. */
function selectionOf(object: ResolvedObject, catalog: ReturnType<typeof catalogOf>): string {
  const parts = ['id'];
  for (const field of object.fields.values()) if (field.expose && field.kind !== 'id' && field.kind !== 'reference') parts.push(field.name);
  for (const relation of object.relations.values()) {
    if (!relation.expose) continue;
    const target = catalog.target(relation);
    const inner = target.node ? 'id' : [...target.fields.values()].find((f) => f.expose && f.kind !== 'id' && f.kind !== 'reference')!.name;
    if (relation.kind === 'toOne') parts.push(`${relation.graphqlName} { ${inner} }`);
    else if (!relation.connection) parts.push(`${relation.graphqlName} { ${inner} }`);
    else parts.push(`${relation.graphqlName}(first: 3) { totalCount aggregate { count } edges { node { ${inner} } } }`);
  }
  return parts.join(' ');
}

describe('no N+1 on any declared object', () => {
  it('every root list: the same statements for pages of 10 and 50; one on the engine', async () => {
    const catalog = catalogOf(t.gateway.schema);
    const lists = [...catalog.objects].filter((o) => o.plural);
    expect(lists.length).toBeGreaterThanOrEqual(11);
    for (const object of lists) {
      const query = `query ($n: Int!) { ${object.plural}(first: $n) { totalCount aggregate { count } edges { node { ${selectionOf(object, catalog)} } } } }`;
      for (const [path, client] of [['engine', t.workspace.client], ['pothos', pothosClient]] as const) {
        const small = await t.sql.during(() => client.query(query, { n: 10 }));
        const large = await t.sql.during(() => client.query(query, { n: 50 }));
        expect(large.length, `${path} ${object.plural}`).toBe(small.length);
        if (path === 'engine') expect(large.length, object.plural).toBe(1);
      }
    }
  });

  it('every group-by: one statement on the engine, whatever the number of groups asked for', async () => {
    const catalog = catalogOf(t.gateway.schema);
    const fields = t.gateway.schema.getQueryType()!.getFields();
    const grouped = [...catalog.objects].filter((o) => o.plural && fields[`${o.plural}GroupBy`]);
    expect(grouped.length).toBeGreaterThanOrEqual(10);
    for (const object of grouped) {
      const key = [...object.fields.values()].find((f) => f.group && f.kind !== 'datetime' && f.expose);
      if (!key) continue;
      const query = `query ($n: Int!) { ${object.plural}GroupBy(by: [{ field: ${screaming(key.name)} }], first: $n) { key { ${key.name} } aggregate { count } } }`;
      for (const [path, client] of [['engine', t.workspace.client], ['pothos', pothosClient]] as const) {
        const small = await t.sql.during(() => client.query(query, { n: 1 }));
        const large = await t.sql.during(() => client.query(query, { n: 100 }));
        expect(large.length, `${path} ${object.plural}GroupBy`).toBe(small.length);
        if (path === 'engine') expect(large.length, `${object.plural}GroupBy`).toBe(1);
      }
    }
  });
});
