import { createProduct, recordOrder, type RecordedOrder, updateProduct } from '@crm/core';
import type { Order } from '@crm/db';
import type { ObjectRef } from '@pothos/core';
import type { Builder, SchemaTypes } from '../builder.js';
import { callerOf } from '../caller.js';
import { rowId } from '../ids.js';
import { payloadObject, payloadType } from '../payload.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import type { Enums } from './enums.js';
import { updatePrecondition } from '../update-precondition.js';

type Ref<Shape> = ObjectRef<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>, Shape>;

/** Purchase history: products and orders with their lines. */
export function registerCommerce(builder: Builder, enums: Enums, objects: DeclaredObjects) {
  objects.register('Product');
  const OrderNode = objects.register('Order');
  objects.register('OrderLine');

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
