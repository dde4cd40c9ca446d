import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { Enums } from './enums.js';

/** Marketing: campaigns and customers' responses to them. */
export function registerMarketing(builder: Builder, enums: Enums) {
  builder.prismaNode('Campaign', {
    id: { field: 'id' },
    fields: (t) => ({
      name: t.exposeString('name'),
      channel: t.expose('channel', { type: enums.Channel }),
      startsAt: t.expose('startsAt', { type: 'DateTime' }),
      endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true }),
      cost: t.expose('cost', { type: 'Decimal' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      responses: t.relatedConnection('responses', { cursor: 'id', totalCount: true, query: { orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] } }),
    }),
  });

  builder.prismaObject('CampaignResponse', {
    fields: (t) => ({
      id: t.exposeID('id'),
      kind: t.expose('kind', { type: enums.CampaignResponseKind }),
      couponCode: t.exposeString('couponCode', { nullable: true }),
      occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
      campaign: t.relation('campaign'),
      customer: t.relation('customer'),
    }),
  });

  builder.queryFields((t) => ({
    campaigns: t.prismaConnection({
      type: 'Campaign',
      cursor: 'id',
      authScopes: { authenticated: true },
      resolve: (query, _root, _args, ctx) => callerOf(ctx).db.campaign.findMany({ ...query, orderBy: [{ startsAt: 'desc' }, { id: 'desc' }] }),
      totalCount: (_c, _a, ctx) => callerOf(ctx).db.campaign.count(),
    }),
  }));
}
