import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  // 6 a minute refills one token in 10 s: a slow machine cannot earn the 4th request back during the test.
  t = await startTestGateway({ rateLimit: { perMinute: 6, burst: 3 } });
});
afterAll(async () => {
  await t?.close();
});

async function post(apiKey: string, query: string, accept = 'application/graphql-response+json') {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] } };
}

describe('rate limiting per API key', () => {
  it('answers HTTP 429 with Retry-After and RATE_LIMITED once a key spends its burst, and runs nothing', async () => {
    const { apiKey } = t.workspace;
    const create = (i: number) => post(apiKey, `mutation { createCompany(input: { name: "Burst ${i}" }) { company { id } } }`);
    for (let i = 0; i < 3; i++) {
      const ok = await create(i);
      expect(ok.status).toBe(200);
      expect(ok.body.errors).toBeUndefined();
    }
    const limited = await create(3);
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    const error = limited.body.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(error?.extensions?.retryAfterSeconds).toBe(Number(limited.retryAfter));
    // The transport detail stays in the status line and headers, not in the body.
    expect(error?.extensions?.http).toBeUndefined();
    const companies = await t.database.prisma.company.count({ where: { workspaceId: t.workspace.workspaceId } });
    expect(companies).toBe(3);
  });

  it('answers 429 to clients that accept only application/json too', async () => {
    const limited = await post(t.workspace.apiKey, `{ viewer { role } }`, 'application/json');
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).not.toBeNull();
    expect(limited.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('counts each key on its own', async () => {
    const other = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    const answer = await other.request(`{ viewer { role } }`);
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
  });
});
