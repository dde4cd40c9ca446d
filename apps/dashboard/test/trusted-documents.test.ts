// The dashboard against a gateway that runs trusted documents only (CRM_TRUSTED_DOCUMENTS), in Debian's chromium: the
// pages of custom fields and objects, whose documents are written at run time from the workspace's definitions, work
// as they do without it, because the gateway derives the same documents from the same templates
// (`@crm/gateway/workspace-documents`, docs/security.md). The data is written with the dashboard's own documents too.
import { fileURLToPath } from 'node:url';
import { manifestFromSources, TrustedDocuments, type TrustedDocumentsManifest } from '@crm/gateway';
import { startTestGateway, type TestClient, type TestGateway } from '@crm/gateway/testing';
import { createRecordDocument, customObjectNames, deleteRecordDocument } from '@crm/gateway/workspace-documents';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser, signIn } from './browser.js';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const sources = ['apps/dashboard/src', 'packages/client/src'].map((dir) => fileURLToPath(new URL(`../../../${dir}`, import.meta.url)));

let manifest: TrustedDocumentsManifest;
let t: TestGateway;
let api: TestClient;
let browser: Browser;
let page: Page;
const ids: Record<string, string> = {};
/** Every refusal the gateway sent the page. */
const refused: string[] = [];

const named = (name: string) => Object.values(manifest).find((text) => new RegExp(`^(query|mutation) ${name}\\b`).test(text))!;
const CONTRACT = customObjectNames({ name: 'Contract', pluralName: 'contracts' });

beforeAll(async () => {
  manifest = manifestFromSources(sources);
  t = await startTestGateway({ dashboardDir: dist, trustedDocuments: new TrustedDocuments(manifest) });
  api = t.workspace.client;
  const defineField = (input: Record<string, unknown>) => api.query(named('DefineCustomField'), { input });
  const contract = (await api.query(named('DefineCustomObject'), { input: { name: 'Contract', label: 'Contract' } })).defineCustomObject.customObject.id;
  await defineField({ customObjectId: contract, name: 'number', label: 'Number', type: 'TEXT' });
  await defineField({ customObjectId: contract, name: 'customer', label: 'Customer', type: 'RELATION', target: 'Customer' });
  await defineField({ object: 'CUSTOMER', name: 'tier', label: 'Tier', type: 'TEXT' });
  await defineField({ object: 'CUSTOMER', name: 'mainContract', label: 'Main contract', type: 'RELATION', target: 'Contract' });
  ids.ada = (await api.query(named('NewCustomer'), { input: { name: 'Ada Trusted', customFields: { tier: 'gold' } } })).createCustomer.customer.id;
  ids.c1 = (await api.query(createRecordDocument(CONTRACT), { input: { number: 'C-1', customer: ids.ada } })).createContract.contract.id;
  ids.c2 = (await api.query(createRecordDocument(CONTRACT), { input: { number: 'C-2' } })).createContract.contract.id;
  await api.query(deleteRecordDocument(CONTRACT), { input: { id: ids.c2, reason: 'typo' } });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('response', async (response) => {
    if (!response.url().endsWith('/graphql')) return;
    const body = await response.text().catch(() => '');
    if (body.includes('PERSISTED_QUERY')) refused.push(body);
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the dashboard with trusted documents on', () => {
  it('refuses a document of its own making (the gateway does enforce them)', async () => {
    expect((await api.request(`{ contracts(first: 5) { edges { node { id number } } } }`)).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
  });

  it('lists a custom object’s records, opens one, edits a value, and shows a customer’s custom fields and contracts', async () => {
    await signIn(page, t.url, t.workspace.apiKey);
    await page.goto(`${t.url}/app/#/objects/Contract`);
    await page.getByTestId('record-list').getByRole('link', { name: 'C-1' }).click();
    await page.getByRole('heading', { name: 'C-1' }).waitFor();
    const card = page.getByTestId('custom-fields');
    await expect.poll(() => card.getByTestId('custom-value-customer').textContent()).toBe('CustomerAda Trusted');
    await card.getByRole('button', { name: 'Edit fields' }).click();
    await card.getByLabel('Number').fill('C-1b');
    await card.getByRole('button', { name: 'Save fields' }).click();
    await expect.poll(() => card.getByTestId('custom-value-number').textContent()).toBe('NumberC-1b');

    await page.goto(`${t.url}/app/#/customers/${encodeURIComponent(ids.ada!)}`);
    await expect.poll(() => page.getByTestId('custom-fields').getByTestId('custom-value-tier').textContent()).toBe('Tiergold');
    await page.getByTestId('reverse-contracts').getByRole('link', { name: 'C-1b' }).waitFor();
    expect(refused).toEqual([]);
  });

  it('shows a custom column of the customers list and restores a record from the trash', async () => {
    await page.goto(`${t.url}/app/#/customers`);
    await page.getByText(/^Columns/).click();
    await page.getByRole('group', { name: 'Show custom fields as columns' }).getByLabel('Tier').check();
    await expect.poll(() => page.getByTestId('customer-list').locator('tbody tr td:nth-child(5)').allTextContents()).toEqual(['gold']);

    await page.goto(`${t.url}/app/#/trash`);
    const row = page.locator(`[data-testid="trash-row"][data-id="${ids.c2}"]`);
    await row.getByRole('button', { name: /^Restore / }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(refused).toEqual([]);
  });
});
