// Search on custom objects is indexed on both databases (docs/custom-fields.md, "Search"): a GIN index on the object's
// search document and a trigram index per A-weight text field, partial on its rows, built when its text fields change
// and dropped with them. The plan of the statement the read engine runs for `contracts(search:)` uses them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;

describe.each(['pglite', 'postgres'] as const)('custom object search indexes on %s', (database) => {
  let t: TestGateway;
  let a: TestWorkspace;
  let objectId: string;
  const fieldIds: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestGateway({ database });
    a = t.workspace;
    objectId = (await a.client.query(`mutation { defineCustomObject(input: { name: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject.id;
    for (const field of [
      { name: 'title', type: 'TEXT' },
      { name: 'contact', type: 'EMAIL' },
      { name: 'notes', type: 'LONG_TEXT' },
      { name: 'amount', type: 'NUMBER' },
    ]) {
      fieldIds[field.name] = (await a.client.query(DEFINE_FIELD, { i: { customObjectId: objectId, ...field } })).defineCustomField.customField.id;
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** The search indexes the object has now (by name), with their definitions. */
  async function indexes(): Promise<Map<string, string>> {
    const rows = await t.database.prisma.$queryRawUnsafe<{ name: string; definition: string }[]>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = 'CustomRecord' AND starts_with(indexname, $1)`,
      `cos_${objectId.replace(/-/g, '')}_`,
    );
    return new Map(rows.map((row) => [row.name, row.definition]));
  }

  it('defining text fields builds a document index and a trigram index per A-weight field, partial on the object', async () => {
    const built = [...(await indexes()).values()];
    expect(built).toHaveLength(3);
    const document = built.filter((d) => d.includes('to_tsvector'));
    expect(document).toHaveLength(1);
    // Every searchable field is in the document with its weight; the number is not.
    for (const [weight, count] of [['A', 2], ['C', 1]] as const) expect(document[0]!.split(`'${weight}'::"char"`).length - 1).toBe(count);
    expect(built.filter((d) => d.includes('gin_trgm_ops'))).toHaveLength(2);
    for (const definition of built) expect(definition).toContain(`WHERE ("objectId" = '${objectId}'::uuid)`);
  });

  it("the read engine's search statement is answered from those indexes", async () => {
    // Enough rows that a scan of the object's rows costs more than the indexes: 3,000 contracts, one with a rare word.
    await t.database.prisma.$executeRawUnsafe(
      `INSERT INTO "CustomRecord" (id, "workspaceId", "objectId", "customFields", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, $2::uuid,
              jsonb_build_object(d.title, 'Service agreement ' || i, d.notes, 'Renewal terms and conditions, version ' || i), now(), now()
         FROM generate_series(1, 3000) AS i,
              (SELECT max(key) FILTER (WHERE name = 'title') AS title, max(key) FILTER (WHERE name = 'notes') AS notes
                 FROM "CustomFieldDefinition" WHERE "workspaceId" = $1::uuid AND "object" = $2) AS d`,
      a.workspaceId,
      objectId,
    );
    await a.client.query(`mutation { createContract(input: { title: "Zanzibar distribution", notes: "exclusive" }) { contract { id } } }`);
    await t.database.prisma.$executeRawUnsafe('ANALYZE "CustomRecord"');

    const query = `{ contracts(first: 5, search: "zanzibar") { totalCount edges { node { title } } } }`;
    let result: Record<string, any> = {};
    await t.sql.during(async () => (result = await a.client.query(query)));
    expect(result.contracts).toEqual({ totalCount: 1, edges: [{ node: { title: 'Zanzibar distribution' } }] });
    const statement = t.sql.withParams.find((s) => s.query.includes('to_tsquery'));
    expect(statement, 'the engine answered in SQL').toBeDefined();
    const params = JSON.parse(statement!.params) as unknown[];
    const plan = (await t.database.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${statement!.query}`, ...params)).map((r) => r['QUERY PLAN']).join('\n');
    // Each index is read (a bitmap OR of the document's and the A fields' trigram indexes) …
    for (const name of (await indexes()).keys()) expect(plan, plan).toContain(`Bitmap Index Scan on ${name}`);
    // … and no scan computes documents row by row (scanning the object's rows by id to join the matches is the
    // planner's choice on 3,000 rows, as for core objects).
    const lines = plan.split('\n');
    const scanFilters = lines.flatMap((line, i) => (/Seq Scan on "CustomRecord"/.test(line) ? [lines[i + 1] ?? ''] : []));
    for (const filter of scanFilters) expect(filter, plan).not.toMatch(/to_tsvector|<%/);
    // A typo finds it through the trigram index.
    expect((await a.client.query(`{ contracts(first: 5, search: "zanzibr") { totalCount } }`)).contracts.totalCount).toBe(1);
  }, 120_000);

  it('archiving, restoring and deleting a text field rebuild the indexes; deleting the object drops them', async () => {
    const before = await indexes();
    await a.client.query(`mutation ($i: ArchiveCustomFieldInput!) { archiveCustomField(input: $i) { customField { id } } }`, { i: { id: fieldIds.contact } });
    const archived = await indexes();
    expect(archived.size).toBe(2);
    expect([...archived.keys()].some((name) => before.has(name) && archived.get(name)!.includes('to_tsvector'))).toBe(false);
    await a.client.query(`mutation ($i: ArchiveCustomFieldInput!) { archiveCustomField(input: $i) { customField { id } } }`, { i: { id: fieldIds.contact, archived: false } });
    expect(new Set((await indexes()).keys())).toEqual(new Set(before.keys()));
    await a.client.query(`mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId } }`, { i: { id: fieldIds.notes } });
    expect([...(await indexes()).values()].filter((d) => d.includes('to_tsvector'))).toHaveLength(1);
    expect((await indexes()).size).toBe(3);
    await a.client.query(`mutation ($i: DeleteCustomObjectInput!) { deleteCustomObject(input: $i) { deletedId } }`, { i: { id: objectId, force: true } });
    expect((await indexes()).size).toBe(0);
  }, 120_000);
});
