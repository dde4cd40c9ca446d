// The Workflows pages in the built dashboard, in Debian's chromium against a real gateway running the workflows plugin
// with the demo workspace's seeded workflows: the list with each workflow's state and last runs, a seeded workflow's
// definition as a tree and its run with each step's status, input and output (a new run appearing without reload),
// cancelling a run under way, an archived workflow's page (no switch, no run again), and enable/disable from the page.
// Each page at 1280 px and on a phone, without serious axe violations.
import { fileURLToPath } from 'node:url';
import { startTestGateway, type TestClient, type TestGateway } from '@crm/gateway/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectBothWidths, launchBrowser, signIn } from './browser.js';
import { workflowPlugins } from './global-setup.js';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const shots = fileURLToPath(new URL('../../../docs/dashboard/', import.meta.url));
const DETRACTOR = 'Detractor follow-up: NPS 6 or less → call within 2 days';

let t: TestGateway;
let api: TestClient;
let browser: Browser;
let page: Page;
let customerId: string;
let detractorId: string;

interface Run {
  id: string;
  status: string;
  steps: { stepId: string; status: string; input: { title?: string } | null; output: { id?: string } | null }[];
}

/** Records an NPS answer of `score` (the seeded detractor workflow's trigger) and waits until its run has finished. */
async function detractorRun(score: number): Promise<Run> {
  const before = await runs();
  await api.query(`mutation ($input: RecordSurveyResponseInput!) { recordSurveyResponse(input: $input) { surveyResponse { id } } }`, {
    input: { customerId, kind: 'NPS', score, comment: 'Too slow' },
  });
  let latest: Run[] = [];
  await expect
    .poll(async () => (latest = await runs()).filter((run) => run.status === 'SUCCEEDED').length, { timeout: 60_000, interval: 250 })
    .toBe(before.filter((run) => run.status === 'SUCCEEDED').length + 1);
  return latest[0]!;
}

const runs = async (): Promise<Run[]> =>
  (await api.query(`query ($id: ID!) { workflowRuns(workflowId: $id, first: 20) { id status steps { stepId status input output } } }`, { id: detractorId })).workflowRuns;


beforeAll(async () => {
  const plugins = workflowPlugins();
  t = await startTestGateway({ dashboardDir: dist, plugins, migrations: plugins.migrations });
  api = t.workspace.client;
  // The demo workspace's three workflows, as `npm start` seeds them.
  await plugins.seed(t.database.prisma, t.workspace.workspaceId);
  detractorId = (await api.query(`{ workflows { id name } }`)).workflows.find((w: { name: string }) => w.name === DETRACTOR).id;
  customerId = (await api.query(`mutation { createCustomer(input: { name: "Dora Detractor" }) { customer { id } } }`)).createCustomer.customer.id;
  browser = await launchBrowser();
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the Workflows pages', () => {
  it('lists the workflows with their state, version and last runs', async () => {
    const run = await detractorRun(3);
    await signIn(page, t.url, t.workspace.apiKey);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click();
    const list = page.getByTestId('workflow-list');
    await list.getByRole('link', { name: DETRACTOR }).waitFor();
    const { workflows } = await api.query(`{ workflows { name enabled } }`);
    expect(await list.locator('tbody tr td:first-child').allTextContents()).toEqual(workflows.map((w: { name: string }) => w.name));
    for (const workflow of workflows as { name: string; enabled: boolean }[]) {
      expect(await list.getByRole('switch', { name: `${workflow.name}: enabled` }).isChecked()).toBe(workflow.enabled);
    }
    const row = list.locator('tbody tr', { has: page.getByRole('link', { name: DETRACTOR }) });
    expect(await row.locator('td:nth-child(3)').textContent()).toBe('Published v1');
    expect(await row.locator('.last-runs li').count()).toBe(1);
    expect(await row.locator('.last-runs li').first().textContent()).toMatch(/^Succeeded/);
    expect(run.steps.map((s) => s.stepId)).toEqual(['followUp']);
    await expectBothWidths(page, shots, 'workflows');
  });

  it("shows a seeded workflow's definition as a tree and its run's steps, a new run without reload, and runs one again", async () => {
    await page.getByTestId('workflow-list').getByRole('link', { name: DETRACTOR }).click();
    await page.getByRole('heading', { name: DETRACTOR }).waitFor();
    expect(await page.getByTestId('definition-trigger').textContent()).toBe('When a SurveyResponse is created');
    expect(await page.getByTestId('definition-condition').textContent()).toBe('kind = NPS and score ≤ 6');
    expect(await page.getByTestId('step-followUp').textContent()).toContain('createTask');
    expect(await page.getByTestId('version-state').textContent()).toBe('Published v1');

    const [latest] = await runs();
    const shown = page.getByTestId('workflow-run').first();
    await shown.getByTestId('step-run-followUp').waitFor();
    expect(await shown.getByTestId('step-run-followUp').locator('td').nth(1).textContent()).toMatch(/^Succeeded/);
    await shown.getByTestId('step-run-followUp').getByText('Input').click();
    await shown.getByTestId('step-run-followUp').getByText('Output').click();
    const cell = await shown.getByTestId('step-run-followUp').locator('td').nth(3).textContent();
    expect(cell).toContain(latest!.steps[0]!.input!.title!); // "Call Dora Detractor: NPS 3"
    expect(cell).toContain(latest!.steps[0]!.output!.id!); // the task it created

    // Another detractor answer: its run appears on the open page (events and polling, no reload).
    await detractorRun(5);
    await expect.poll(() => page.getByTestId('workflow-run').count(), { timeout: 30_000 }).toBe(2);
    // Run the newest again from the page: a third run, on the same version, with its own step.
    await page.getByTestId('workflow-run').first().getByRole('button', { name: 'Run again' }).click();
    await expect.poll(() => page.getByTestId('workflow-run').count(), { timeout: 30_000 }).toBe(3);
    await expect.poll(async () => (await runs()).map((run) => run.status), { timeout: 60_000 }).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    await expectBothWidths(page, shots, 'workflow');
  });

  it('disables and enables a workflow from the page', async () => {
    const toggle = page.getByRole('switch', { name: `${DETRACTOR}: enabled` });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await expect.poll(async () => (await api.query(`query ($id: ID!) { workflow(id: $id) { enabled } }`, { id: detractorId })).workflow.enabled).toBe(false);
    await page.goto(`${t.url}/app/#/workflows`);
    const listed = page.getByRole('switch', { name: `${DETRACTOR}: enabled` });
    await expect.poll(() => listed.isChecked()).toBe(false);
    await listed.check();
    await expect.poll(async () => (await api.query(`query ($id: ID!) { workflow(id: $id) { enabled } }`, { id: detractorId })).workflow.enabled).toBe(true);
  });

  it('cancels a run under way from the page', async () => {
    // A workflow whose runs wait a day: its run is under way (WAITING) until cancelled.
    const definition = { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { days: 1 } }] };
    const id = (await api.query(`mutation ($definition: JSON) { createWorkflow(input: { name: "Waits a day", definition: $definition }) { workflow { id } } }`, { definition }))
      .createWorkflow.workflow.id;
    await api.query(`mutation ($id: ID!) { publishWorkflow(input: { id: $id }) { version { number } } }`, { id });
    await api.query(`mutation ($id: ID!) { setWorkflowEnabled(input: { id: $id, enabled: true }) { workflow { enabled } } }`, { id });
    const runId = (await api.query(`mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`, { id, recordId: customerId }))
      .runWorkflow.run.id;
    const status = async () => (await api.query(`query ($id: ID!) { node(id: $id) { ... on WorkflowRun { status steps { status } } } }`, { id: runId })).node;
    await expect.poll(async () => (await status()).status, { timeout: 60_000, interval: 250 }).toBe('WAITING');

    await page.goto(`${t.url}/app/#/workflows/${encodeURIComponent(id)}`);
    await page.getByRole('heading', { name: 'Waits a day' }).waitFor();
    const shown = page.getByTestId('workflow-run').first();
    await shown.getByTestId('step-run-pause').getByText('Waiting').waitFor();
    await shown.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(status, { timeout: 30_000 }).toEqual({ status: 'CANCELLED', steps: [{ status: 'CANCELLED' }] });
    // The page shows it (the runs asked for again): cancelled, and offered to run again instead.
    await shown.getByRole('button', { name: 'Run again' }).waitFor();
    expect(await shown.getByTestId('step-run-pause').locator('td').nth(1).textContent()).toMatch(/^Cancelled/);
    expect(await page.getByTestId('workflow-run').count()).toBe(1);
    await api.query(`mutation ($id: ID!) { archiveWorkflow(input: { id: $id }) { workflow { id } } }`, { id });
    // Archived (its page still reachable by URL): shown so, with no switch to enable it and no run to run again.
    await page.reload();
    await page.getByTestId('archived').waitFor();
    expect(await page.getByRole('switch', { name: 'Waits a day: enabled' }).count()).toBe(0);
    expect(await page.getByTestId('workflow-run').count()).toBe(1);
    expect(await page.getByTestId('workflow-run').first().getByRole('button', { name: 'Run again' }).count()).toBe(0);
  });

  it("shows nothing of another workspace's workflow", async () => {
    const other = await t.createWorkspace('Workspace B');
    await workflowPlugins().seed(t.database.prisma, other.workspaceId);
    const { workflows } = await other.client.query(`{ workflows { id name } }`);
    await page.goto(`${t.url}/app/#/workflows/${encodeURIComponent(workflows[0].id)}`);
    await page.getByText('This workflow does not exist (any more).').waitFor();
    expect(await page.getByRole('heading', { name: workflows[0].name }).count()).toBe(0);
  });

  it('is not offered to MEMBER keys', async () => {
    const member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, t.url, member.apiKey!);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).count()).toBe(0);
    await page.goto(`${t.url}/app/#/workflows`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/role does not allow/);
  });
});
