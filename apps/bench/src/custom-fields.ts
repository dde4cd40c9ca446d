// The custom fields benchmark of docs/custom-fields.md. Usage (from the repository root):
//   npm run bench:custom-fields -- [--customers 100000] [--requests 40] [--workspaces 1000] [--distinct 20]
//                                  [--all-distinct 1000]
// 1. On a throwaway PostgreSQL database (created and dropped by the test gateway): `customers` customers with a
//    lifetime value; defining an indexed MONEY custom field over HTTP is timed while a reader lists customers without
//    pause (its slowest read during the definition is reported: the index is built CONCURRENTLY); then every customer
//    gets the same amount in the custom field, and filter+sort on the custom field is timed against the same on the
//    built-in `lifetimeValue` (same type, indexed too), one request at a time, medians and their ratio.
//    The same for text: an indexed TEXT custom field holding each customer's name, `startsWith` plus sort ascending,
//    against the built-in `name` (indexed per workspace).
//    Then a custom object `Contract` with one record per customer and an indexed MONEY field with the same amounts:
//    filter+sort on it, timed against the built-in field the same way. Search latencies (median, p95): a word of the
//    names, a word only the custom text field holds and a typo of it, by `customers(search:)` and the global `search`.
// 2. In process: the time to build one workspace's schema with custom fields (and with a custom object and its
//    relation to customers), and the heap held by the cached schemas of `workspaces` workspaces whose definitions fall
//    in `distinct` different sets (equal sets share one); then of `all-distinct` workspaces whose definitions all
//    differ, under the cache's own bound (200 distinct schemas kept: the others are rebuilt when they come back).
// Prints one JSON line.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type CustomField, customFieldTypes, type WorkspaceDefinitions } from '@crm/core';
import { buildSchema } from '@crm/graph';
import { InProcessEventBus, silentLogger, WorkspaceSchemas } from '@crm/gateway';
import { startTestGateway } from '@crm/gateway/testing';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '40' },
    workspaces: { type: 'string', default: '1000' },
    distinct: { type: 'string', default: '20' },
    'all-distinct': { type: 'string', default: '1000' },
  },
});
const customers = Number(args.customers);
const requests = Number(args.requests);
const workspaces = Number(args.workspaces);
const distinct = Number(args.distinct);
const allDistinct = Number(args['all-distinct']);
const log = (line: string) => process.stderr.write(`[bench:custom-fields] ${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

const t = await startTestGateway({ database: 'postgres', rateLimit: { perMinute: 0 }, clvRefresh: false, monthEndSnapshots: false });
let result: Record<string, unknown> = {};
try {
  const { prisma } = t.database;
  const workspaceId = t.workspace.workspaceId;
  log(`inserting ${customers} customers`);
  for (let i = 0; i < customers; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, customers - i) }, (_, j) => ({
      workspaceId,
      name: `Customer ${i + j}`,
      // Two-decimal amounts spread over 0–99,999.99, deterministic.
      lifetimeValue: (((i + j) * 7919) % 10_000_000) / 100,
    }));
    await prisma.customer.createMany({ data: rows });
  }
  await t.database.sql.query('ANALYZE "Customer"');
  const client = t.workspace.client;
  const LIST = `query ($f: CustomerFilter, $o: [CustomerOrderBy!]) { customers(first: 50, filter: $f, orderBy: $o) { edges { node { id name } } } }`;

  // Defining an indexed field while a reader keeps listing customers.
  let reading = true;
  const readLatencies: number[] = [];
  const reader = (async () => {
    while (reading) {
      const started = performance.now();
      await client.query(LIST, { o: [{ field: 'LIFETIME_VALUE', direction: 'DESC' }] });
      readLatencies.push(performance.now() - started);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = readLatencies.length;
  const defineStarted = performance.now();
  await client.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "contractValue", type: MONEY, currency: "EUR", indexed: true }) { customField { id } } }`);
  const defineMs = performance.now() - defineStarted;
  const duringDefine = readLatencies.slice(before);
  reading = false;
  await reader;
  log(`defined in ${round(defineMs)} ms; ${duringDefine.length} reads meanwhile`);

  await client.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "code", type: TEXT, indexed: true }) { customField { id } } }`);
  await t.database.sql.query(
    `UPDATE "Customer" SET "customFields" = jsonb_build_object('contractValue', to_char("lifetimeValue", 'FM999999999990.00'), 'code', "name") WHERE "workspaceId" = $1`,
    [workspaceId],
  );
  await t.database.sql.query('VACUUM ANALYZE "Customer"');

  const threshold = '50000.00';
  const timed = async (field: string, order: string, condition: object = { gte: threshold }, direction = 'DESC') => {
    const variables = { f: { [field]: condition }, o: [{ field: order, direction }] };
    await client.query(LIST, variables);
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await client.query(LIST, variables);
      times.push(performance.now() - started);
    }
    return median(times);
  };
  // Interleaved rounds, so drifting load affects both alike.
  const builtIn: number[] = [];
  const custom: number[] = [];
  for (let round = 0; round < 3; round++) {
    builtIn.push(await timed('lifetimeValue', 'LIFETIME_VALUE'));
    custom.push(await timed('contractValue', 'CONTRACT_VALUE'));
  }
  const same = await Promise.all([
    client.query(LIST, { f: { lifetimeValue: { gte: threshold } }, o: [{ field: 'LIFETIME_VALUE', direction: 'DESC' }, { field: 'NAME' }] }),
    client.query(LIST, { f: { contractValue: { gte: threshold } }, o: [{ field: 'CONTRACT_VALUE', direction: 'DESC' }, { field: 'NAME' }] }),
  ]);
  if (JSON.stringify(same[0]) !== JSON.stringify(same[1])) throw new Error('the custom field and the built-in one did not select the same page');
  // Text: names starting with "Customer 4" (about 11 %), sorted ascending.
  const prefix = { startsWith: 'Customer 4' };
  const textBuiltIn: number[] = [];
  const textCustom: number[] = [];
  for (let round = 0; round < 3; round++) {
    textBuiltIn.push(await timed('name', 'NAME', prefix, 'ASC'));
    textCustom.push(await timed('code', 'CODE', prefix, 'ASC'));
  }
  const sameText = await Promise.all([
    client.query(LIST, { f: { name: prefix }, o: [{ field: 'NAME', direction: 'ASC' }] }),
    client.query(LIST, { f: { code: prefix }, o: [{ field: 'CODE', direction: 'ASC' }] }),
  ]);
  if (JSON.stringify(sameText[0]) !== JSON.stringify(sameText[1])) throw new Error('the custom text field and name did not select the same page');
  // 1a. Search, one request at a time: a word of the built-in name (its index) and a word only a custom text field
  // holds (`code`: the table's custom values index, migration custom_values_search) and a typo of it (their trigram
  // index, custom_values_trigram), as `customers(search:)` and the global `search`. docs/performance.md's target: p95 ≤ 20 ms for `customers(search:)`.
  const [zanzibar] = (await client.query(LIST, { f: { name: { eq: 'Customer 4242' } } })).customers.edges;
  await client.query(`mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`, { i: { id: zanzibar.node.id, customFields: { code: 'Zanzibar Holdings' } } });
  await t.database.sql.query('ANALYZE "Customer"');
  const SEARCH = `query ($q: String!) { customers(first: 20, search: $q) { edges { node { id name } } } }`;
  const GLOBAL = `query ($q: String!) { search(query: $q, types: [Customer], first: 10) { score node { id } } }`;
  const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)]!;
  const searchTimes = async (query: string, q: string, found: (data: Record<string, any>) => number) => {
    if (found(await client.query(query, { q })) < 1) throw new Error(`search "${q}" found nothing`);
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await client.query(query, { q });
      times.push(performance.now() - started);
    }
    return { medianMs: round(median(times)), p95Ms: round(p95(times)) };
  };
  const search = {
    // "4242", not "Customer 4242": every name shares "Customer", so trigram similarity would match thousands of them.
    builtInWord: await searchTimes(SEARCH, '4242', (d) => d.customers.edges.length),
    customWord: await searchTimes(SEARCH, 'zanzibar', (d) => d.customers.edges.length),
    globalCustomWord: await searchTimes(GLOBAL, 'zanzibar', (d) => d.search.length),
    // A typo only trigram similarity finds (the custom values' trigram index, migration custom_values_trigram).
    customTypo: await searchTimes(SEARCH, 'zanzibat', (d) => d.customers.edges.length),
    globalCustomTypo: await searchTimes(GLOBAL, 'zanzibat', (d) => d.search.length),
  };
  log(`search: ${JSON.stringify(search)}`);
  // 1b. A custom object with as many records, its indexed MONEY field holding the same amounts: filter+sort on it
  // against the same on the built-in field (records in the shared CustomRecord table, read by the engine).
  const object = (await client.query(`mutation { defineCustomObject(input: { name: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject.id as string;
  await client.query(`mutation ($o: ID!) { defineCustomField(input: { customObjectId: $o, name: "amount", type: MONEY, currency: "EUR", indexed: true }) { customField { id } } }`, { o: object });
  await t.database.sql.query(
    `INSERT INTO "CustomRecord" ("id", "workspaceId", "objectId", "customFields", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), "workspaceId", $2::uuid, jsonb_build_object('amount', to_char("lifetimeValue", 'FM999999999990.00')), now(), now() FROM "Customer" WHERE "workspaceId" = $1`,
    [workspaceId, object],
  );
  await t.database.sql.query('VACUUM ANALYZE "CustomRecord"');
  const CONTRACTS = `query ($f: ContractFilter, $o: [ContractOrderBy!]) { contracts(first: 50, filter: $f, orderBy: $o) { edges { node { id amount } } } }`;
  const timedContracts = async () => {
    const variables = { f: { amount: { gte: threshold } }, o: [{ field: 'AMOUNT', direction: 'DESC' }] };
    await client.query(CONTRACTS, variables);
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await client.query(CONTRACTS, variables);
      times.push(performance.now() - started);
    }
    return median(times);
  };
  const builtInAgain: number[] = [];
  const customObject: number[] = [];
  for (let round = 0; round < 3; round++) {
    builtInAgain.push(await timed('lifetimeValue', 'LIFETIME_VALUE'));
    customObject.push(await timedContracts());
  }
  result = {
    customers,
    search,
    filterSortCustomObjectMs: round(median(customObject)),
    customObjectToBuiltInRatio: round(median(customObject) / median(builtInAgain)),
    defineIndexedFieldMs: round(defineMs),
    readsDuringDefine: duringDefine.length,
    slowestReadDuringDefineMs: round(Math.max(0, ...duringDefine)),
    medianReadBeforeDefineMs: round(median(readLatencies.slice(0, before))),
    filterSortBuiltInMs: round(median(builtIn)),
    filterSortCustomMs: round(median(custom)),
    customToBuiltInRatio: round(median(custom) / median(builtIn)),
    filterSortTextBuiltInMs: round(median(textBuiltIn)),
    filterSortTextCustomMs: round(median(textCustom)),
    textCustomToBuiltInRatio: round(median(textCustom) / median(textBuiltIn)),
  };
  // Printed at once too (stderr): the schema part that follows takes minutes.
  log(`database part: ${JSON.stringify(result)}`);
} finally {
  await t.close();
}

// 2. Schemas: build time per distinct definition set, heap of `workspaces` workspaces' cached schemas.
const definitionSet = (n: number, object?: string): CustomField[] =>
  Array.from({ length: 10 }, (_, i) => {
    const type = customFieldTypes[(n + i) % customFieldTypes.length]!;
    return {
      id: `00000000-0000-4000-8000-${String(n * 100 + i).padStart(12, '0')}`,
      object: object ?? (i % 3 === 2 ? 'Company' : 'Customer'),
      name: `field${n}x${i}`,
      key: `field${n}x${i}`,
      label: `Field ${i}`,
      type,
      options: type === 'select' || type === 'multiSelect' ? [{ value: 'a', label: 'A', color: null }, { value: 'b', label: 'B', color: null }] : [],
      required: false,
      unique: false,
      indexed: false,
      defaultValue: null,
      description: null,
      min: null,
      max: null,
      currency: type === 'money' ? 'EUR' : null,
      target: null,
      position: i,
    };
  });
/** Set `n` with a custom object too: `Contract` with ten fields of its own and a relation to customers. */
const withObject = (n: number): WorkspaceDefinitions => {
  const id = `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;
  const relation: CustomField = { ...definitionSet(n, id)[0]!, id: `${id.slice(0, -4)}ffff`, name: 'customer', key: 'customer', type: 'relation', options: [], currency: null, target: 'Customer', position: 10 };
  return { objects: [{ id, name: 'Contract', pluralName: 'contracts', label: 'Contract', description: null }], fields: [...definitionSet(n), ...definitionSet(n, id), relation] };
};
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const base = buildSchema();
const build = ({ fields, objects }: WorkspaceDefinitions) => buildSchema({ customFields: fields, customObjects: objects });
const bus = new InProcessEventBus();
const schemas = new WorkspaceSchemas({
  base,
  build,
  load: async (id) => ({ fields: definitionSet(Number(id.split('-')[1]) % distinct), objects: [] }),
  bus,
  logger: silentLogger,
  maxSchemas: Math.max(distinct, 1),
});
const buildTimes: number[] = [];
for (let w = 0; w < workspaces; w++) {
  const started = performance.now();
  await schemas.forWorkspace(`ws-${w}`);
  if (w < distinct) buildTimes.push(performance.now() - started);
  if (w % 100 === 0) log(`schemas: ${w}/${workspaces} workspaces, ${schemas.distinctSchemas} distinct`);
}
gc?.();
const heapAfter = process.memoryUsage().heapUsed;
const sharedSchemas = schemas.distinctSchemas;
schemas.close();

// A workspace with a custom object: its schema is its own (the declaration names the object's id).
const objectBuildTimes: number[] = [];
for (let n = 0; n < 5; n++) {
  const started = performance.now();
  build(withObject(n));
  objectBuildTimes.push(performance.now() - started);
}

// Every workspace different: the cache keeps its bound (200), the rest are rebuilt when they come back.
gc?.();
const heapBeforeDistinct = process.memoryUsage().heapUsed;
const everyOne = new WorkspaceSchemas({ base, build, load: async (id) => ({ fields: definitionSet(1000 + Number(id.split('-')[1])), objects: [] }), bus, logger: silentLogger });
const distinctStarted = performance.now();
for (let w = 0; w < allDistinct; w++) {
  await everyOne.forWorkspace(`all-${w}`);
  if (w % 100 === 0) log(`all distinct: ${w}/${allDistinct} workspaces, ${everyOne.distinctSchemas} held`);
}
const allDistinctBuildMs = (performance.now() - distinctStarted) / Math.max(1, allDistinct);
gc?.();
const heapAfterDistinct = process.memoryUsage().heapUsed;
const heldDistinct = everyOne.distinctSchemas;
everyOne.close();
console.log(
  JSON.stringify({
    ...result,
    schemaBuildMedianMs: round(median(buildTimes)),
    workspaces,
    distinctSchemas: sharedSchemas,
    cachedSchemasHeapMb: round((heapAfter - heapBefore) / 1024 / 1024, 1),
    heapPerDistinctSchemaMb: round((heapAfter - heapBefore) / 1024 / 1024 / Math.max(1, distinct), 1),
    schemaBuildWithObjectMedianMs: round(median(objectBuildTimes)),
    allDistinctWorkspaces: allDistinct,
    allDistinctSchemasHeld: heldDistinct,
    allDistinctHeapMb: round((heapAfterDistinct - heapBeforeDistinct) / 1024 / 1024, 1),
    allDistinctHeapPerHeldSchemaMb: round((heapAfterDistinct - heapBeforeDistinct) / 1024 / 1024 / Math.max(1, heldDistinct), 1),
    allDistinctBuildPerWorkspaceMs: round(allDistinctBuildMs),
    heapMeasuredWithGc: Boolean(gc),
    loadAverage: os.loadavg().map((v) => round(v)),
  }),
);
