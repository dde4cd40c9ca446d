import type { Random } from './random.js';

// A coffee-and-tea retailer's catalog: 60 SKUs in 8 categories, and the "affinity groups" that real baskets follow
// (machine + tamper + descaler + beans; dripper + filters + kettle). Orders draw their lines from these groups, so
// co-purchase mining (cross-sell suggestions) has real structure to find.

export interface DemoProduct {
  sku: string;
  name: string;
  category: string;
  /** Cents. */
  price: number;
  /** Cents; null when a product already in the workspace's catalog has no unit cost. */
  cost: number | null;
  /** Bought again and again (beans, filters, descaler), rather than once. */
  consumable: boolean;
  /** Indexes into {@link demoAffinityGroups}. */
  groups: number[];
}

type Item = [name: string, priceCents: number, consumable?: true];

const categories: [category: string, prefix: string, items: Item[]][] = [
  ['Coffee', 'COF', [
    ['House espresso beans 1kg', 2400, true], ['Filter blend 500g', 1300, true], ['Decaf Swiss water 500g', 1450, true],
    ['Ethiopia Yirgacheffe 250g', 1650, true], ['Colombia Huila 250g', 1550, true], ['Cold brew pack', 1900, true],
    ['Espresso capsules (50)', 2200, true], ['Instant specialty sachets (12)', 1200, true], ['Seasonal blend 500g', 1500, true],
    ['Green beans 1kg', 1800, true],
  ]],
  ['Tea', 'TEA', [
    ['Green tea 100g', 1100, true], ['Earl grey 100g', 1000, true], ['Chai blend 200g', 1250, true], ['Matcha 30g', 2400, true],
    ['Rooibos 100g', 950, true], ['Oolong 100g', 1600, true], ['Tea infuser', 900],
  ]],
  ['Brewing', 'BRW', [
    ['Pour-over dripper', 2900], ['Paper filters (200)', 700, true], ['Gooseneck kettle', 6900], ['French press', 4500],
    ['AeroPress', 3990], ['Moka pot', 3500], ['Cold brew jar', 3200], ['Chemex 8 cup', 4900],
  ]],
  ['Machines', 'MAC', [
    ['Home espresso machine', 49900], ['Dual boiler espresso machine', 129900], ['Filter coffee machine', 15900],
    ['Capsule machine', 12900], ['Milk frother', 8900], ['Office bean-to-cup machine', 249900],
  ]],
  ['Grinders', 'GRI', [
    ['Hand grinder', 7900], ['Burr grinder', 12900], ['Flat burr grinder', 34900], ['Blade grinder', 2900], ['Replacement burrs', 4900],
  ]],
  ['Accessories', 'ACC', [
    ['Travel mug', 2500], ['Ceramic cups (4)', 3200], ['Brew scale', 4900], ['Storage canister', 1800], ['Barista apron', 2700],
    ['Tamper', 3400], ['Milk pitcher', 1900], ['Knock box', 2200], ['Teapot', 3900],
  ]],
  ['Care and parts', 'CAR', [
    ['Descaler (3 pack)', 1200, true], ['Cleaning tablets', 1100, true], ['Water filter cartridge', 1500, true],
    ['Portafilter basket', 2900], ['Group gasket', 900, true], ['Milk system cleaner', 1300, true], ['Machine service visit', 14900],
  ]],
  ['Subscriptions and gifts', 'SUB', [
    ['Monthly beans subscription', 2900, true], ['Quarterly tasting box', 7900, true], ['Tea club', 2400, true],
    ['Machine care plan', 9900], ['Gift card 50', 5000], ['Gift card 100', 10000], ['Barista course', 12000],
    ['Office coffee service (month)', 39900, true],
  ]],
];

/** What sells together, with how common each kind of buyer is. */
export const demoAffinityGroups: { name: string; weight: number; products: string[] }[] = [
  { name: 'Pour-over', weight: 20, products: ['Pour-over dripper', 'Paper filters (200)', 'Gooseneck kettle', 'Filter blend 500g', 'Brew scale', 'Hand grinder', 'Ethiopia Yirgacheffe 250g', 'Chemex 8 cup'] },
  { name: 'Espresso at home', weight: 15, products: ['Home espresso machine', 'Tamper', 'Milk pitcher', 'Knock box', 'House espresso beans 1kg', 'Descaler (3 pack)', 'Burr grinder', 'Cleaning tablets', 'Machine care plan'] },
  { name: 'Immersion and cold brew', weight: 15, products: ['French press', 'Cold brew jar', 'Cold brew pack', 'Colombia Huila 250g', 'Storage canister', 'Blade grinder', 'AeroPress'] },
  { name: 'Tea', weight: 12, products: ['Teapot', 'Tea infuser', 'Green tea 100g', 'Earl grey 100g', 'Oolong 100g', 'Matcha 30g', 'Tea club', 'Rooibos 100g', 'Chai blend 200g'] },
  { name: 'Milk drinks', weight: 12, products: ['Milk frother', 'Ceramic cups (4)', 'Decaf Swiss water 500g', 'Milk system cleaner', 'Chai blend 200g', 'Milk pitcher'] },
  { name: 'Capsules', weight: 10, products: ['Capsule machine', 'Espresso capsules (50)', 'Descaler (3 pack)', 'Travel mug', 'Instant specialty sachets (12)'] },
  { name: 'Gifts', weight: 8, products: ['Gift card 50', 'Gift card 100', 'Travel mug', 'Barista apron', 'Monthly beans subscription', 'Moka pot', 'Filter coffee machine'] },
  { name: 'Office', weight: 4, products: ['Office bean-to-cup machine', 'Office coffee service (month)', 'House espresso beans 1kg', 'Water filter cartridge', 'Machine service visit', 'Ceramic cups (4)', 'Cleaning tablets'] },
  { name: 'Enthusiast', weight: 4, products: ['Dual boiler espresso machine', 'Flat burr grinder', 'Seasonal blend 500g', 'Green beans 1kg', 'Replacement burrs', 'Portafilter basket', 'Group gasket', 'Quarterly tasting box', 'Barista course', 'Brew scale'] },
];

/** The catalog with its unit costs (35-65 % of the price, drawn per product). */
export function buildCatalog(random: Random): DemoProduct[] {
  const products: DemoProduct[] = [];
  for (const [category, prefix, items] of categories) {
    items.forEach(([name, price, consumable], index) => {
      products.push({
        sku: `${prefix}-${String(index + 1).padStart(3, '0')}`,
        name,
        category,
        price,
        cost: Math.round(price * (0.35 + random.next() * 0.3)),
        consumable: consumable ?? false,
        groups: demoAffinityGroups.flatMap((group, i) => (group.products.includes(name) ? [i] : [])),
      });
    });
  }
  return products;
}

/** A customer's main affinity group: what they mostly buy, order after order. */
export function pickTaste(random: Random): number {
  return random.weighted(demoAffinityGroups.map((group, index) => [index, group.weight] as const));
}

export interface BasketLine {
  product: DemoProduct;
  quantity: number;
}

/**
 * The lines of one order worth about `budget` cents (never more, except a single cheapest item): a first product
 * from the customer's group (on repeat orders mostly a consumable they re-buy), then companions that share a group
 * with it, or now and then anything.
 */
export function pickBasket(random: Random, catalog: readonly DemoProduct[], taste: number, budget: number, repeat: boolean): BasketLine[] {
  const inTaste = catalog.filter((p) => p.groups.includes(taste));
  const firstPool = repeat && random.chance(0.7) ? inTaste.filter((p) => p.consumable) : random.chance(0.75) ? inTaste : catalog;
  const affordable = firstPool.filter((p) => p.price <= budget);
  const first = affordable.length ? random.pick(affordable) : cheapest(firstPool.length ? firstPool : catalog);
  const lines: BasketLine[] = [{ product: first, quantity: 1 }];
  let left = budget - first.price;
  if (first.consumable) {
    const extra = Math.min(2, Math.floor(left / first.price), random.int(0, 2));
    lines[0]!.quantity += Math.max(0, extra);
    left -= Math.max(0, extra) * first.price;
  }
  const companions = catalog.filter((p) => p !== first && p.groups.some((g) => first.groups.includes(g)));
  // Fill the basket close to the budget; with little left, people often stop.
  while (lines.length < 8 && !(left < budget * 0.3 && random.chance(0.35))) {
    const pool = (companions.length && random.chance(0.8) ? companions : catalog).filter((p) => p.price <= left && !lines.some((l) => l.product === p));
    if (!pool.length) break;
    const product = random.pick(pool);
    const quantity = product.consumable ? 1 + Math.min(Math.floor((left - product.price) / product.price), random.int(0, 1)) : 1;
    lines.push({ product, quantity });
    left -= product.price * quantity;
  }
  return lines;
}

function cheapest(products: readonly DemoProduct[]): DemoProduct {
  return products.reduce((a, b) => (b.price < a.price ? b : a));
}
