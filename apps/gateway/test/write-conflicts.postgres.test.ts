// Concurrent writes to the same records (a customer deleted while orders are recorded for it) end in success or a
// coded client error (NOT_FOUND, CONFLICT, BAD_USER_INPUT), never an internal error; a deadlock is retried first.
// On PostgreSQL: PGlite serialises every transaction, so nothing races there.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Logger } from '../src/logger.js';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

const internalErrors: string[] = [];
const logger: Logger = { info() {}, warn() {}, error: (message, fields) => internalErrors.push(`${message} ${JSON.stringify(fields).slice(0, 300)}`) };

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ database: 'postgres', logger, rateLimit: { perMinute: 0 }, clvRefresh: false });
});
afterAll(async () => {
  await t?.close();
});

const RECORD_ORDER = `mutation($id: ID!) { recordOrder(input: { customerId: $id, orderedAt: "2026-01-05T10:00:00Z", lines: [{ sku: "TEA", quantity: 1, unitPrice: "5.00" }] }) { order { id } } }`;
const DELETE = `mutation($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`;
const UPDATE = `mutation($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;

it('answers deleteCustomer racing recordOrder and updateCustomer with data or a client error, never an internal one', async () => {
  const { client } = t.workspace;
  const outcomes = new Map<string, number>();
  for (let round = 0; round < 8; round++) {
    const created = await client.query(`mutation($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name: `Racer ${round}` });
    const id = created.createCustomer.customer.id as string;
    const results = await Promise.all([
      client.request(RECORD_ORDER, { id }),
      client.request(UPDATE, { id, name: `Renamed ${round}` }),
      client.request(DELETE, { id }),
      client.request(RECORD_ORDER, { id }),
      client.request(UPDATE, { id, name: `Renamed again ${round}` }),
    ]);
    for (const result of results) {
      const code = (result.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK';
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    }
    // Whatever the interleaving, the customer ends in the trash (its orders stay, as history: docs/data.md).
    const rowId = Buffer.from(id, 'base64').toString().split(':')[1]!;
    expect(await t.database.prisma.customer.count({ where: { id: rowId, deletedAt: null } })).toBe(0);
    expect(await t.database.prisma.customer.count({ where: { id: rowId } })).toBe(1);
  }
  expect([...outcomes.keys()].filter((code) => !['OK', 'NOT_FOUND', 'CONFLICT', 'BAD_USER_INPUT'].includes(code))).toEqual([]);
  expect(outcomes.get('OK')).toBeGreaterThanOrEqual(8); // every delete, at least
  expect(internalErrors).toEqual([]);
});
