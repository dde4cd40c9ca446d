// The built dashboard in Debian's chromium against a real gateway serving it. Writes a screenshot of each page
// to docs/dashboard/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestGateway, type TestClient, type TestGateway } from '@crm/gateway/testing';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser, seriousViolations } from './browser.js';
import { dashboardPlugins } from './global-setup.js';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const shots = fileURLToPath(new URL('../../../docs/dashboard/', import.meta.url));

let t: TestGateway;
let browser: Browser;
let page: Page;
let api: TestClient;
const ids: Record<string, string> = {};

async function createCustomer(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const data = await api.query(`mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, {
    input: { name, ...extra },
  });
  return data.createCustomer.customer.id;
}

async function createCompany(name: string, industry: string): Promise<string> {
  const data = await api.query(`mutation ($input: CreateCompanyInput!) { createCompany(input: $input) { company { id } } }`, { input: { name, industry } });
  return data.createCompany.company.id;
}

/** The customers' names in the list as shown, and the API's answer for the same filter (by name, in one page). */
async function customersShownAndMatching(filter: Record<string, unknown>) {
  const list = page.getByTestId('customer-list');
  const { customers } = await api.query(`query ($filter: CustomerFilter) { customers(first: 50, filter: $filter, orderBy: [{ field: NAME, direction: ASC }]) {
    totalCount edges { node { name } } } }`, { filter });
  const expected = customers.edges.map((e: { node: { name: string } }) => e.node.name);
  await expect.poll(() => list.locator('tbody tr td:first-child a').allTextContents()).toEqual(expected);
  return expected as string[];
}

/** Nothing wider than the window: no horizontal scrolling, and every chart of the overview inside the window. */
async function expectFitsWindow() {
  // Chart.js resizes its canvases on a ResizeObserver callback after the window changes: on a busy machine that takes
  // longer than expect.poll's default second (CI saw a 16 px overflow still there after it).
  await expect.poll(beyondWindow, { timeout: 15_000 }).toEqual({ overflow: 0, outside: [] });
}

/** How far the page scrolls sideways, and the overview's charts not inside the window. */
async function beyondWindow() {
  const { overflow, outside } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const outside = [...document.querySelectorAll('.charts > *')]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.left < 0 || box.right > width;
      })
      .map((element) => element.querySelector('figcaption')?.textContent ?? element.className);
    return { overflow: document.documentElement.scrollWidth - width, outside };
  });
  return { overflow: Math.max(0, overflow), outside };
}

/** The "Open pipeline by stage" chart's text alternative ("Stage $amount" per open stage). */
const pipelineChartLabel = () => page.getByRole('img', { name: /^Open pipeline by stage:/ }).getAttribute('aria-label');

/** The API's `dealsGroupBy` for the default pipeline's open deals, as the chart's text alternative says it. */
async function pipelineByStageFromApi(): Promise<string> {
  const { pipelines } = await api.query(`{ pipelines { id isDefault stages { id name isWon isLost } } }`);
  const pipeline = pipelines.find((p: { isDefault: boolean }) => p.isDefault);
  const { dealsGroupBy } = await api.query(
    `query ($pipelineId: ID!) { dealsGroupBy(filter: { pipelineId: { eq: $pipelineId }, status: { eq: OPEN } }, by: [{ field: STAGE_ID }]) {
      key { stageId } aggregate { sum { amount } } } }`,
    { pipelineId: pipeline.id },
  );
  const sums = new Map(dealsGroupBy.map((g: { key: { stageId: string }; aggregate: { sum: { amount: string | null } } }) => [g.key.stageId, Number(g.aggregate.sum.amount ?? 0)]));
  const open = pipeline.stages.filter((s: { isWon: boolean; isLost: boolean }) => !s.isWon && !s.isLost);
  const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
  return `Open pipeline by stage: ${open.map((s: { id: string; name: string }) => `${s.name} ${money.format(Math.round(Number(sums.get(s.id) ?? 0)))}`).join(', ')}`;
}

async function dealStage(id: string): Promise<{ status: string; stage: string; lostReason: string | null }> {
  const data = await api.query(`query ($id: ID!) { deal(id: $id) { status lostReason stage { name } } }`, { id });
  return { status: data.deal.status, stage: data.deal.stage.name, lostReason: data.deal.lostReason };
}

async function expectNoSeriousViolations() {
  expect(await seriousViolations(page)).toEqual([]);
}

/** Signs out of the current session and in with another key. */
async function switchKey(apiKey: string) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Counts the `dashboardMetrics` queries the page sends over HTTP from now until `stop()`. */
function countMetricsQueries() {
  let count = 0;
  // Queries may go as GET (in the URL) or POST (in the body).
  const listener = (request: Request) => void (`${request.url()} ${request.postData() ?? ''}`.includes('dashboardMetrics') && count++);
  page.on('request', listener);
  return {
    stop() {
      page.off('request', listener);
      return count;
    },
  };
}

const shot = (name: string) => page.screenshot({ path: `${shots}${name}.png`, fullPage: true });

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  const plugins = dashboardPlugins();
  t = await startTestGateway({ dashboardDir: dist, plugins, migrations: plugins.migrations });
  api = t.workspace.client;
  const retail = await createCompany('Analytical Engines', 'Retail');
  const government = await createCompany('Navy Computing', 'Government');
  ids.ada = await createCustomer('Ada Lovelace', { email: 'ada@example.com', lifecycleStage: 'CUSTOMER', tags: ['vip'], companyId: retail });
  ids.grace = await createCustomer('Grace Hopper', { email: 'grace@example.com', lifecycleStage: 'LEAD', companyId: government });
  // More than one page of the customer list (30), for the infinite scroll.
  for (let i = 1; i <= 32; i++) await createCustomer(`Sample Customer ${String(i).padStart(2, '0')}`, { lifecycleStage: i % 3 ? 'PROSPECT' : 'LEAD' });
  await api.query(`mutation ($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }`, {
    input: { customerId: ids.ada, orderRef: 'A-1001', lines: [{ sku: 'MUG', quantity: 2, unitPrice: '12.50' }] },
  });
  // Earlier purchases (before this month, on many days, some repeat buyers) so that the lifetime-value model fits.
  const pastOrder = (customerId: string, orderRef: string, daysAgo: number, unitPrice: string) =>
    api.query(`mutation ($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }`, {
      input: { customerId, orderRef, orderedAt: new Date(Date.now() - daysAgo * 86_400_000).toISOString(), lines: [{ sku: 'LAMP', quantity: 1, unitPrice }] },
    });
  await pastOrder(ids.ada!, 'A-0800', 200, '100.00');
  await pastOrder(ids.ada!, 'A-0900', 90, '100.00');
  await pastOrder(ids.grace!, 'G-0', 60, '100.00');
  const samples = await api.query(`{ customers(first: 12, search: "Sample") { edges { node { id } } } }`);
  for (const [i, { node }] of (samples.customers.edges as { node: { id: string } }[]).entries()) {
    await pastOrder(node.id, `S-${i}-1`, 330 - i * 23, `${40 + i * 15}.00`);
    if (i % 2 === 0) await pastOrder(node.id, `S-${i}-2`, 150 - i * 9, `${30 + i * 10}.00`);
    if (i % 4 === 0) await pastOrder(node.id, `S-${i}-3`, 50 + i, '75.00');
  }
  // A cross-sell rule LAMP → KETTLE: two of the lamp buyers also bought a kettle (the plugin's minimum pair count),
  // so Ada, who bought a lamp, is offered one.
  await api.query(`mutation { createProduct(input: { sku: "KETTLE", name: "Gooseneck kettle", unitPrice: "39.00" }) { product { id } } }`);
  for (const [i, { node }] of (samples.customers.edges as { node: { id: string } }[]).slice(0, 2).entries()) {
    await api.query(`mutation ($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }`, {
      input: { customerId: node.id, orderRef: `K-${i}`, orderedAt: new Date(Date.now() - (40 + i) * 86_400_000).toISOString(), lines: [{ sku: 'KETTLE', quantity: 1, unitPrice: '39.00' }] },
    });
  }
  await api.query(`mutation { createCompetitor(input: { name: "BeanBox", aliases: ["Bean Box"] }) { competitor { id } } }`);
  await api.query(`mutation { refreshClvModel { model { id } } }`);
  for (const [title, amount] of [
    ['Board deal', '5000.00'],
    ['Keyboard deal', '2500.00'],
    ['Lost deal', '900.00'],
  ] as const) {
    const deal = await api.query(`mutation ($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }`, {
      input: { title, customerId: ids.grace, amount },
    });
    ids[title] = deal.createDeal.deal.id;
  }
  // A saved segment (the filter language), for the customers page's segment filter.
  const segment = await api.query(`mutation { createSegment(input: { name: "VIP customers", filter: { tags: { has: "vip" } } }) { segment { id } } }`);
  ids.vipSegment = segment.createSegment.segment.id;
  browser = await launchBrowser();
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the dashboard in a browser', () => {
  it('signs in with an API key and shows the workspace and role', async () => {
    await page.goto(`${t.url}/`);
    await page.getByLabel('API key').waitFor();
    await expectNoSeriousViolations();
    await shot('sign-in');
    await page.getByLabel('API key').fill('crm_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    await page.getByLabel('API key').fill(t.workspace.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('workspace-name').textContent()).toBe('Workspace A');
    expect(await page.getByTestId('role').textContent()).toBe('ADMIN');
  });

  it('shows a customer created through the API in the feed and the figures within 1 s, without reload, pushed by the subscription', async () => {
    const figure = page.getByTestId('figure-customers').locator('dd');
    await expect.poll(() => figure.textContent()).toBe('34');
    await page.getByText('Waiting for changes').waitFor();
    await page.waitForTimeout(300); // the event stream subscribes once the page is up
    const metricsQueries = countMetricsQueries();
    const started = Date.now();
    await createCustomer('Live Linus', { lifecycleStage: 'LEAD' });
    await page.getByTestId('event-feed').getByText('Live Linus').first().waitFor({ timeout: 1000 });
    await expect.poll(() => figure.textContent(), { timeout: 1000 - (Date.now() - started), interval: 25 }).toBe('35');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(metricsQueries.stop()).toBe(0); // no refetch over HTTP: the new figures came through the subscription
    await page.locator('canvas').first().waitFor();
    // The report charts, from one request of server-side aggregates (reports { … }), matching the API's answer.
    const { reports } = await api.query(`{ reports { revenueByMonth { month revenue } cohorts { cohort size } customerEquity { bySegment { key } } } }`);
    await expect.poll(() => page.getByRole('img', { name: /^Revenue by month:/ }).getAttribute('aria-label')).toMatch(/\$25$/); // this month: A-1001
    expect(reports.revenueByMonth.at(-1).revenue).toBe('25.00');
    const equity = page.getByRole('img', { name: /^Customer equity by segment:/ });
    await equity.waitFor();
    for (const { key } of reports.customerEquity.bySegment) expect(await equity.getAttribute('aria-label')).toContain(key);
    const heatmap = page.getByTestId('chart-cohort-retention');
    await heatmap.locator('canvas').waitFor();
    expect(reports.cohorts.length).toBeGreaterThan(1);
    expect(await heatmap.locator('tbody tr').count()).toBe(reports.cohorts.length);
    expect(await heatmap.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(reports.cohorts.map((c: { size: number }) => String(c.size)));
    // Open pipeline by stage: the gateway's dealsGroupBy (one request, no paging through deals in the browser).
    const groupBy = await pipelineByStageFromApi();
    expect(groupBy).toContain('Qualification $8,400'); // the three new deals: 5,000 + 2,500 + 900
    await expect.poll(pipelineChartLabel).toBe(groupBy);
    // 1280 px: every chart inside the window, also after the window was wider (Chart.js sizes each canvas from its
    // box; the grid used to keep the wider canvases, pushing the right column out of the window and cutting it).
    await expectFitsWindow();
    await page.setViewportSize({ width: 1600, height: 900 });
    // Chart.js resizes from a ResizeObserver on the next frame; a loaded CI machine took over the 1 s default.
    await expect.poll(() => page.locator('.charts canvas').first().evaluate((canvas) => canvas.getBoundingClientRect().width), { timeout: 15_000 }).toBeGreaterThan(400);
    await page.setViewportSize({ width: 1280, height: 900 });
    await expectFitsWindow();
    await page.waitForTimeout(400); // chart animation
    await expectNoSeriousViolations();
    await shot('overview');
  });

  it('changes revenue this month and average CSAT live when an order and survey answers are recorded through the API', async () => {
    const revenue = page.getByTestId('figure-revenue-this-month').locator('dd');
    await expect.poll(() => revenue.textContent()).toBe('$25'); // A-1001: 2 × 12.50
    const metricsQueries = countMetricsQueries();
    const started = Date.now();
    await api.query(`mutation ($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }`, {
      input: { customerId: ids.grace, orderRef: 'G-1', lines: [{ sku: 'DESK', quantity: 1, unitPrice: '400.00' }] },
    });
    await expect.poll(() => revenue.textContent(), { timeout: 1000, interval: 25 }).toBe('$425');
    expect(Date.now() - started).toBeLessThan(1000);
    // The revenue chart follows (charts refresh at most every 2 s).
    await expect.poll(() => page.getByRole('img', { name: /^Revenue by month:/ }).getAttribute('aria-label'), { timeout: 4000 }).toMatch(/\$425$/);

    // Average CSAT, from no ratings to the mean of two.
    const csat = page.getByTestId('figure-average-csat').locator('dd');
    expect(await csat.textContent()).toBe('No ratings');
    for (const score of [4, 5]) {
      await api.query(`mutation ($input: RecordSurveyResponseInput!) { recordSurveyResponse(input: $input) { __typename } }`, {
        input: { customerId: ids.grace, kind: 'CSAT', score },
      });
    }
    await expect.poll(() => csat.textContent(), { timeout: 1000, interval: 25 }).toBe('4.50');
    expect(metricsQueries.stop()).toBe(0);
  });

  it('moves a deal on the board (drag, keyboard, lost with a reason) and the API has it moved', async () => {
    await page.goto(`${t.url}/app/#/pipeline`);
    const card = (title: string) => page.locator(`[data-deal="${title}"]`);
    await card('Board deal').waitFor();
    await card('Board deal').dragTo(page.locator('[data-stage="Proposal"]'));
    await expect.poll(async () => (await dealStage(ids['Board deal']!)).stage).toBe('Proposal');
    expect(await page.locator('[data-stage="Proposal"] [data-deal="Board deal"]').count()).toBe(1);

    // Keyboard: the card's "Move to" list.
    await card('Keyboard deal').getByLabel('Move Keyboard deal to').selectOption({ label: 'Move to Negotiation' });
    await expect.poll(async () => (await dealStage(ids['Keyboard deal']!)).stage).toBe('Negotiation');

    // A lost stage asks for the reason first.
    await card('Lost deal').getByLabel('Move Lost deal to').selectOption({ label: 'Move to Lost' });
    await page.getByRole('dialog').getByLabel('Lost reason').fill('Went with a competitor');
    await page.getByRole('button', { name: 'Mark as lost' }).click();
    await expect.poll(() => dealStage(ids['Lost deal']!)).toEqual({ status: 'LOST', stage: 'Lost', lostReason: 'Went with a competitor' });

    // Someone else's move appears live.
    const stages = await api.query(`{ pipelines { isDefault stages { id name } } }`);
    const won = stages.pipelines.find((p: { isDefault: boolean }) => p.isDefault).stages.find((s: { name: string }) => s.name === 'Won');
    await api.query(`mutation ($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }`, { input: { id: ids['Board deal'], stageId: won.id } });
    await page.locator('[data-stage="Won"] [data-deal="Board deal"]').waitFor({ timeout: 2000 });
    await expectNoSeriousViolations();
    await shot('pipeline');
  });

  it('filters the board by deal amount (the filter language), as the API answers it', async () => {
    const cards = page.locator('.deal-card');
    await expect.poll(() => cards.count()).toBe(3);
    const { pipelines } = await api.query(`{ pipelines { id isDefault } }`);
    const pipelineId = pipelines.find((p: { isDefault: boolean }) => p.isDefault).id;
    const { deals } = await api.query(`query ($pipelineId: ID!) { deals(first: 50, filter: { pipelineId: { eq: $pipelineId }, amount: { gte: "2000" } }) {
      edges { node { title } } } }`, { pipelineId });
    const expected = deals.edges.map((e: { node: { title: string } }) => e.node.title).sort();
    expect(expected).toEqual(['Board deal', 'Keyboard deal']);
    await page.getByLabel('Deal amount at least').fill('2,000');
    await expect.poll(async () => (await cards.evaluateAll((els) => els.map((el) => el.getAttribute('data-deal')))).sort()).toEqual(expected);
    await page.getByLabel('Deal amount at least').fill('1000000');
    await page.getByText('No deal in this pipeline is worth $1,000,000 or more').waitFor();
    await page.getByLabel('Deal amount at least').fill('');
    await expect.poll(() => cards.count()).toBe(3);
  });

  it('finds a customer by search, with infinite scroll over the list', async () => {
    await page.goto(`${t.url}/app/#/customers`);
    await page.getByTestId('customer-list').waitFor();
    await page.getByLabel('Search').fill('grace');
    await expect.poll(() => page.getByTestId('customer-list').locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('customer-list').getByText('Grace Hopper').count()).toBe(1);
    await page.getByLabel('Search').fill('');
    const rows = page.getByTestId('customer-list').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(30); // the first page
    await rows.last().scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 5000);
    await expect.poll(() => rows.count()).toBe(35); // the next page, merged below it
    await expectNoSeriousViolations();
    await shot('customers');
  });

  it('sorts the customers by predicted lifetime value and filters them by RFM segment', async () => {
    const ranked = await api.query(`{ customers(first: 3, orderBy: [{ field: PREDICTED_LIFETIME_VALUE, direction: DESC }]) {
      edges { node { name analytics { predictedLifetimeValue rfm { segment segmentName } } } } } }`);
    const top = ranked.customers.edges.map((e: { node: { name: string } }) => e.node.name);
    const list = page.getByTestId('customer-list');
    await page.getByLabel('Sort by').selectOption({ label: 'Predicted lifetime value' });
    await list.getByRole('columnheader', { name: 'Predicted value' }).waitFor();
    await expect.poll(async () => (await list.locator('tbody tr td:first-child a').allTextContents()).slice(0, 3)).toEqual(top);

    // The top customer's segment: the filtered list is exactly the API's answer for that segment.
    const { segment, segmentName } = ranked.customers.edges[0].node.analytics.rfm;
    const inSegment = await api.query(`query ($segment: RfmSegment!) { customers(first: 50, filter: { score: { rfmSegment: { eq: $segment } } }) { totalCount } }`, {
      segment,
    });
    await page.getByLabel('RFM segment').selectOption(segment);
    await expect.poll(() => list.locator('tbody tr').count()).toBe(inSegment.customers.totalCount);
    // The scores come with the table's extra columns (their own query, after the list's).
    await expect.poll(async () => new Set(await list.locator('tbody tr td:nth-child(6)').allTextContents())).toEqual(new Set([segmentName]));
    await expectNoSeriousViolations();
    await shot('customers-by-predicted-value');
    await page.getByLabel('RFM segment').selectOption('');
    await page.getByLabel('Sort by').selectOption({ label: 'Name' });
  });

  it('filters the customers by company industry, deal amount and saved segment, as the API answers each filter', async () => {
    const list = page.getByTestId('customer-list');
    // Company industry (a to-one relation filter); the choices are the industries of the workspace's companies.
    expect(await page.getByLabel('Company industry').locator('option').allTextContents()).toEqual(['All industries', 'Government', 'Retail']);
    await page.getByLabel('Company industry').selectOption('Retail');
    expect(await customersShownAndMatching({ company: { industry: { eq: 'Retail' } } })).toEqual(['Ada Lovelace']);
    await page.getByLabel('Company industry').selectOption('');
    // Deal amount (a to-many relation filter: a deal of at least that amount).
    await page.getByLabel('Deal amount at least').fill('2000');
    expect(await customersShownAndMatching({ deals: { some: { amount: { gte: '2000' } } } })).toEqual(['Grace Hopper']);
    await shot('customers-by-deal-amount');
    // Both at once: nobody (Grace's company is not in retail).
    await page.getByLabel('Company industry').selectOption('Retail');
    await page.getByText('No customer matches').waitFor();
    await page.getByLabel('Company industry').selectOption('');
    await page.getByLabel('Deal amount at least').fill('');
    // A saved segment (membership, `inSegment`).
    await page.getByLabel('Saved segment').selectOption({ label: 'VIP customers' });
    expect(await customersShownAndMatching({ inSegment: ids.vipSegment })).toEqual(['Ada Lovelace']);
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('1 found');
    await page.getByLabel('Saved segment').selectOption('');
    await expect.poll(() => list.locator('tbody tr').count()).toBeGreaterThan(1);
  });

  it('shows the customer 360 with an order recorded through the API, live', async () => {
    await page.goto(`${t.url}/app/#/customers/${encodeURIComponent(ids.ada!)}`);
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await page.getByTestId('orders').getByText('A-1001').waitFor();
    await api.query(`mutation ($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }`, {
      input: { customerId: ids.ada, orderRef: 'A-1002', lines: [{ sku: 'TEAPOT', quantity: 1, unitPrice: '49.90' }] },
    });
    await page.getByTestId('orders').getByText('A-1002').waitFor({ timeout: 2000 });
    expect(await page.getByTestId('orders').textContent()).toContain('$49.90');
    // The analytics panel (as of the fit in beforeAll) and the loyalty panel (the plugin runs on this gateway).
    const analytics = page.getByTestId('panel-analytics');
    await analytics.getByText('Predicted lifetime value').waitFor();
    await expect.poll(() => analytics.textContent()).toMatch(/Probability alive\d+%/);
    const text = (await analytics.textContent()) ?? '';
    expect(text).toMatch(/Predicted lifetime value\$[\d,]+\.\d\d/);
    expect(text).toMatch(/Expected purchases \(52 weeks\)\d+\.\d/);
    expect(text).toMatch(/RFM segment[A-Z][a-z' ]+ \(R\d F\d M\d\)/);
    expect(text).toContain('Profit');
    // 25 + 2 × 100 points for the earlier orders, then 49 for A-1002, live (the plugin's `loyalty.points_earned`).
    const loyalty = page.getByTestId('panel-loyalty');
    await expect.poll(() => loyalty.getByTestId('loyalty-points').textContent(), { timeout: 3000 }).toBe('274');
    expect(await loyalty.textContent()).toContain('Bronze');
    expect(await loyalty.getByRole('list', { name: 'Recent loyalty transactions' }).locator('li').count()).toBe(4);
    // The cross-sell plugin's suggestion (rule LAMP → KETTLE from beforeAll) and, live, a competitor named in a call.
    const crossSell = page.getByTestId('panel-cross-sell');
    await crossSell.getByText('Gooseneck kettle').waitFor();
    expect(await crossSell.textContent()).toMatch(/bought by 2 of \d+ customers who bought LAMP/);
    const mentions = page.getByTestId('panel-competitor-mentions');
    await mentions.getByText('No competitor named yet', { exact: false }).waitFor();
    await api.query(`mutation ($input: LogActivityInput!) { logActivity(input: $input) { activity { id } } }`, {
      input: { customerId: ids.ada, type: 'CALL', channel: 'PHONE', subject: 'Asked whether we match the Bean Box subscription price' },
    });
    await expect.poll(() => mentions.getByTestId('competitor-summary').textContent(), { timeout: 3000 }).toBe('BeanBox ×1');
    expect(await mentions.getByRole('list', { name: 'Latest competitor mentions' }).textContent()).toContain('“Bean Box”');
    // Field history (docs/data.md): an edit through the API appears live, field by field, from and to.
    await api.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, phone: "+44 20 7946 0999" }) { customer { id } } }`, { id: ids.ada });
    await expect.poll(() => page.getByTestId('history').textContent(), { timeout: 3000 }).toMatch(/phone: .+ → \+44 20 7946 0999/);
    await expectNoSeriousViolations();
    await shot('customer-360');
  });

  it('shows a READ_ONLY key no edit controls', async () => {
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    await switchKey(readOnly.apiKey!);
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('READ ONLY');
    await page.goto(`${t.url}/app/#/customers`);
    await page.getByTestId('customer-list').waitFor();
    expect(await page.getByRole('button', { name: 'New customer' }).count()).toBe(0);
    await page.goto(`${t.url}/app/#/pipeline`);
    await page.locator('[data-deal="Keyboard deal"]').waitFor();
    expect(await page.locator('.deal-card select').count()).toBe(0);
    expect(await page.locator('[data-deal="Keyboard deal"]').getAttribute('draggable')).toBe('false');
    await page.goto(`${t.url}/app/#/customers/${encodeURIComponent(ids.ada!)}`);
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
  });

  it('rolls a move back on the board when the server refuses it, and says why', async () => {
    const member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
    await switchKey(member.apiKey!);
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('MEMBER');
    await page.goto(`${t.url}/app/#/pipeline`);
    const card = page.locator('[data-stage="Negotiation"] [data-deal="Keyboard deal"]');
    await card.waitFor();
    // An admin revokes the key while the board is open: the next move is refused.
    const keys = await api.query(`{ apiKeys(first: 50) { edges { node { id name } } } }`);
    const memberKey = keys.apiKeys.edges.find((e: { node: { name: string } }) => e.node.name === 'test MEMBER').node.id;
    await api.query(`mutation ($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id } } }`, { input: { id: memberKey } });
    await card.getByLabel('Move Keyboard deal to').selectOption({ label: 'Move to Proposal' });
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('could not be moved');
    await page.locator('[data-stage="Negotiation"] [data-deal="Keyboard deal"]').waitFor();
    expect(await page.locator('[data-stage="Proposal"] [data-deal="Keyboard deal"]').count()).toBe(0);
    expect((await dealStage(ids['Keyboard deal']!)).stage).toBe('Negotiation');
  });

  it('is keyboard navigable with a visible focus', async () => {
    await switchKey(t.workspace.apiKey);
    await page.goto(`${t.url}/app/#/`);
    await page.getByTestId('figure-customers').waitFor();
    // The board's moves above: one deal won, one lost (the refused move changed nothing).
    await expect.poll(() => page.getByTestId('figure-won-lost-this-month').locator('dd').textContent()).toBe('1 / 1');
    // The pipeline chart's groups follow the moves: only the keyboard deal is still open, in Negotiation.
    const groupBy = await pipelineByStageFromApi();
    expect(groupBy).toContain('Negotiation $2,500');
    await expect.poll(pipelineChartLabel).toBe(groupBy);
    await page.keyboard.press('Tab'); // the skip link comes first
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      const style = getComputedStyle(element);
      return { text: element.textContent, outline: style.outlineStyle, width: style.outlineWidth };
    });
    expect(focused).toEqual({ text: 'Overview', outline: 'solid', width: '3px' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // the "Pipeline" link
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/pipeline');
  });

  it('fits a phone-sized window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.url}/app/#/`);
    await page.getByTestId('figure-customers').waitFor();
    await page.locator('canvas').first().waitFor();
    await expectFitsWindow();
    await page.waitForTimeout(400);
    await shot('overview-phone');
    // The customer 360 with its analytics and loyalty panels, too.
    await page.goto(`${t.url}/app/#/customers/${encodeURIComponent(ids.ada!)}`);
    await page.getByTestId('panel-loyalty').getByTestId('loyalty-points').waitFor();
    await page.getByTestId('panel-analytics').getByText('Predicted lifetime value').waitFor();
    const overflow360 = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow360).toBeLessThanOrEqual(0);
    await shot('customer-360-phone');
  });
});

describe('a gateway without plugins (CRM_PLUGINS=)', () => {
  let bare: TestGateway;
  let tab: Page;
  beforeAll(async () => {
    bare = await startTestGateway({ dashboardDir: dist });
    tab = await browser.context.newPage();
  });
  afterAll(async () => {
    await tab?.close();
    await bare?.close();
  });

  it('shows the analytics panel on the customer 360, no loyalty panel and no error', async () => {
    const data = await bare.workspace.client.query(`mutation { createCustomer(input: { name: "Plain Customer" }) { customer { id } } }`);
    const id: string = data.createCustomer.customer.id;
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    const sent: string[] = [];
    tab.on('request', (request) => sent.push(`${request.url()} ${request.postData() ?? ''}`));
    await tab.goto(`${bare.url}/`);
    await tab.getByLabel('API key').fill(bare.workspace.apiKey);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByTestId('workspace-name').waitFor();
    await tab.goto(`${bare.url}/app/#/customers/${encodeURIComponent(id)}`);
    await tab.getByRole('heading', { name: 'Plain Customer' }).waitFor();
    await tab.getByTestId('panel-analytics').getByText('Not scored yet').first().waitFor();
    expect(await tab.getByTestId('panel-loyalty').count()).toBe(0);
    expect(await tab.getByTestId('panel-cross-sell').count()).toBe(0);
    expect(await tab.getByTestId('panel-competitor-mentions').count()).toBe(0);
    expect(await tab.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
    expect(sent.filter((request) => /CustomerLoyalty|CustomerCrossSell|CustomerCompetitorMentions/.test(request))).toEqual([]);
    expect(sent.filter((request) => request.includes('CustomerFields'))).toHaveLength(1); // learned once
    // Another customer page in the same session does not ask again.
    await tab.goto(`${bare.url}/app/#/customers`);
    await tab.getByTestId('customer-list').getByText('Plain Customer').click();
    await tab.getByTestId('panel-analytics').waitFor();
    expect(sent.filter((request) => request.includes('CustomerFields'))).toHaveLength(1);
    expect(await seriousViolations(tab)).toEqual([]);
  });
});
