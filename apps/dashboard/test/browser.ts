// Debian's chromium driven by playwright-core (no browser download), a fresh profile per run, axe-core checks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

const require = createRequire(import.meta.url);

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'crm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's violations of serious or critical impact on the page as it is now. */
export async function seriousViolations(page: Page): Promise<{ id: string; help: string; targets: string[] }[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Opens the dashboard at `url` and signs in with `apiKey` (the sign-in form of a fresh tab). */
export async function signIn(page: Page, url: string, apiKey: string) {
  await page.goto(`${url}/`);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('role').waitFor();
}

/** How far the page scrolls sideways (0: nothing is wider than the window). */
export const horizontalOverflow = (page: Page) => page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth));

/** The page fits the window at this width (no sideways scrolling) and has no serious or critical axe violation. */
export async function expectFitsAndAccessible(page: Page, width: number) {
  await page.setViewportSize({ width, height: 900 });
  await expect.poll(() => horizontalOverflow(page)).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);
}

/**
 * The page at 1280 px and on a phone (390 px), each checked as above and shot to `<shots><name>.png` and
 * `<name>-phone.png` (when a name is given); the window is 1280 px again afterwards.
 */
export async function expectBothWidths(page: Page, shots: string, name?: string) {
  await expectFitsAndAccessible(page, 1280);
  if (name) await page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
  await expectFitsAndAccessible(page, 390);
  if (name) await page.screenshot({ path: `${shots}${name}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}
