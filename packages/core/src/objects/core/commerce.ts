import { defineObject } from '../declaration.js';

export const Product = defineObject({
  name: 'Product',
  plural: 'products',
  single: 'product',
  fields: {
    id: { kind: 'id', sort: true },
    sku: { kind: 'string', sort: true, search: 'A', write: true },
    name: { kind: 'string', sort: true, search: 'A', write: true },
    unitPrice: { kind: 'decimal', sort: true, write: true },
    unitCost: { kind: 'decimal', nullable: true, sort: true, write: true },
    category: { kind: 'string', nullable: true, sort: true, group: true, search: 'B', write: true },
    active: { kind: 'boolean', group: true, write: true },
    createdAt: { kind: 'datetime', sort: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  relations: {
    lines: { kind: 'toMany', target: 'OrderLine', key: 'productId', expose: false },
  },
  uniqueKeys: [['sku']],
  defaultOrder: [{ field: 'sku', direction: 'asc' }],
});

export const Order = defineObject({
  name: 'Order',
  plural: 'orders',
  single: 'order',
  fields: {
    id: { kind: 'id', sort: true },
    orderRef: { kind: 'string', nullable: true, sort: true, search: 'A' },
    orderedAt: { kind: 'datetime', sort: true, group: true },
    total: { kind: 'decimal', sort: true, description: 'Sum of the lines, computed on the server.' },
    cost: { kind: 'decimal', nullable: true },
    currency: { kind: 'string', group: true },
    channel: { kind: 'enum', enum: 'Channel', nullable: true, group: true },
    customerId: { kind: 'reference', references: 'Customer', group: true },
    createdAt: { kind: 'datetime', sort: true },
  },
  relations: {
    customer: { kind: 'toOne', target: 'Customer', key: 'customerId' },
    lines: { kind: 'toMany', target: 'OrderLine', key: 'orderId', connection: false },
  },
  uniqueKeys: [['orderRef']],
  defaultOrder: [{ field: 'orderedAt', direction: 'desc' }],
});

export const OrderLine = defineObject({
  name: 'OrderLine',
  node: false,
  fields: {
    id: { kind: 'id', sort: true, expose: false },
    sku: { kind: 'string', sort: true },
    quantity: { kind: 'int', sort: true },
    unitPrice: { kind: 'decimal', sort: true },
    total: { kind: 'decimal', sort: true },
    orderId: { kind: 'reference', references: 'Order' },
    productId: { kind: 'reference', references: 'Product', nullable: true, group: true },
  },
  relations: {
    order: { kind: 'toOne', target: 'Order', key: 'orderId', expose: false },
    product: { kind: 'toOne', target: 'Product', key: 'productId' },
  },
  defaultOrder: [{ field: 'id', direction: 'asc' }],
});
