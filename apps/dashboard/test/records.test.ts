// Companies and custom objects in the built dashboard, in Debian's chromium against a real gateway: the companies list
// with custom columns and filters, a company's page with its custom fields (edited) and the records pointing at it;
// a custom object's list (a column per field, filter, sort, infinite scroll), a record created, edited and deleted to
// the trash, its relation linked; the reverse connection on the customer's page; archived fields restored and an object
// defined on the Fields page; READ_ONLY without editors, another workspace without A's objects. Every answer is
// compared with the API's; each page at 1280 px and on a phone, without serious axe violations.
import { fileURLToPath } from 'node:url';
import { startTestGateway, type TestClient, type TestGateway } from '@crm/gateway/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectBothWidths, launchBrowser, signIn } from './browser.js';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const shots = fileURLToPath(new URL('../../../docs/dashboard/', import.meta.url));

let t: TestGateway;
let api: TestClient;
let browser: Browser;
let page: Page;
const ids: Record<string, string> = {};

const DEFINE = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;
const define = async (input: Record<string, unknown>) => (await api.query(DEFINE, { i: input })).defineCustomField.customField.id as string;
const CREATE_CONTRACT = `mutation ($i: CreateContractInput!) { createContract(input: $i) { contract { id } } }`;
const createContract = async (input: Record<string, unknown>) => (await api.query(CREATE_CONTRACT, { i: input })).createContract.contract.id as string;

type Named = { node: { name?: string; number?: string } };
const namesOf = (connection: { edges: Named[] }) => connection.edges.map((e) => e.node.name ?? e.node.number);
const firstCells = (testId: string) => () => page.getByTestId(testId).locator('tbody tr td:first-child a').allTextContents();
const companyNames = firstCells('company-list');
const contractNumbers = firstCells('record-list');

beforeAll(async () => {
  t = await startTestGateway({ dashboardDir: dist });
  api = t.workspace.client;
  await define({ object: 'COMPANY', name: 'accountTier', label: 'Account tier', type: 'SELECT', options: [{ value: 'key', label: 'Key account', color: '#9333ea' }, { value: 'standard', label: 'Standard' }] });
  await define({ object: 'COMPANY', name: 'employees', label: 'Employees', type: 'NUMBER', min: 0 });
  ids.archivedField = await define({ object: 'COMPANY', name: 'fax', label: 'Fax', type: 'PHONE' });
  await api.query(`mutation ($i: ArchiveCustomFieldInput!) { archiveCustomField(input: $i) { customField { id } } }`, { i: { id: ids.archivedField } });
  const company = async (name: string, customFields: Record<string, unknown>) =>
    (await api.query(`mutation ($i: CreateCompanyInput!) { createCompany(input: $i) { company { id } } }`, { i: { name, industry: 'Retail', customFields } })).createCompany.company.id as string;
  ids.acme = await company('Acme Records', { accountTier: 'key', employees: 120 });
  ids.globex = await company('Globex Records', { accountTier: 'standard', employees: 30 });
  ids.initech = await company('Initech Records', {});
  ids.ada = (await api.query(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name: 'Ada Records', companyId: ids.acme } })).createCustomer.customer.id;
  // A custom object with a field of several kinds and relations to a customer and a company.
  ids.contract = (await api.query(`mutation { defineCustomObject(input: { name: "Contract", label: "Contract", description: "A signed agreement" }) { customObject { id } } }`)).defineCustomObject.customObject.id;
  await define({ customObjectId: ids.contract, name: 'number', label: 'Number', type: 'TEXT' });
  await define({ customObjectId: ids.contract, name: 'amount', label: 'Amount', type: 'MONEY', currency: 'EUR', min: 0 });
  await define({ customObjectId: ids.contract, name: 'endDate', label: 'End date', type: 'DATE' });
  await define({ customObjectId: ids.contract, name: 'customer', label: 'Customer', type: 'RELATION', target: 'Customer' });
  await define({ customObjectId: ids.contract, name: 'company', label: 'Company', type: 'RELATION', target: 'Company' });
  ids.c1 = await createContract({ number: 'C-01', amount: '100', endDate: '2027-01-31', customer: ids.ada, company: ids.acme });
  ids.c2 = await createContract({ number: 'C-02', amount: '250', customer: ids.ada });
  ids.c3 = await createContract({ number: 'C-03', amount: '50', company: ids.globex });
  // Enough for a second page of 30.
  for (let i = 4; i <= 34; i++) await createContract({ number: `C-${String(i).padStart(2, '0')}`, amount: String(i) });
  browser = await launchBrowser();
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('companies', () => {
  it('lists companies with custom columns and filters, each list equal to the API’s answer to the same filter', async () => {
    await signIn(page, t.url, t.workspace.apiKey);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Companies' }).click();
    const all = await api.query(`{ companies(first: 30, orderBy: [{ field: NAME }]) { edges { node { name } } } }`);
    await expect.poll(companyNames, { timeout: 30_000 }).toEqual(namesOf(all.companies));
    await page.getByText(/^Columns/).click();
    await page.getByRole('group', { name: 'Show custom fields as columns' }).getByLabel('Account tier').check();
    await page.getByTestId('column-accountTier').waitFor();
    // The archived field is no column and no filter.
    expect(await page.getByRole('group', { name: 'Show custom fields as columns' }).getByLabel('Fax').count()).toBe(0);

    await page.getByLabel('Filter by field').selectOption({ label: 'Account tier' });
    await page.getByTestId('custom-filter-accountTier').getByLabel('Account tier is').selectOption('key');
    const key = await api.query(`{ companies(first: 30, orderBy: [{ field: NAME }], filter: { accountTier: { eq: "key" } }) { edges { node { name } } } }`);
    await expect.poll(companyNames, { timeout: 30_000 }).toEqual(namesOf(key.companies));
    expect(namesOf(key.companies)).toEqual(['Acme Records']);
    const tierCell = page.getByTestId('company-list').locator('tbody tr td:nth-child(4)');
    await expect.poll(() => tierCell.allTextContents()).toEqual(['Key account']);

    await page.getByTestId('custom-filter-accountTier').getByRole('button', { name: 'Remove the Account tier filter' }).click();
    await page.getByLabel('Filter by field').selectOption({ label: 'Employees' });
    await page.getByTestId('custom-filter-employees').getByLabel('Employees at least').fill('25');
    const many = await api.query(`{ companies(first: 30, orderBy: [{ field: NAME }], filter: { employees: { gte: 25 } }) { edges { node { name } } } }`);
    await expect.poll(companyNames, { timeout: 30_000 }).toEqual(namesOf(many.companies));
    expect(namesOf(many.companies)).toEqual(['Acme Records', 'Globex Records']);
    await expectBothWidths(page, shots, 'companies');
  });

  it("shows a company's page: its custom fields edited with their inputs, its people, the contracts pointing at it", async () => {
    await page.getByRole('link', { name: 'Acme Records' }).click();
    await page.getByRole('heading', { name: 'Acme Records', level: 1 }).waitFor();
    const card = page.getByTestId('custom-fields');
    await expect.poll(() => card.getByTestId('custom-value-accountTier').textContent()).toBe('Account tierKey account');
    expect(await card.getByTestId('custom-value-employees').textContent()).toBe('Employees120');
    expect(await page.getByTestId('company-customers').getByRole('link', { name: 'Ada Records' }).count()).toBe(1);
    // The reverse connection of Contract.company: the API's Company.contracts.
    const reverse = page.getByTestId('reverse-contracts');
    const api1 = (await api.query(`query ($id: ID!) { company(id: $id) { contracts(first: 10) { totalCount edges { node { number } } } } }`, { id: ids.acme })).company.contracts;
    await expect.poll(() => reverse.getByRole('link').allTextContents()).toEqual(namesOf(api1));
    expect(await reverse.getByRole('heading').textContent()).toBe(`Contract (company): ${api1.totalCount}`);

    await card.getByRole('button', { name: 'Edit fields' }).click();
    const form = card.getByRole('form', { name: 'Edit custom fields' });
    await form.getByLabel('Employees').fill('-5');
    await form.getByLabel('Account tier').selectOption('standard');
    await form.getByRole('button', { name: 'Save fields' }).click();
    // Below the minimum: refused at its input, nothing written.
    await expect.poll(() => form.getByLabel('Employees').getAttribute('aria-invalid')).toBe('true');
    expect((await api.query(`query ($id: ID!) { company(id: $id) { accountTier employees } }`, { id: ids.acme })).company).toEqual({ accountTier: 'key', employees: 120 });
    await form.getByLabel('Employees').fill('150');
    await form.getByRole('button', { name: 'Save fields' }).click();
    await card.getByRole('button', { name: 'Edit fields' }).waitFor();
    expect((await api.query(`query ($id: ID!) { company(id: $id) { accountTier employees } }`, { id: ids.acme })).company).toEqual({ accountTier: 'standard', employees: 150 });
    await expect.poll(() => card.getByTestId('custom-value-employees').textContent()).toBe('Employees150');
    await expectBothWidths(page, shots, 'company');
  });
});

describe('custom objects', () => {
  it("lists a custom object's records: a column per field, sorted and filtered as the API answers, the next page on scrolling", async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contracts' }).click();
    await page.getByTestId('record-list').waitFor();
    for (const column of ['number', 'amount', 'endDate', 'customer', 'company']) await page.getByTestId(`column-${column}`).waitFor();
    await page.getByLabel('Sort by').selectOption('NUMBER');
    await page.getByLabel('Direction').selectOption('ASC');
    const first = await api.query(`{ contracts(first: 30, orderBy: [{ field: NUMBER, direction: ASC }]) { totalCount edges { node { number } } } }`);
    await expect.poll(contractNumbers, { timeout: 30_000 }).toEqual(namesOf(first.contracts));
    await page.getByText(`${first.contracts.totalCount} found`).waitFor();
    // Scrolling to the end loads the second page below the first.
    await page.getByRole('button', { name: 'Load more' }).scrollIntoViewIfNeeded();
    const both = await api.query(`{ contracts(first: 100, orderBy: [{ field: NUMBER, direction: ASC }]) { edges { node { number } } } }`);
    await expect.poll(contractNumbers, { timeout: 30_000 }).toEqual(namesOf(both.contracts));
    expect(both.contracts.edges.length).toBe(34);
    // A relation reads as its record's name, linked to its page.
    const c1 = page.getByTestId('record-list').locator('tbody tr').first();
    expect(await c1.getByRole('link', { name: 'Ada Records' }).getAttribute('href')).toBe(`#/customers/${encodeURIComponent(ids.ada!)}`);
    expect(await c1.getByRole('link', { name: 'Acme Records' }).getAttribute('href')).toBe(`#/companies/${encodeURIComponent(ids.acme!)}`);

    await page.getByLabel('Filter by field').selectOption({ label: 'Amount' });
    await page.getByTestId('custom-filter-amount').getByLabel('Amount at least').fill('100');
    const big = await api.query(`{ contracts(first: 30, orderBy: [{ field: NUMBER, direction: ASC }], filter: { amount: { gte: "100" } }) { edges { node { number } } } }`);
    await expect.poll(contractNumbers, { timeout: 30_000 }).toEqual(namesOf(big.contracts));
    expect(namesOf(big.contracts)).toEqual(['C-01', 'C-02']);
    // Sorted by another of the schema's sort keys, descending.
    await page.getByLabel('Sort by').selectOption('AMOUNT');
    await page.getByLabel('Direction').selectOption('DESC');
    await expect.poll(contractNumbers, { timeout: 30_000 }).toEqual(['C-02', 'C-01']);
    await expectBothWidths(page, shots, 'custom-object-list');
  });

  it('creates a record with the input of each field (a refusal shown at its field), then edits and deletes it to the trash', async () => {
    await page.goto(`${t.url}/app/#/objects/Contract`);
    await page.getByRole('button', { name: 'New Contract' }).click();
    const form = page.getByRole('form', { name: 'New Contract' });
    await form.getByLabel('Number').fill('C-99');
    await form.getByLabel('Amount').fill('-5');
    await form.getByLabel('End date').fill('2028-06-30');
    await form.getByLabel('Customer: search Customer').fill('Ada');
    await form.getByRole('button', { name: 'Ada Records' }).click();
    await form.getByRole('button', { name: 'Create Contract' }).click();
    // Under its minimum: BAD_USER_INPUT naming `amount`, shown at that input; nothing created.
    await expect.poll(() => form.getByLabel('Amount').getAttribute('aria-invalid')).toBe('true');
    expect((await api.query(`{ contracts(first: 1, filter: { number: { eq: "C-99" } }) { totalCount } }`)).contracts.totalCount).toBe(0);
    await form.getByLabel('Amount').fill('12.35');
    await form.getByRole('button', { name: 'Create Contract' }).click();
    await page.getByRole('heading', { name: 'C-99', level: 1 }).waitFor();
    const created = (await api.query(`{ contracts(first: 1, filter: { number: { eq: "C-99" } }) { edges { node { id number amount endDate customer { id name } company { id } } } } }`)).contracts.edges[0].node;
    expect(created).toMatchObject({ number: 'C-99', amount: '12.35', endDate: '2028-06-30', customer: { id: ids.ada, name: 'Ada Records' }, company: null });
    expect(page.url()).toContain(`#/objects/Contract/${encodeURIComponent(created.id)}`);
    const card = page.getByTestId('custom-fields');
    expect(await card.getByTestId('custom-value-amount').textContent()).toBe('Amount€12.35');
    expect(await card.getByTestId('custom-value-customer').getByRole('link', { name: 'Ada Records' }).getAttribute('href')).toBe(`#/customers/${encodeURIComponent(ids.ada!)}`);

    // Edit: the number (its name on the page follows) and the company, picked by searching.
    await card.getByRole('button', { name: 'Edit fields' }).click();
    const edit = card.getByRole('form', { name: 'Edit custom fields' });
    await edit.getByLabel('Number').fill('C-100');
    await edit.getByLabel('Company: search Company').fill('Globex');
    await edit.getByRole('button', { name: 'Globex Records' }).click();
    await edit.getByRole('button', { name: 'Save fields' }).click();
    await page.getByRole('heading', { name: 'C-100', level: 1 }).waitFor();
    expect((await api.query(`query ($id: ID!) { contract(id: $id) { number company { name } } }`, { id: created.id })).contract).toEqual({ number: 'C-100', company: { name: 'Globex Records' } });
    await expectBothWidths(page, shots, 'custom-object-record');

    await page.getByRole('button', { name: 'Delete Contract' }).click();
    await page.getByLabel('Reason (optional)').fill('Entered twice');
    await page.getByRole('button', { name: 'Move to trash' }).click();
    await page.getByTestId('record-list').waitFor();
    expect((await api.query(`query ($id: ID!) { contract(id: $id) { id } }`, { id: created.id })).contract).toBeNull();
    // In the trash: its page says so.
    await page.goto(`${t.url}/app/#/objects/Contract/${encodeURIComponent(created.id)}`);
    await page.getByText('does not exist (any more: it may be in the trash)').waitFor();
  });

  it("lists the contracts pointing at a customer on the customer's page (Customer.contracts), as the API does", async () => {
    await page.goto(`${t.url}/app/#/customers/${encodeURIComponent(ids.ada!)}`);
    const reverse = page.getByTestId('reverse-contracts');
    const contracts = (await api.query(`query ($id: ID!) { customer(id: $id) { contracts(first: 10) { totalCount edges { node { number } } } } }`, { id: ids.ada })).customer.contracts;
    await expect.poll(() => reverse.getByRole('link').allTextContents(), { timeout: 30_000 }).toEqual(namesOf(contracts));
    expect(namesOf(contracts).sort()).toEqual(['C-01', 'C-02']);
    await reverse.getByRole('link', { name: 'C-02' }).click();
    await page.getByRole('heading', { name: 'C-02', level: 1 }).waitFor();
    expect(page.url()).toContain(`#/objects/Contract/${encodeURIComponent(ids.c2!)}`);
  });
});

describe('the Fields page', () => {
  it('shows archived fields and restores one; defines a custom object, which gets its list', async () => {
    await page.goto(`${t.url}/app/#/settings/fields`);
    await page.getByLabel('Object').selectOption({ label: 'Company' });
    const archived = page.getByTestId('archived-field-fax');
    await archived.waitFor();
    expect(await page.getByTestId('field-fax').count()).toBe(0);
    await expectBothWidths(page, shots, 'custom-fields-archived');
    await archived.getByRole('button', { name: 'Restore Fax' }).click();
    await page.getByTestId('field-fax').waitFor();
    const listed = (await api.query(`{ customFields(object: COMPANY, includeArchived: true) { name archived } }`)).customFields;
    expect(listed).toContainEqual({ name: 'fax', archived: false });

    await page.getByRole('button', { name: 'New object' }).click();
    const form = page.getByRole('form', { name: 'Define an object' });
    await form.getByLabel('Type name (API, e.g. Contract)').fill('Store');
    await form.getByLabel('Object label').fill('Store');
    await form.getByRole('button', { name: 'Define object' }).click();
    // The new object is chosen, ready for its fields, and the navigation lists it.
    await expect.poll(() => page.getByLabel('Object').locator('option:checked').textContent()).toBe('Store (custom object)');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stores' }).waitFor();
    const objects = (await api.query(`{ customObjects { name pluralName } }`)).customObjects;
    expect(objects).toContainEqual({ name: 'Store', pluralName: 'stores' });
  });
});

describe('roles and workspaces', () => {
  it('a READ_ONLY key reads records without editors; another workspace sees none of them', async () => {
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, t.url, readOnly.apiKey!);
    await page.goto(`${t.url}/app/#/objects/Contract/${encodeURIComponent(ids.c1!)}`);
    await page.getByRole('heading', { name: 'C-01', level: 1 }).waitFor();
    await page.getByTestId('custom-value-amount').waitFor();
    expect(await page.getByRole('button', { name: 'Edit fields' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete Contract' }).count()).toBe(0);
    await page.goto(`${t.url}/app/#/objects/Contract`);
    await page.getByTestId('record-list').waitFor();
    expect(await page.getByRole('button', { name: 'New Contract' }).count()).toBe(0);
    await page.goto(`${t.url}/app/#/companies/${encodeURIComponent(ids.acme!)}`);
    await page.getByTestId('custom-value-employees').waitFor();
    expect(await page.getByRole('button', { name: 'Edit fields' }).count()).toBe(0);

    const other = await t.createWorkspace('Other records');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, t.url, other.apiKey);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contracts' }).count()).toBe(0);
    await page.goto(`${t.url}/app/#/objects/Contract/${encodeURIComponent(ids.c1!)}`);
    await page.getByText('This workspace has no object called Contract').waitFor();
    await page.goto(`${t.url}/app/#/companies/${encodeURIComponent(ids.acme!)}`);
    await page.getByText('This company does not exist (any more)').waitFor();
  });
});
