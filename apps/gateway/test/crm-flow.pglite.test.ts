import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';
import { runCrmFlow } from './flows/crm-flow.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

describe('a customer’s life through the API (embedded database)', () => {
  it('works end to end', async () => {
    await runCrmFlow(t);
  });
});
