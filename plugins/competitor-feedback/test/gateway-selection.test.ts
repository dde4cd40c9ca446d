// The plugin in a gateway with every bundled plugin on (CRM_PLUGINS unset), and alone (CRM_PLUGINS=competitor-feedback);
// and its demo seed, run by the host as for the demo workspace.
import { startPluginTestGateway, type PluginTestGateway } from '@crm/plugin-testing';
import { loadPlugins, pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let kit: PluginTestGateway;
beforeAll(async () => {
  const { enabled, selectedBy } = await loadPlugins({ env: {} });
  expect(selectedBy).toBe('bundled');
  kit = await startPluginTestGateway({ plugins: enabled });
});
afterAll(async () => {
  await kit?.close();
});

describe('plugin selection', () => {
  it('runs alongside every bundled plugin: its schema and its subscriber work there', async () => {
    const admin = kit.workspace.client;
    const ids = (await admin.query(`{ plugins { id } }`)).plugins.map((p: { id: string }) => p.id);
    expect(ids).toContain('competitor-feedback');
    expect(ids.length).toBeGreaterThan(1);
    await admin.query(`mutation { createCompetitor(input: { name: "BeanBox" }) { competitor { id } } }`);
    const customerId = (await admin.query(`mutation { createCustomer(input: { name: "Pat" }) { customer { id } } }`)).createCustomer.customer.id;
    await admin.query(`mutation ($id: ID!) { logActivity(input: { customerId: $id, type: EMAIL, channel: EMAIL, subject: "BeanBox is cheaper" }) { activity { id } } }`, { id: customerId });
    await kit.settled();
    const data = await admin.query(`query ($id: ID!) { customer(id: $id) { competitorMentions { competitor { name } } } }`, { id: customerId });
    expect(data.customer.competitorMentions).toEqual([{ competitor: { name: 'BeanBox' } }]);
  });

  it('CRM_PLUGINS=competitor-feedback serves this plugin alone', async () => {
    const { host } = await pluginHostFromEnvironment({ env: { CRM_PLUGINS: 'competitor-feedback' } });
    expect(host.plugins.map((p) => p.id)).toEqual(['competitor-feedback']);
    const alone = await startPluginTestGateway({ plugins: host.plugins });
    try {
      expect(alone.schema).toContain('competitorInsights');
      expect(alone.schema).toContain('competitorMentions');
      expect(alone.schema).not.toContain('loyalty');
      const landscape = await alone.workspace.client.query(`{ competitiveLandscape(from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { rank } }`);
      expect(landscape.competitiveLandscape).toEqual([]);
    } finally {
      await alone.close();
    }
  });

  it('seeds demo competitors, mentions, contested deals and defections', async () => {
    const w = await kit.createWorkspace('Seeded');
    const c = w.client;
    const ids: string[] = [];
    for (const name of ['Ann', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay']) ids.push((await c.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name })).createCustomer.customer.id);
    const deal = (await c.query(`mutation ($id: ID!) { createDeal(input: { customerId: $id, title: "Machines", amount: "800.00" }) { deal { id pipeline { stages { id isLost } } } } }`, { id: ids[0] })).createDeal.deal;
    const lostStage = deal.pipeline.stages.find((s: { isLost: boolean }) => s.isLost).id;
    await c.query(`mutation ($id: ID!, $s: ID!) { moveDeal(input: { id: $id, stageId: $s, lostReason: "Price" }) { deal { status } } }`, { id: deal.id, s: lostStage });
    await c.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, lifecycleStage: CHURNED, churnReason: "Moved away" }) { customer { id } } }`, { id: ids[1] });
    await kit.settled();
    await kit.host.seed(kit.database.prisma, w.workspaceId);
    const landscape = (await c.query(`{ competitiveLandscape(from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { competitor { name } lostRevenue dealsLost defections mentions } }`))
      .competitiveLandscape as { lostRevenue: string; dealsLost: number; defections: number; mentions: number }[];
    expect(landscape).toHaveLength(3);
    expect(landscape.reduce((sum, r) => sum + r.mentions, 0)).toBe(6);
    expect(landscape.reduce((sum, r) => sum + r.dealsLost, 0)).toBe(1);
    expect(landscape[0]!.lostRevenue).toBe('800.00');
    expect(landscape.reduce((sum, r) => sum + r.defections, 0)).toBe(1);
    const mentions = await c.query(`query ($id: ID!) { customer(id: $id) { competitorMentions { matched } } }`, { id: ids[0] });
    expect(mentions.customer.competitorMentions).toEqual([{ matched: 'BeanBox' }]);
  });
});
