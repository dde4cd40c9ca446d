import { createProduct, recordOrder, type RecordedOrder, updateProduct } from '@crm/core';
import type { Order } from '@crm/db';
import type { ObjectRef } from '@pothos/core';
import type { Builder, SchemaTypes } from '../builder.js';
import { callerOf } from '../caller.js';
import { rowId } from '../ids.js';
import { payloadObject, payloadType } from '../payload.js';
import { orderedBy } from '../relation-order.js';
import type { Enums } from './enums.js';
import { updatePrecondition } from '../update-precondition.js';

type Ref<Shape> = ObjectRef<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>, Shape>;

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
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    }),
  });

  const OrderNode = builder.prismaNode('Order', {
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
      lines: t.relation('lines', { ...orderedBy({ id: 'asc' }) }),
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
    product: t.prismaField({
      type: 'Product',
      nullable: true,
      authScopes: { authenticated: true },
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, args, ctx) => callerOf(ctx).db.product.findUnique({ ...query, where: { id: rowId(args.id, 'Product', 'id') } }),
    }),
    order: t.prismaField({
      type: 'Order',
      nullable: true,
      authScopes: { authenticated: true },
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, args, ctx) => callerOf(ctx).db.order.findUnique({ ...query, where: { id: rowId(args.id, 'Order', 'id') } }),
    }),
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

  registerCommerceMutations(builder, enums, OrderNode);
}

function registerCommerceMutations(builder: Builder, enums: Enums, OrderNode: Ref<Order>) {
  const CreateProductInput = builder.inputType('CreateProductInput', {
    fields: (t) => ({
      sku: t.string({ required: true, description: 'Unique in the workspace (case-sensitive).' }),
      name: t.string({ required: true }),
      unitPrice: t.field({ type: 'Decimal', required: true }),
      unitCost: t.field({ type: 'Decimal', description: 'What one unit costs us (order cost and profit).' }),
      category: t.string(),
      active: t.boolean({ description: 'Defaults to true.' }),
    }),
  });
  const UpdateProductInput = builder.inputType('UpdateProductInput', {
    description: 'Fields left out stay as they are; null clears an optional field. Past orders keep their prices.',
    fields: (t) => ({
      id: t.id({ required: true }),
      sku: t.string(),
      name: t.string(),
      unitPrice: t.field({ type: 'Decimal' }),
      unitCost: t.field({ type: 'Decimal' }),
      category: t.string(),
      active: t.boolean(),
      ...updatePrecondition(t),
    }),
  });
  const RecordOrderLineInput = builder.inputType('RecordOrderLineInput', {
    fields: (t) => ({
      sku: t.string({ required: true }),
      quantity: t.int({ required: true, description: '1 to 100,000.' }),
      unitPrice: t.field({ type: 'Decimal', description: 'Required for a sku that is not in the catalog; defaults to the product’s price.' }),
    }),
  });
  const RecordOrderInput = builder.inputType('RecordOrderInput', {
    description: 'The total is computed on the server from the lines.',
    fields: (t) => ({
      customerId: t.id({ required: true }),
      orderedAt: t.field({ type: 'DateTime', description: 'Defaults to now.' }),
      lines: t.field({ type: [RecordOrderLineInput], required: true, description: '1 to 500 lines.' }),
      orderRef: t.string({ description: 'The order’s number in the source system; unique in the workspace.' }),
      channel: t.field({ type: enums.Channel }),
      currency: t.string({ description: 'ISO 4217 code; defaults to USD.' }),
    }),
  });

  const CreateProductPayload = payloadType(builder, 'CreateProductPayload', 'product', 'Product');
  const UpdateProductPayload = payloadType(builder, 'UpdateProductPayload', 'product', 'Product');
  const RecordOrderPayload = payloadObject<RecordedOrder>(builder, 'RecordOrderPayload', {
    order: { type: 'Order' },
    customer: { type: 'Customer', description: 'The buyer with updated purchase figures (and stage, when the order was their first purchase).' },
  });

  builder.mutationFields((t) => ({
    createProduct: t.field({
      type: CreateProductPayload,
      args: { input: t.arg({ type: CreateProductInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ product: await createProduct(callerOf(ctx), input) }),
    }),
    updateProduct: t.field({
      type: UpdateProductPayload,
      args: { input: t.arg({ type: UpdateProductInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        product: await updateProduct(callerOf(ctx), { ...input, id: rowId(input.id, 'Product', 'id') }),
      }),
    }),
    recordOrder: t.field({
      type: RecordOrderPayload,
      args: { input: t.arg({ type: RecordOrderInput, required: true }) },
      resolve: (_root, { input }, ctx) =>
        recordOrder(callerOf(ctx), { ...input, customerId: rowId(input.customerId, 'Customer', 'customerId') }),
    }),
  }));
}
