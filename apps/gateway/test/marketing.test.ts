import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const CREATE_CAMPAIGN = /* GraphQL */ `
  mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id name channel startsAt endsAt cost } } }
`;
const RESPOND = /* GraphQL */ `
  mutation ($input: RecordCampaignResponseInput!) {
    recordCampaignResponse(input: $input) { campaignResponse { id kind couponCode occurredAt campaign { name } customer { name } } }
  }
`;

async function newCustomer(client: TestClient, name: string): Promise<string> {
  const data = await client.query(`mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name });
  return data.createCustomer.customer.id;
}

describe('campaigns', () => {
  it('creates a campaign, with defaults, and refuses one that ends before it starts', async () => {
    const { client } = t.workspace;
    const created = await client.query(CREATE_CAMPAIGN, {
      input: { name: 'Spring sale', channel: 'EMAIL', startsAt: '2026-03-01T00:00:00Z', endsAt: '2026-03-31T00:00:00Z', cost: '1500' },
    });
    expect(created.createCampaign.campaign).toMatchObject({
      name: 'Spring sale',
      channel: 'EMAIL',
      startsAt: '2026-03-01T00:00:00.000Z',
      endsAt: '2026-03-31T00:00:00.000Z',
      cost: '1500.00',
    });
    const plain = await client.query(CREATE_CAMPAIGN, { input: { name: 'Always on', channel: 'SOCIAL' } });
    expect(plain.createCampaign.campaign).toMatchObject({ endsAt: null, cost: '0.00' });

    const backwards = await client.request(CREATE_CAMPAIGN, {
      input: { name: 'Backwards', channel: 'WEB', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-04-01T00:00:00Z' },
    });
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endsAt' });
    const negative = await client.request(CREATE_CAMPAIGN, { input: { name: 'Refund', channel: 'WEB', cost: '-5.00' } });
    expect(negative.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cost' });
    const list = await client.query(`{ campaigns { totalCount edges { node { name } } } }`);
    expect(list.campaigns.totalCount).toBe(2);
  });

  it('records responses once per kind, needs a coupon for REDEEMED, and lists them', async () => {
    const { client } = t.workspace;
    const campaign = (await client.query(CREATE_CAMPAIGN, { input: { name: 'Coupon blast', channel: 'EMAIL', startsAt: '2026-01-01T00:00:00Z' } }))
      .createCampaign.campaign;
    const customerId = await newCustomer(client, 'Reader');
    const respond = (kind: string, extra: Record<string, unknown> = {}) =>
      client.request(RESPOND, { input: { campaignId: campaign.id, customerId, kind, ...extra } });

    const sent = await respond('SENT', { occurredAt: '2026-01-02T08:00:00Z' });
    expect(sent.errors).toBeUndefined();
    expect(sent.data?.recordCampaignResponse.campaignResponse).toMatchObject({
      kind: 'SENT',
      couponCode: null,
      occurredAt: '2026-01-02T08:00:00.000Z',
      campaign: { name: 'Coupon blast' },
      customer: { name: 'Reader' },
    });
    expect((await respond('OPENED')).errors).toBeUndefined();

    const again = await respond('OPENED');
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'kind' });
    const noCoupon = await respond('REDEEMED');
    expect(noCoupon.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'couponCode' });
    const blankCoupon = await respond('REDEEMED', { couponCode: '   ' });
    expect(blankCoupon.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'couponCode' });
    const redeemed = await respond('REDEEMED', { couponCode: ' SPRING10 ' });
    expect(redeemed.data?.recordCampaignResponse.campaignResponse).toMatchObject({ kind: 'REDEEMED', couponCode: 'SPRING10' });

    // A response is a node: its global id finds it again.
    const responseId = redeemed.data?.recordCampaignResponse.campaignResponse.id;
    const node = await client.query(`query ($id: ID!) { node(id: $id) { ... on CampaignResponse { kind } } }`, { id: responseId });
    expect(node.node).toEqual({ kind: 'REDEEMED' });

    const read = await client.query(
      `query ($id: ID!, $customerId: ID!) {
        node(id: $id) { ... on Campaign { responses { totalCount edges { node { kind } } } } }
        customer(id: $customerId) { campaignResponses { totalCount } }
      }`,
      { id: campaign.id, customerId },
    );
    expect(read.node.responses.totalCount).toBe(3);
    expect(read.node.responses.edges.map((e: { node: { kind: string } }) => e.node.kind).sort()).toEqual(['OPENED', 'REDEEMED', 'SENT']);
    expect(read.customer.campaignResponses.totalCount).toBe(3);

    // The same kind from another customer is a separate response.
    const other = await newCustomer(client, 'Second reader');
    const second = await client.request(RESPOND, { input: { campaignId: campaign.id, customerId: other, kind: 'OPENED' } });
    expect(second.errors).toBeUndefined();
  });

  it('checks the campaign and the customer belong to the workspace', async () => {
    const { client } = t.workspace;
    const ours = (await client.query(CREATE_CAMPAIGN, { input: { name: 'Ours', channel: 'PHONE' } })).createCampaign.campaign.id;
    const customerId = await newCustomer(client, 'Ours too');
    const foreign = await t.createWorkspace('Agency');
    const theirs = (await foreign.client.query(CREATE_CAMPAIGN, { input: { name: 'Theirs', channel: 'PHONE' } })).createCampaign.campaign.id;
    const theirCustomer = await newCustomer(foreign.client, 'Their customer');

    const wrongCampaign = await client.request(RESPOND, { input: { campaignId: theirs, customerId, kind: 'SENT' } });
    expect(wrongCampaign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'campaignId' });
    const wrongCustomer = await client.request(RESPOND, { input: { campaignId: ours, customerId: theirCustomer, kind: 'SENT' } });
    expect(wrongCustomer.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    const swapped = await client.request(RESPOND, { input: { campaignId: customerId, customerId, kind: 'SENT' } });
    expect(swapped.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'campaignId' });

    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    expect(await readOnly.errorCode(CREATE_CAMPAIGN, { input: { name: 'Nope', channel: 'WEB' } })).toBe('FORBIDDEN');
    expect(await readOnly.errorCode(RESPOND, { input: { campaignId: ours, customerId, kind: 'SENT' } })).toBe('FORBIDDEN');
  });
});
