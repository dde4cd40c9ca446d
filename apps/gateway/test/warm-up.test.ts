// The warm-up `npm start` runs before printing the URL: every operation of it runs without an error against the
// current schema (a renamed field would otherwise make the warm-up fail quietly, and the first page load slow again).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../src/logger.js';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';
import { DASHBOARD_FIRST_LOAD, warmUp } from '../src/warm-up.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

describe('warm-up on start', () => {
  it('runs the dashboard’s first-load operations, each without errors', async () => {
    for (const query of DASHBOARD_FIRST_LOAD) {
      const result = await t.workspace.client.request(query);
      expect(result.errors, query).toBeUndefined();
      expect(result.data).toBeTruthy();
    }
    const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const logger: Logger = {
      info: (message: string, fields?: Record<string, unknown>) => void logged.push({ level: 'info', message, fields }),
      warn: (message: string, fields?: Record<string, unknown>) => void logged.push({ level: 'warn', message, fields }),
      error: (message: string, fields?: Record<string, unknown>) => void logged.push({ level: 'error', message, fields }),
    };
    const statements = await t.sql.during(() => warmUp(t.url, t.workspace.apiKey, logger));
    expect(logged.map((l) => `${l.level} ${l.message}`)).toEqual(['info warmed up']);
    expect(statements.length).toBeGreaterThan(0); // it reached the database
  });

  it('logs, and does not throw, when the gateway refuses the key', async () => {
    const logged: string[] = [];
    const logger: Logger = { info: () => {}, warn: (message: string) => void logged.push(message), error: () => {} };
    await warmUp(t.url, 'crm_not_a_key', logger);
    expect(logged).toEqual(['warm-up failed (the gateway serves anyway)']);
  });
});
