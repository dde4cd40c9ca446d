import { type BasketLine, type DemoProduct, pickBasket } from './catalog.js';
import type { Random } from './random.js';
import type { SeedRows } from './rows.js';
import { DAY, HOUR, money, type SeedWorld, WEEK } from './world.js';

/** Order spend is drawn in the Gamma-Gamma model's (CDNOW) dollars and scaled to this shop's prices. */
const SPEND_SCALE = 4;

export interface SimulatedOrder {
  orderedAt: number;
  lines: BasketLine[];
}

export interface PurchaseHistory {
  orders: SimulatedOrder[];
  /** When the customer silently stopped buying (the model's dropout), or null while still active. */
  droppedOutAt: number | null;
}

/**
 * One customer's purchases as the BG/NBD and Gamma-Gamma models assume they are made (Fader, Hardie & Lee 2005;
 * CDNOW parameters): repeat purchases arrive at a rate λ ~ Gamma(r = 0.25, α = 4.4) per week; after each repeat
 * purchase the customer drops out for good with probability p ~ Beta(a = 0.8, b = 2.4); each order's spend is
 * Gamma(p = 6.25, ν) around the customer's own ν ~ Gamma(q = 3.74, γ = 15.44). The first purchase is at `firstAt`.
 * Purchases falling on the same (UTC) day are merged into one order: the models count a day once.
 */
export function simulatePurchases(random: Random, catalog: readonly DemoProduct[], taste: number, firstAt: number, until: number): PurchaseHistory {
  const lambda = Math.max(random.gamma(0.25, 4.4), 1e-6);
  const dropout = random.beta(0.8, 2.4);
  const nu = random.gamma(3.74, 15.44);
  const orders: SimulatedOrder[] = [];
  const buy = (at: number) => {
    const budget = Math.max(500, Math.round(random.gamma(6.25, nu) * SPEND_SCALE * 100));
    const lines = pickBasket(random, catalog, taste, budget, orders.length > 0);
    const day = Math.floor(at / DAY);
    const last = orders[orders.length - 1];
    if (last && Math.floor(last.orderedAt / DAY) === day) return mergeLines(last.lines, lines);
    // Business hours on the purchase day, but not before the customer existed nor after `until`.
    orders.push({ orderedAt: Math.min(until, Math.max(firstAt, day * DAY + 8 * HOUR + Math.floor(random.next() * 12 * HOUR))), lines });
  };
  buy(firstAt);
  let at = firstAt;
  for (let i = 0; i < 500; i++) {
    at += random.exponential(lambda) * WEEK;
    if (at > until) return { orders, droppedOutAt: null };
    buy(at);
    if (random.chance(dropout)) return { orders, droppedOutAt: at };
  }
  return { orders, droppedOutAt: null };
}

function mergeLines(into: BasketLine[], lines: readonly BasketLine[]): void {
  for (const line of lines) {
    const same = into.find((l) => l.product === line.product);
    if (same) same.quantity += line.quantity;
    else into.push({ ...line });
  }
}

export const orderTotal = (order: SimulatedOrder): number => order.lines.reduce((sum, l) => sum + l.product.price * l.quantity, 0);

function orderCost(order: SimulatedOrder): string | null {
  const costed = order.lines.filter((l) => l.product.cost !== null);
  return costed.length ? money(costed.reduce((sum, l) => sum + l.product.cost! * l.quantity, 0)) : null;
}

/** Writes the orders and their lines; `number` makes order refs unique in the workspace. */
export function addOrderRows(random: Random, world: SeedWorld, customerId: string, number: number, history: PurchaseHistory, rows: SeedRows): void {
  history.orders.forEach((order, n) => {
    const id = world.ids.uuid7(order.orderedAt);
    const orderedAt = new Date(order.orderedAt);
    rows.orders.push({
      id, workspaceId: world.workspaceId, customerId, orderRef: `DEMO-${number}-${n + 1}`, orderedAt,
      total: money(orderTotal(order)), cost: orderCost(order),
      channel: random.weighted([['WEB', 60], ['IN_PERSON', 20], ['PHONE', 12], ['CHAT', 8]] as const), createdAt: orderedAt,
    });
    for (const line of order.lines) {
      const product = line.product as DemoProduct & { id: string };
      rows.lines.push({
        id: world.ids.uuid7(order.orderedAt), workspaceId: world.workspaceId, orderId: id, productId: product.id, sku: product.sku,
        quantity: line.quantity, unitPrice: money(product.price), unitCost: product.cost === null ? null : money(product.cost), total: money(product.price * line.quantity),
      });
    }
  });
}
