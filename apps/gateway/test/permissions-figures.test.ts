// Workspace-wide figures (`reports`, `dashboardMetrics` as a query and a subscription) are totals over whole tables:
// a custom role or scoped key that sees only part of what they sum (an object not at all, or own records only) gets
// FORBIDDEN, never totals over rows it cannot read. Built-in roles, and custom roles
// that read all of it (hiding, say, customers' emails), read them as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWsClient, startTestGateway, SubscriptionCollector, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
let admin: TestClient;
let readOnly: TestClient;
const keys: Record<string, string> = {};

const EVERYTHING = ['Customer', 'Company', 'Deal', 'Order', 'Ticket', 'Activity', 'SurveyResponse'].map((object) => ({ object, read: true }));
const ROLES: Record<string, { object: string; read: boolean; ownRecordsOnly?: boolean; hiddenFields?: string[] }[]> = {
  dealsOnly: [{ object: 'Deal', read: true }],
  ownTickets: EVERYTHING.map((p) => (p.object === 'Ticket' ? { ...p, ownRecordsOnly: true } : p)),
  ownDeals: EVERYTHING.map((p) => (p.object === 'Deal' ? { ...p, ownRecordsOnly: true } : p)),
  noEmails: EVERYTHING.map((p) => (p.object === 'Customer' ? { ...p, hiddenFields: ['email'] } : p)),
};
const METRICS = `{ dashboardMetrics { openPipelineValue revenueThisMonth openTickets } }`;
const REPORTS = `{ reports { lifecycleFunnel { stage } } }`;

beforeAll(async () => {
  t = await startTestGateway();
  admin = t.workspace.client;
  // Own-records roles need a key linked to a team member.
  const userId = (await admin.query(`mutation { createUser(input: { name: "Figures Rep", email: "rep@figures.test" }) { user { id } } }`)).createUser.user.id;
  for (const [name, permissions] of Object.entries(ROLES)) {
    const role = await admin.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!) { createRole(input: { name: $n, permissions: $p }) { role { id } } }`, { n: name, p: permissions });
    keys[name] = (
      await admin.query(`mutation ($r: ID!, $n: String!, $u: ID!) { createApiKey(input: { name: $n, roleId: $r, userId: $u }) { secret } }`, { r: role.createRole.role.id, n: name, u: userId })
    ).createApiKey.secret;
  }
  keys.dealScope = (await admin.query(`mutation { createApiKey(input: { name: "deal scope", role: READ_ONLY, scopes: ["deals:read"] }) { secret } }`)).createApiKey.secret;
  readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
});
afterAll(async () => {
  await t?.close();
});

describe('workspace-wide figures and roles', () => {
  it('are FORBIDDEN to a key that does not read all they sum, naming what it misses', async () => {
    const cases: [string, string, RegExp][] = [
      ['dealsOnly', METRICS, /every Customer record/],
      ['dealsOnly', REPORTS, /every Customer record/],
      ['ownTickets', METRICS, /every Ticket record/],
      ['ownTickets', REPORTS, /every Ticket record/],
      ['ownDeals', METRICS, /every Deal record/],
      ['dealScope', METRICS, /every Customer record/],
      ['dealScope', REPORTS, /every Customer record/],
    ];
    for (const [key, query, message] of cases) {
      const result = await t.client(keys[key]!).request(query);
      expect(result.errors?.[0]?.extensions?.code, `${key} ${query}`).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message, key).toMatch(message);
    }
  });

  it('refuse the dashboardMetrics subscription the same way', async () => {
    const client = openWsClient(t.wsUrl, keys.ownDeals!);
    try {
      const sub = new SubscriptionCollector(client, `subscription { dashboardMetrics { openTickets } }`);
      const errors = await sub.failure(20_000);
      expect(errors[0]?.message).toMatch(/every Deal record/);
    } finally {
      await client.dispose();
    }
  });

  it('are read as before by built-in roles and by roles that read all they sum', async () => {
    for (const client of [readOnly, t.client(keys.noEmails!)]) {
      expect((await client.query(METRICS)).dashboardMetrics).toEqual({ openPipelineValue: expect.any(String), revenueThisMonth: expect.any(String), openTickets: expect.any(Number) });
      expect((await client.query(REPORTS)).reports.lifecycleFunnel.length).toBeGreaterThan(0);
    }
    const live = openWsClient(t.wsUrl, keys.noEmails!);
    try {
      const [first] = await new SubscriptionCollector<{ dashboardMetrics: { openTickets: number } }>(live, `subscription { dashboardMetrics { openTickets } }`).take(1, 20_000);
      expect(first!.dashboardMetrics.openTickets).toEqual(expect.any(Number));
    } finally {
      await live.dispose();
    }
  });
});
