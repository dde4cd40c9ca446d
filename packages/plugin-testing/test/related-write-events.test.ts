// A plugin's `objects.updateRelated` that is refused (one related record's value is) and caught by the plugin leaves
// no trace: not the rows written before the refused one, nor their events (a webhook or workflow would fire on a change
// that never happened). The subscriber catches the error and its own transaction commits.
import { type CrmError, definePlugin } from '@crm/plugin-sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';

const heard: string[] = [];
const sameEmail = definePlugin({
  id: 'same-email',
  version: '1.0.0',
  description: 'Gives every customer of a renamed company one email address (refused for the second)',
  requires: { core: '^0.1.0' },
  subscribers: {
    'company.updated': {
      spread: async (event, { objects }) => {
        // A max that is no whole number from 1 up is refused before any statement (the transaction goes on).
        for (const max of [Number.NaN, 0, 2.5]) {
          try {
            await objects.updateRelated('Company', event.subjectId, 'customers', { email: 'same@x.test' }, { max });
            heard.push(`max ${max}: written`);
          } catch (error) {
            heard.push(`max ${max}: ${(error as CrmError).code} ${(error as CrmError).field}`);
          }
        }
        try {
          await objects.updateRelated('Company', event.subjectId, 'customers', { email: 'same@x.test' }, { max: 10 });
          heard.push('written');
        } catch (error) {
          heard.push(`refused: ${(error as Error).message}`);
        }
        // Committed with the transaction: the test reads after it.
        await objects.create('Task', { title: 'After the refusal' });
      },
    },
  },
});

/** On a customer `Beside <company row id>`: updates it and, beside it (`Promise.all`), the company's customers, refused. */
const beside = definePlugin({
  id: 'beside',
  version: '1.0.0',
  description: 'Writes a record and a refused related write at once',
  requires: { core: '^0.1.0' },
  subscribers: {
    'customer.created': {
      both: async (event, { objects }) => {
        const name = String((event.payload as { name?: unknown }).name ?? '');
        if (!name.startsWith('Beside ')) return;
        const company = name.slice('Beside '.length);
        await Promise.all([
          objects.updateRelated('Company', company, 'customers', { email: 'twice@x.test' }, { max: 10 }).catch(() => heard.push('beside: refused')),
          objects.update('Customer', event.subjectId, { phone: '+1 555 0100' }),
        ]);
      },
    },
  },
});

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [sameEmail, beside] });
});
afterAll(async () => {
  await kit?.close();
});

it('a caught updateRelated refusal leaves neither the rows written before it nor their events', async () => {
  const admin = kit.workspace.client;
  const company = (await admin.query(`mutation { createCompany(input: { name: "Shell" }) { company { id } } }`)).createCompany.company.id;
  const ids: string[] = [];
  for (const name of ['One', 'Two']) {
    const made = await admin.query(`mutation ($name: String!, $company: ID) { createCustomer(input: { name: $name, companyId: $company }) { customer { id } } }`, { name, company });
    ids.push(Buffer.from(made.createCustomer.customer.id, 'base64').toString('utf8').split(':')[1]!);
  }
  await admin.query(`mutation ($id: ID!) { updateCompany(input: { id: $id, name: "Shell 2" }) { company { id } } }`, { id: company });
  const workspace = [kit.workspace.workspaceId];
  const committed = async () => (await kit.database.sql.query(`SELECT id FROM "Task" WHERE "workspaceId" = $1::uuid AND title = 'After the refusal'`, workspace)).length > 0;
  for (let i = 0; i < 300 && !(await committed()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(heard.slice(0, 3)).toEqual(['max NaN: BAD_USER_INPUT max', 'max 0: BAD_USER_INPUT max', 'max 2.5: BAD_USER_INPUT max']);
  // The refused record named by its object and id (the other one was written first, then undone).
  expect(heard.slice(3)).toEqual([expect.stringMatching(new RegExp(`^refused: .*the Customer (${ids.join('|')}).*already exists`))]);
  expect(await kit.database.sql.query(`SELECT email FROM "Customer" WHERE "workspaceId" = $1::uuid`, workspace)).toEqual([{ email: null }, { email: null }]);
  expect(await kit.database.sql.query(`SELECT id FROM "Event" WHERE "workspaceId" = $1::uuid AND type = 'customer.updated'`, workspace)).toEqual([]);
});

it('a write beside a refused updateRelated (Promise.all) is kept with its event: the savepoint undoes only its own', async () => {
  const admin = kit.workspace.client;
  const company = (await admin.query(`mutation { createCompany(input: { name: "Pair" }) { company { id } } }`)).createCompany.company.id;
  for (const name of ['Pair One', 'Pair Two']) {
    await admin.query(`mutation ($name: String!, $company: ID) { createCustomer(input: { name: $name, companyId: $company }) { customer { id } } }`, { name, company });
  }
  const companyRow = Buffer.from(company, 'base64').toString('utf8').split(':')[1]!;
  const made = await admin.query(`mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name: `Beside ${companyRow}` });
  const id = Buffer.from(made.createCustomer.customer.id, 'base64').toString('utf8').split(':')[1]!;
  for (let i = 0; i < 300 && !heard.includes('beside: refused'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  // The handler's transaction commits after the refusal is caught: wait for the row or the event, then both must agree.
  const state = async () => ({
    phone: (await kit.database.sql.query<{ phone: string | null }>(`SELECT phone FROM "Customer" WHERE id = $1::uuid`, [id]))[0]!.phone,
    events: (await kit.database.sql.query(`SELECT id FROM "Event" WHERE "subjectId" = $1::uuid AND type = 'customer.updated'`, [id])).length,
  });
  for (let i = 0; i < 300 && (await state()).events === 0 && (await state()).phone === null; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  // Before: the refused write's ROLLBACK TO took the other write's row back, its event kept.
  expect(await state()).toEqual({ phone: '+1 555 0100', events: 1 });
});
