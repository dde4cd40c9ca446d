import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { Enums } from './enums.js';

/** Purchase history: products and orders with their lines. */
export function registerCommerce(builder: Builder, enums: Enums) {
  builder.prismaNode('Product', {
    id: { field: 'id' },
    fields: (t) => ({
      sku: t.exposeString('sku'),
      name: t.exposeString('name'),
      unitPrice: t.expose('unitPrice', { type: 'Decimal' }),
      unitCost: t.expose('unitCost', { type: 'Decimal', nullable: true }),
      category: t.exposeString('category', { nullable: true }),
      active: t.exposeBoolean('active'),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  builder.prismaNode('Order', {
    id: { field: 'id' },
    fields: (t) => ({
      orderRef: t.exposeString('orderRef', { nullable: true }),
      orderedAt: t.expose('orderedAt', { type: 'DateTime' }),
      total: t.expose('total', { type: 'Decimal', description: 'Sum of the lines, computed on the server.' }),
      cost: t.expose('cost', { type: 'Decimal', nullable: true }),
      currency: t.exposeString('currency'),
      channel: t.expose('channel', { type: enums.Channel, nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      customer: t.relation('customer'),
      lines: t.relation('lines', { query: { orderBy: { id: 'asc' } } }),
    }),
  });

  builder.prismaObject('OrderLine', {
    fields: (t) => ({
      sku: t.exposeString('sku'),
      quantity: t.exposeInt('quantity'),
      unitPrice: t.expose('unitPrice', { type: 'Decimal' }),
      total: t.expose('total', { type: 'Decimal' }),
      product: t.relation('product', { nullable: true }),
    }),
  });

  builder.queryFields((t) => ({
    products: t.prismaConnection({
      type: 'Product',
      cursor: 'id',
      authScopes: { authenticated: true },
      args: { active: t.arg.boolean() },
      resolve: (query, _root, args, ctx) =>
        callerOf(ctx).db.product.findMany({
          ...query,
          where: typeof args.active === 'boolean' ? { active: args.active } : {},
          orderBy: [{ sku: 'asc' }, { id: 'asc' }],
        }),
      totalCount: (_c, args, ctx) =>
        callerOf(ctx).db.product.count({ where: typeof args.active === 'boolean' ? { active: args.active } : {} }),
    }),
    orders: t.prismaConnection({
      type: 'Order',
      cursor: 'id',
      authScopes: { authenticated: true },
      description: 'Every order of the workspace, newest first.',
      resolve: (query, _root, _args, ctx) => callerOf(ctx).db.order.findMany({ ...query, orderBy: [{ orderedAt: 'desc' }, { id: 'desc' }] }),
      totalCount: (_c, _a, ctx) => callerOf(ctx).db.order.count(),
    }),
  }));
}
