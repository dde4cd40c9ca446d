import type { Random } from './random.js';

export interface DemoProduct {
  sku: string;
  name: string;
  category: string;
  /** Cents. */
  price: number;
  cost: number;
  /** Products from the same bundle are often bought together (what cross-sell suggestions should find). */
  bundle: number;
}

const categories: Record<string, [string, number][]> = {
  Coffee: [['Espresso beans 1kg', 2400], ['Filter blend 500g', 1300], ['Decaf 500g', 1400], ['Single origin 250g', 1650], ['Cold brew pack', 1900]],
  Brewing: [['Pour-over kit', 3900], ['French press', 4500], ['Burr grinder', 12900], ['Paper filters (200)', 700], ['Gooseneck kettle', 6900]],
  Machines: [['Espresso machine', 49900], ['Milk frother', 8900], ['Descaler', 1200], ['Portafilter basket', 2900], ['Tamper', 3400]],
  Tea: [['Green tea 100g', 1100], ['Earl grey 100g', 1000], ['Chai blend', 1250], ['Tea infuser', 900], ['Teapot', 3900]],
  Accessories: [['Travel mug', 2500], ['Ceramic cups (4)', 3200], ['Scale', 4900], ['Storage canister', 1800], ['Barista apron', 2700]],
  Subscriptions: [['Monthly beans', 2900], ['Quarterly tasting box', 7900], ['Tea club', 2400], ['Machine care plan', 9900], ['Gift card', 5000]],
};

/** Bundles cut across categories, the way people really buy: machine + descaler + beans, kettle + pour-over + filters. */
const bundles: string[][] = [
  ['Espresso machine', 'Descaler', 'Espresso beans 1kg', 'Tamper', 'Machine care plan'],
  ['Pour-over kit', 'Paper filters (200)', 'Gooseneck kettle', 'Filter blend 500g', 'Scale'],
  ['French press', 'Burr grinder', 'Single origin 250g', 'Storage canister'],
  ['Teapot', 'Tea infuser', 'Green tea 100g', 'Earl grey 100g', 'Tea club'],
  ['Milk frother', 'Ceramic cups (4)', 'Decaf 500g', 'Barista apron'],
  ['Travel mug', 'Cold brew pack', 'Monthly beans', 'Chai blend', 'Quarterly tasting box', 'Portafilter basket', 'Gift card'],
];

export function buildCatalog(random: Random): DemoProduct[] {
  const bundleOf = new Map<string, number>();
  bundles.forEach((names, index) => names.forEach((name) => bundleOf.set(name, index)));
  const products: DemoProduct[] = [];
  for (const [category, items] of Object.entries(categories)) {
    items.forEach(([name, price], index) => {
      products.push({
        sku: `${category.slice(0, 3).toUpperCase()}-${String(index + 1).padStart(3, '0')}`,
        name,
        category,
        price,
        cost: Math.round(price * (0.35 + random.next() * 0.3)),
        bundle: bundleOf.get(name) ?? 0,
      });
    });
  }
  return products;
}

/** The lines of one order: a first product, then mostly companions from its bundle. `target` is the spend in cents. */
export function pickLines(random: Random, catalog: readonly DemoProduct[], target: number): { product: DemoProduct; quantity: number }[] {
  const first = random.pick(catalog);
  const lines = [{ product: first, quantity: 1 }];
  let total = first.price;
  const companions = catalog.filter((p) => p.bundle === first.bundle && p !== first);
  while (total < target && lines.length < 5) {
    const product = companions.length && random.chance(0.75) ? random.pick(companions) : random.pick(catalog);
    const existing = lines.find((line) => line.product === product);
    if (existing) existing.quantity++;
    else lines.push({ product, quantity: 1 });
    total += product.price;
  }
  return lines;
}
