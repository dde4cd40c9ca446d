// Administering custom objects and the trash in the built dashboard, in Debian's chromium against a real gateway: an
// ADMIN renames, archives (and restores) and deletes a custom object on the Fields page, seeing who uses one the API
// refuses to delete, then deletes it anyway; the Trash page lists the trashed records of every object newest first
// (core's and custom objects', merged, paged), restores one and deletes one forever. MEMBER keys see no object
// actions and no “Delete forever” (and the API refuses them: checked over HTTP), READ_ONLY keys restore nothing, and
// another workspace restores nothing of this one. Each page at 1280 px and on a phone, without serious axe violations.
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
const defineObject = async (name: string) =>
  (await api.query(`mutation ($i: DefineCustomObjectInput!) { defineCustomObject(input: $i) { customObject { id } } }`, { i: { name, label: name } })).defineCustomObject.customObject.id as string;
const customObjectNames = async (archived = false) =>
  (await api.query(`query ($archived: Boolean) { customObjects(archived: $archived) { name } }`, { archived })).customObjects.map((o: { name: string }) => o.name) as string[];
const navLinks = () => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

/** The trash as the API lists it, every object merged newest first (what the page must show, in this order). */
async function apiTrash(objects: string[]): Promise<string[]> {
  const entries: { id: string; deletedAt: string }[] = [];
  for (const object of objects) {
    const { trash } = await api.query(`query ($o: TrashObject!) { trash(object: $o, first: 100) { edges { node { id deletedAt } } } }`, { o: object });
    entries.push(...trash.edges.map((e: { node: { id: string; deletedAt: string } }) => e.node));
  }
  return entries.sort((a, b) => (a.deletedAt === b.deletedAt ? (a.id < b.id ? 1 : -1) : a.deletedAt < b.deletedAt ? 1 : -1)).map((e) => e.id);
}
const shownTrash = () => page.getByTestId('trash-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));
const trashRow = (id: string) => page.locator(`[data-testid="trash-row"][data-id="${id}"]`);

beforeAll(async () => {
  t = await startTestGateway({ dashboardDir: dist });
  api = t.workspace.client;
  // Asset has records and a relation field of Lease pointing at it: its delete is refused until forced.
  ids.asset = await defineObject('Asset');
  await api.query(DEFINE, { i: { customObjectId: ids.asset, name: 'tag', label: 'Tag', type: 'TEXT' } });
  ids.lease = await defineObject('Lease');
  await api.query(DEFINE, { i: { customObjectId: ids.lease, name: 'reference', label: 'Reference', type: 'TEXT' } });
  await api.query(DEFINE, { i: { customObjectId: ids.lease, name: 'asset', label: 'Asset', type: 'RELATION', target: 'Asset' } });
  ids.scratch = await defineObject('Scratch');
  ids.a1 = (await api.query(`mutation { createAsset(input: { tag: "A-1" }) { asset { id } } }`)).createAsset.asset.id;

  // The trash: customers and leases deleted in turn (25 records: more than a page of 20).
  for (let i = 1; i <= 13; i++) {
    const customer = (await api.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: `Trashed ${i}` })).createCustomer.customer.id as string;
    await api.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id, reason: "duplicate" }) { deletedCustomerId } }`, { id: customer });
    ids[`customer${i}`] = customer;
    if (i > 12) break;
    const lease = (await api.query(`mutation ($r: String!) { createLease(input: { reference: $r }) { lease { id } } }`, { r: `L-${i}` })).createLease.lease.id as string;
    await api.query(`mutation ($id: ID!) { deleteLease(input: { id: $id }) { deletedLeaseId } }`, { id: lease });
    ids[`lease${i}`] = lease;
  }
  browser = await launchBrowser();
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('custom objects on the ADMIN fields page', () => {
  it('renames an object: its list in the navigation and the API follow', async () => {
    await signIn(page, t.url, t.workspace.apiKey);
    await page.goto(`${t.url}/app/#/settings/fields`);
    await page.getByLabel('Object').selectOption({ label: 'Asset (custom object)' });
    const settings = page.getByTestId('object-settings');
    await settings.getByRole('button', { name: 'Rename object' }).click();
    const form = settings.getByRole('form', { name: 'Rename Asset' });
    await form.getByLabel('Type name (API)').fill('Device');
    await form.getByLabel('Plural (API list)').fill('devices');
    await form.getByLabel('Object label').fill('Device');
    await form.getByRole('button', { name: 'Save object' }).click();
    await expect.poll(() => settings.getByRole('heading').textContent()).toBe('Device settings');
    await expect.poll(navLinks).toContain('Devices');
    expect((await api.query(`{ devices(first: 5) { edges { node { tag } } } }`)).devices.edges).toEqual([{ node: { tag: 'A-1' } }]);
    await expectBothWidths(page, shots, 'custom-object-settings');
  });

  it('archives an object and restores it', async () => {
    await page.getByLabel('Object').selectOption({ label: 'Scratch (custom object)' });
    const settings = page.getByTestId('object-settings');
    await settings.getByRole('button', { name: 'Archive object' }).click();
    await settings.getByRole('button', { name: 'Archive object' }).click();
    await page.getByTestId('archived-object-Scratch').waitFor();
    await expect.poll(navLinks).not.toContain('Scratches');
    expect(await customObjectNames(true)).toEqual(['Scratch']);
    await page.getByRole('button', { name: 'Restore Scratch' }).click();
    await expect.poll(() => page.getByTestId('archived-object-Scratch').count()).toBe(0);
    await expect.poll(navLinks).toContain('Scratches');
    expect(await customObjectNames()).toContain('Scratch');
  });

  it('lists who uses an object the API refuses to delete, then deletes it anyway', async () => {
    await page.getByLabel('Object').selectOption({ label: 'Device (custom object)' });
    const settings = page.getByTestId('object-settings');
    await settings.getByRole('button', { name: 'Delete object' }).click();
    await settings.getByRole('button', { name: 'Delete object' }).click();
    await expect.poll(() => settings.getByTestId('used-by').locator('li').allTextContents()).toEqual(['records: 1', 'field: asset']);
    expect(await customObjectNames()).toContain('Device');
    await settings.getByRole('button', { name: 'Delete anyway' }).click();
    await expect.poll(navLinks).not.toContain('Devices');
    expect(await customObjectNames()).not.toContain('Device');
    // The relation field pointing at it went with it.
    expect((await api.query(`query ($id: ID!) { customFields(customObjectId: $id) { name } }`, { id: ids.lease })).customFields).toEqual([{ name: 'reference' }]);
  });
});

describe('the trash', () => {
  it('lists every object’s trashed records newest first, with their type and when, a page at a time', async () => {
    const expected = await apiTrash(['CUSTOMER', 'LEASE']);
    expect(expected).toHaveLength(25);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trash' }).click();
    await expect.poll(shownTrash).toEqual(expected.slice(0, 20));
    const newest = trashRow(ids.customer13!);
    expect(await newest.locator('td').first().textContent()).toBe('Trashed 13“duplicate”');
    expect(await newest.getByRole('cell').nth(1).textContent()).toBe('Customer');
    expect(await trashRow(ids.lease12!).getByRole('cell').nth(1).textContent()).toBe('Lease');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(shownTrash).toEqual(expected);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    await expectBothWidths(page, shots, 'trash');
  });

  it('restores a record and deletes one forever (ADMIN)', async () => {
    await trashRow(ids.customer13!).getByRole('button', { name: 'Restore Trashed 13' }).click();
    await expect.poll(() => trashRow(ids.customer13!).count()).toBe(0);
    expect((await api.query(`query ($id: ID!) { customer(id: $id) { name } }`, { id: ids.customer13 })).customer).toEqual({ name: 'Trashed 13' });

    const lease = trashRow(ids.lease12!);
    await lease.getByRole('button', { name: /^Delete forever: / }).click();
    await lease.getByRole('button', { name: 'Delete forever' }).click();
    await expect.poll(() => trashRow(ids.lease12!).count()).toBe(0);
    expect(await apiTrash(['LEASE'])).not.toContain(ids.lease12);
    const again = await api.request(`mutation ($id: ID!) { restoreLease(input: { id: $id }) { lease { id } } }`, { id: ids.lease12 });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('gives MEMBER keys restore without delete forever or object actions, and READ_ONLY keys neither; the API refuses them too', async () => {
    const member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, t.url, member.apiKey!);
    await page.goto(`${t.url}/app/#/trash`);
    await trashRow(ids.lease11!).getByRole('button', { name: /^Restore / }).waitFor();
    expect(await page.getByRole('button', { name: /forever/ }).count()).toBe(0);
    await page.goto(`${t.url}/app/#/settings/fields`);
    await page.getByText('Only ADMIN keys define custom fields').waitFor();
    expect(await page.getByTestId('object-settings').count()).toBe(0);
    // The API refuses what the page does not offer.
    const refusals = [
      await member.request(`mutation ($id: ID!) { destroyLease(input: { id: $id }) { destroyedLeaseId } }`, { id: ids.lease11 }),
      await member.request(`mutation ($id: ID!) { destroyCustomer(input: { id: $id }) { destroyedCustomerId } }`, { id: ids.customer1 }),
      await member.request(`mutation ($id: ID!) { renameCustomObject(input: { id: $id, label: "Mine" }) { customObject { id } } }`, { id: ids.lease }),
      await member.request(`mutation ($id: ID!) { archiveCustomObject(input: { id: $id }) { customObject { id } } }`, { id: ids.lease }),
      await member.request(`mutation ($id: ID!) { deleteCustomObject(input: { id: $id, force: true }) { deletedId } }`, { id: ids.lease }),
    ];
    expect(refusals.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(await apiTrash(['LEASE'])).toContain(ids.lease11);

    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, t.url, readOnly.apiKey!);
    await page.goto(`${t.url}/app/#/trash`);
    await trashRow(ids.customer12!).waitFor();
    expect(await page.getByRole('button', { name: /^Restore |forever/ }).count()).toBe(0);
    const restored = await readOnly.request(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: ids.customer1 });
    expect(restored.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('shows another workspace none of these records, and restores none of them for it', async () => {
    const other = await t.createWorkspace('Other trash');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, t.url, other.apiKey);
    await page.goto(`${t.url}/app/#/trash`);
    await page.getByText('The trash is empty.').waitFor();
    const restored = await other.client.request(`mutation ($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } } }`, { id: ids.customer1 });
    expect(restored.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await apiTrash(['CUSTOMER'])).toContain(ids.customer1);
  });
});
