import { type Customer, enums, type LifecycleStage, type Order, Prisma } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { badInput, conflict, notFound } from '../errors.js';
import { formatMoney } from '../money.js';
import { fields, parseInput, z } from '../validation.js';
import { pastOrPresentDate } from './activities.js';
import { recordStageChange } from './customers.js';
import { conflictOnDuplicate, skuField } from './products.js';

export const MAX_ORDER_LINES = 500;
export const MAX_LINE_QUANTITY = 100_000;
/** The largest amount a numeric(14,2) column holds: totals beyond it are refused, not left to fail in SQL. */
const MAX_MONEY = new Prisma.Decimal('999999999999.99');

export const orderLineInput = z.object({
  sku: skuField,
  quantity: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1')
    .max(MAX_LINE_QUANTITY, `At most ${MAX_LINE_QUANTITY.toLocaleString('en')}`),
  /** Optional for a sku of the catalog (its price is used); required for any other sku. */
  unitPrice: fields.nonNegativeMoney.nullish(),
});

export const recordOrderInput = z.object({
  customerId: fields.id,
  orderedAt: pastOrPresentDate.nullish(),
  lines: z.array(orderLineInput).min(1, 'An order has at least one line').max(MAX_ORDER_LINES, `At most ${MAX_ORDER_LINES} lines`),
  orderRef: z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters').nullish(),
  channel: z.enum(enums.Channel).nullish(),
  currency: fields.currency.nullish(),
});

export type RecordOrderInput = z.input<typeof recordOrderInput>;
export type ParsedOrderInput = z.output<typeof recordOrderInput>;

export interface RecordedOrder {
  order: Order;
  /** The customer as the order left them: purchase figures updated, converted to CUSTOMER by a first purchase. */
  customer: Customer;
}

/** Stages a purchase moves on to CUSTOMER: buying is what makes a prospect or lead a customer. */
const convertedByPurchase: readonly LifecycleStage[] = ['PROSPECT', 'LEAD'];

interface PricedLine {
  sku: string;
  quantity: number;
  productId: string | null;
  unitPrice: Prisma.Decimal;
  unitCost: Prisma.Decimal | null;
  total: Prisma.Decimal;
}

/** Prices each line from the input or the catalog; BAD_USER_INPUT on `lines.N.unitPrice` for an unknown sku without a price. */
async function priceLines(scope: CommandScope, lines: ParsedOrderInput['lines'], prefix: string): Promise<PricedLine[]> {
  const skus = [...new Set(lines.map((line) => line.sku))];
  const products = await scope.tx.product.findMany({ where: { sku: { in: skus } }, select: { id: true, sku: true, unitPrice: true, unitCost: true } });
  const bySku = new Map(products.map((product) => [product.sku, product]));
  return lines.map((line, index) => {
    const product = bySku.get(line.sku);
    const field = `${prefix}lines.${index}.unitPrice`;
    if (!line.unitPrice && !product) throw badInput(`${field}: "${line.sku}" is not in the catalog, so the line needs a unitPrice`, field);
    const unitPrice = line.unitPrice ? new Prisma.Decimal(line.unitPrice) : product!.unitPrice;
    const total = unitPrice.mul(line.quantity).toDecimalPlaces(2);
    if (total.gt(MAX_MONEY)) throw badInput(`${field}: the line total is too large`, field);
    return { sku: line.sku, quantity: line.quantity, productId: product?.id ?? null, unitPrice, unitCost: product?.unitCost ?? null, total };
  });
}

/**
 * Writes an order with its lines inside the caller's command and keeps the customer's purchase figures in step
 * (lifetimeValue, orderCount, firstOrderAt, lastOrderAt); a first purchase converts a prospect or lead to CUSTOMER.
 * The total is computed here from the lines, never taken from the client. `prefix` prefixes error fields when the
 * order is part of a larger input (imports).
 */
export async function insertOrder(scope: CommandScope, input: ParsedOrderInput, prefix = ''): Promise<RecordedOrder> {
  const { tx } = scope;
  const customerId = input.customerId;
  const known = await tx.customer.findUnique({ where: { id: customerId }, select: { lifetimeValue: true } });
  if (!known) throw notFound('Customer', `${prefix}customerId`);
  const refConflict = conflict(`An order with orderRef "${input.orderRef}" already exists`, `${prefix}orderRef`);
  if (input.orderRef && (await tx.order.count({ where: { orderRef: input.orderRef } })) > 0) throw refConflict;
  const lines = await priceLines(scope, input.lines, prefix);
  const total = lines.reduce((sum, line) => sum.add(line.total), new Prisma.Decimal(0)).toDecimalPlaces(2);
  const costed = lines.filter((line) => line.unitCost !== null);
  // Cost is only as complete as the catalog: the sum over the lines whose product has a unit cost, null if none has.
  const cost = costed.length ? costed.reduce((sum, line) => sum.add(line.unitCost!.mul(line.quantity)), new Prisma.Decimal(0)).toDecimalPlaces(2) : null;
  if (total.gt(MAX_MONEY) || cost?.gt(MAX_MONEY) || known.lifetimeValue.add(total).gt(MAX_MONEY)) {
    throw badInput(`${prefix}lines: the order total is too large`, `${prefix}lines`);
  }
  const orderedAt = input.orderedAt ?? new Date();

  const write = tx.order.create({
    data: {
      workspaceId: scope.session.workspaceId,
      customerId,
      orderRef: input.orderRef ?? null,
      orderedAt,
      total,
      cost,
      currency: input.currency ?? 'USD',
      channel: input.channel ?? null,
    },
  });
  const order = await conflictOnDuplicate(write, refConflict);
  await tx.orderLine.createMany({
    data: lines.map((line) => ({
      workspaceId: scope.session.workspaceId,
      orderId: order.id,
      productId: line.productId,
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      unitCost: line.unitCost,
      total: line.total,
    })),
  });

  // The increment is computed in SQL and takes the customer's row lock, so the row it returns stays current until
  // commit: the min/max dates and the stage decided from it cannot be overtaken by a concurrent order.
  let customer = await tx.customer.update({
    where: { id: customerId },
    data: { lifetimeValue: { increment: total }, orderCount: { increment: 1 } },
  });
  const data: Prisma.CustomerUncheckedUpdateInput = {};
  if (!customer.firstOrderAt || orderedAt < customer.firstOrderAt) data.firstOrderAt = orderedAt;
  if (!customer.lastOrderAt || orderedAt > customer.lastOrderAt) data.lastOrderAt = orderedAt;
  const from = customer.lifecycleStage;
  const converts = convertedByPurchase.includes(from);
  if (converts) {
    data.lifecycleStage = 'CUSTOMER';
    data.stageChangedAt = new Date();
    data.churnReason = null;
  }
  if (Object.keys(data).length) customer = await tx.customer.update({ where: { id: customerId }, data });
  if (converts) {
    scope.emit('customer.updated', { type: 'Customer', id: customerId }, { changed: ['lifecycleStage'], changes: { lifecycleStage: { from, to: 'CUSTOMER' } } });
    await recordStageChange(scope, customerId, from, 'CUSTOMER', customer.orderCount === 1 ? 'First purchase' : 'Purchase');
  }

  scope.emit(
    'order.recorded',
    { type: 'Order', id: order.id },
    {
      customerId,
      total: formatMoney(total)!,
      orderedAt: orderedAt.toISOString(),
      skus: [...new Set(lines.map((line) => line.sku))],
      lines: lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: formatMoney(line.unitPrice)! })),
    },
  );
  return { order, customer };
}

/** Records one purchase: the order, its lines and the customer's figures, in one transaction. */
export async function recordOrder(caller: Caller, raw: RecordOrderInput): Promise<RecordedOrder> {
  const input = parseInput(recordOrderInput, raw);
  return caller.run((scope) => insertOrder(scope, input));
}
