// Revenue per month over the last 12 months, from the orders (newest first), page by page.
import { graphql, type ResultOf } from '@crm/client';
import { useEffect, useState } from 'react';
import { useClient } from '../data/hooks.js';

const ordersPage = graphql(`
  query OrdersForRevenue($after: String) {
    orders(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id orderedAt total } } }
  }
`);

const MONTHS = 12;
/** Enough for a demo workspace; a real one wants a server-side aggregate. */
const MAX_PAGES = 20;

export interface MonthlyRevenue {
  labels: string[];
  values: number[];
}

export function monthKeys(now = new Date()): string[] {
  return Array.from({ length: MONTHS }, (_, i) => {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (MONTHS - 1 - i), 1));
    return month.toISOString().slice(0, 7);
  });
}

export function useRevenueByMonth(version: number, enabled: boolean): MonthlyRevenue | null {
  const client = useClient();
  const [revenue, setRevenue] = useState<MonthlyRevenue | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    (async () => {
      const keys = monthKeys();
      const totals = new Map(keys.map((key) => [key, 0]));
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES && !cancelled; page++) {
        const result = await client.query(ordersPage, { after }, { requestPolicy: 'network-only' }).toPromise();
        const orders: ResultOf<typeof ordersPage>['orders'] | undefined = result.data?.orders;
        if (!orders) break;
        for (const { node } of orders.edges) {
          const key = node.orderedAt.slice(0, 7);
          if (totals.has(key)) totals.set(key, totals.get(key)! + Number(node.total));
        }
        const oldest = orders.edges.at(-1)?.node.orderedAt.slice(0, 7);
        if (!orders.pageInfo.hasNextPage || (oldest && oldest < keys[0]!)) break;
        after = orders.pageInfo.endCursor ?? null;
      }
      const labels = keys.map((key) => new Date(`${key}-01T00:00:00Z`).toLocaleString('en-US', { month: 'short', year: '2-digit', timeZone: 'UTC' }));
      if (!cancelled) setRevenue({ labels, values: keys.map((key) => Math.round(totals.get(key)!)) });
    })();
    return () => {
      cancelled = true;
    };
  }, [client, version, enabled]);
  return revenue;
}
