import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  // 6 per minute: a token comes back every 10 s, so a slow (loaded) machine cannot refill the bucket mid-test.
  t = await startTestGateway({ rateLimit: { perMinute: 6, burst: 3 } });
});
afterAll(async () => {
  await t?.close();
});

describe('rate limiting per API key', () => {
  it('answers RATE_LIMITED with a retry time once a key spends its burst, and runs nothing', async () => {
    const { client } = t.workspace;
    const create = (i: number) => client.request(`mutation { createCompany(input: { name: "Burst ${i}" }) { company { id } } }`);
    for (let i = 0; i < 3; i++) expect((await create(i)).errors).toBeUndefined();
    const limited = await create(3);
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const companies = await t.database.prisma.company.count({ where: { workspaceId: t.workspace.workspaceId } });
    expect(companies).toBe(3);
  });

  it('counts each key on its own', async () => {
    const other = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    expect((await other.request(`{ viewer { role } }`)).errors).toBeUndefined();
  });
});
