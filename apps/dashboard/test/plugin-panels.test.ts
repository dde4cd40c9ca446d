// The panel contract end to end: a plugin package written outside the repository (a temp folder, plain JavaScript)
// ships a customer panel module; the gateway lists and serves it, and the built dashboard shows it on the customer
// page without any edit to the dashboard's registry. Switched off in the workspace, the panel is gone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestGateway, type TestGateway } from '@crm/gateway/testing';
import { createPluginHost, importPlugin } from '@crm/plugin-sdk/host';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './browser.js';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const sdkDir = fileURLToPath(new URL('../../../packages/plugin-sdk', import.meta.url));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-panel-plugin-'));
let t: TestGateway;
let browser: Browser;
let page: Page;

/** An outside plugin: a Customer field, and a panel module (built, plain DOM) that reads it through the given query. */
function writeNpsPlugin(dir: string) {
  fs.mkdirSync(path.join(dir, 'dashboard'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'acme-nps', version: '1.0.0', type: 'module', exports: './index.js' }));
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    `import { definePlugin } from '@crm/plugin-sdk';
export default definePlugin({
  id: 'acme-nps', version: '1.0.0',
  graphql(builder) {
    builder.prismaObjectField('Customer', 'npsScore', (t) => t.int({ nullable: true, resolve: (customer) => customer.name.length }));
  },
  dashboard: { panels: { score: { title: 'Net promoter score', slot: 'customer', module: new URL('./dashboard/score-panel.js', import.meta.url) } } },
});
`,
  );
  fs.writeFileSync(
    path.join(dir, 'dashboard/score-panel.js'),
    `export default function mount(element, { customerId, query }) {
  const text = document.createElement('p');
  text.textContent = 'Loading…';
  element.append(text);
  query('query Nps($id: ID!) { customer(id: $id) { name npsScore } }', { id: customerId }).then(
    (data) => { text.textContent = 'NPS ' + data.customer.npsScore + ' for ' + data.customer.name; text.dataset.testid = 'nps-score'; },
    (error) => { text.textContent = 'failed: ' + error.message; },
  );
  return () => text.remove();
}
`,
  );
}

beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'node_modules/@crm'), { recursive: true });
  fs.symlinkSync(sdkDir, path.join(root, 'node_modules/@crm/plugin-sdk'), 'dir');
  writeNpsPlugin(path.join(root, 'acme-nps'));
  const { plugin } = await importPlugin(path.join(root, 'acme-nps'));
  const plugins = createPluginHost([plugin]);
  t = await startTestGateway({ dashboardDir: dist, plugins, migrations: plugins.migrations });
  browser = await launchBrowser();
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

it("shows an outside plugin's panel on the customer page, from the gateway, with the signed-in key", async () => {
  const { createCustomer } = await t.workspace.client.query(`mutation { createCustomer(input: { name: "Ada Panel" }) { customer { id } } }`);
  const listed = await t.workspace.client.query(`{ dashboardPanels(slot: "customer") { id plugin title moduleUrl } }`);
  expect(listed.dashboardPanels).toEqual([{ id: 'score', plugin: 'acme-nps', title: 'Net promoter score', moduleUrl: '/plugins/acme-nps/panels/score.js' }]);
  const served = await fetch(`${t.url}/plugins/acme-nps/panels/score.js`);
  expect(served.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect((await fetch(`${t.url}/plugins/acme-nps/panels/..%2Findex.js`)).status).not.toBe(200);

  await page.goto(`${t.url}/`);
  await page.getByLabel('API key').fill(t.workspace.apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto(`${t.url}/app/#/customers/${encodeURIComponent(createCustomer.customer.id)}`);
  const panel = page.getByTestId('plugin-panel-acme-nps-score');
  await panel.getByRole('heading', { name: 'Net promoter score' }).waitFor();
  await panel.getByTestId('nps-score').waitFor();
  expect(await panel.getByTestId('nps-score').textContent()).toBe('NPS 9 for Ada Panel');

  // Switched off in this workspace: no panel.
  await t.workspace.client.query(`mutation { setPluginEnabled(input: { pluginId: "acme-nps", enabled: false }) { plugin { enabled } } }`);
  expect((await t.workspace.client.query(`{ dashboardPanels(slot: "customer") { id } }`)).dashboardPanels).toEqual([]);
  const answered = page.waitForResponse((response) => `${response.url()} ${response.request().postData() ?? ''}`.includes('DashboardPanels'));
  await page.reload();
  await answered;
  await page.getByRole('heading', { name: 'Satisfaction' }).waitFor();
  expect(await page.getByTestId('plugin-panel-acme-nps-score').count()).toBe(0);
});
