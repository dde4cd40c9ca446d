import { formatMoney } from '../data/format.js';
import type { KeyFigures } from '../data/key-figures.js';

/** The key figures (`DashboardMetrics`), as tiles. */
export function MetricsPanel({ figures }: { figures: KeyFigures }) {
  const customers = figures.customersByStage.reduce((total, stage) => total + stage.count, 0);
  const tiles: { label: string; value: string; id: string }[] = [
    { id: 'customers', label: 'Customers', value: customers.toLocaleString('en-US') },
    { id: 'new-this-week', label: 'New this week', value: figures.newCustomersThisWeek.toLocaleString('en-US') },
    { id: 'open-pipeline', label: 'Open pipeline', value: formatMoney(figures.openPipelineValue) },
    { id: 'weighted-pipeline', label: 'Weighted pipeline', value: formatMoney(figures.weightedPipelineValue) },
    { id: 'won-lost-this-month', label: 'Deals won / lost this month', value: `${figures.dealsWonThisMonth} / ${figures.dealsLostThisMonth}` },
    { id: 'revenue-this-month', label: 'Revenue this month', value: formatMoney(figures.revenueThisMonth) },
    { id: 'open-tickets', label: 'Open tickets', value: figures.openTickets.toLocaleString('en-US') },
    { id: 'average-csat', label: 'Average CSAT', value: figures.averageCsat?.toFixed(2) ?? 'No ratings' },
  ];
  return (
    <section aria-labelledby="figures-title" className="figures">
      <h2 id="figures-title" className="visually-hidden">
        Key figures
      </h2>
      <dl>
        {tiles.map((tile) => (
          <div key={tile.id} className="tile" data-testid={`figure-${tile.id}`}>
            <dt>{tile.label}</dt>
            <dd>{tile.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
