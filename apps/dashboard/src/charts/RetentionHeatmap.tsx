// The cohort retention heatmap: one row per acquisition cohort (month of first order), one column per month after it,
// each cell shaded by the share of the cohort that ordered that month. Chart.js with its matrix controller
// (chartjs-chart-matrix, by a Chart.js maintainer); the figures are also in a visually hidden table.
import { CategoryScale, Chart, LinearScale, Tooltip, type TooltipItem } from 'chart.js';
import { MatrixController, type MatrixDataPoint, MatrixElement } from 'chartjs-chart-matrix';
import { useEffect, useRef } from 'react';

Chart.register(MatrixController, MatrixElement, CategoryScale, LinearScale, Tooltip);

export interface RetentionCohort {
  /** Its label, e.g. `Mar 26`. */
  label: string;
  size: number;
  /** Index k: the share of the cohort that ordered in the k-th month after it (k = 0: 1). */
  retention: readonly number[];
}

export interface RetentionHeatmapProps {
  title: string;
  cohorts: readonly RetentionCohort[];
}

interface Cell extends MatrixDataPoint {
  v: number;
  size: number;
}

const percent = (value: number) => `${Math.round(value * 100)}%`;
const offsetLabel = (k: number) => `M${k}`;
/** Light to dark blue with retention; a cell of 0 stays faint so the grid reads as a grid. */
const shade = (v: number) => `rgba(47, 111, 222, ${(0.08 + 0.92 * Math.min(1, Math.max(0, v))).toFixed(3)})`;

export function RetentionHeatmap({ title, cohorts }: RetentionHeatmapProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const columns = Math.max(1, ...cohorts.map((c) => c.retention.length));
  const offsets = Array.from({ length: columns }, (_, k) => offsetLabel(k));
  const rows = cohorts.map((c) => c.label);

  useEffect(() => {
    const cells: Cell[] = cohorts.flatMap((c) => c.retention.map((v, k) => ({ x: offsetLabel(k), y: c.label, v, size: c.size })));
    const chart = new Chart(canvas.current!, {
      type: 'matrix',
      data: {
        datasets: [
          {
            label: title,
            data: cells,
            backgroundColor: (context) => shade((context.raw as Cell | undefined)?.v ?? 0),
            borderColor: '#ffffff',
            borderWidth: 1,
            width: ({ chart: c }) => (c.chartArea?.width ?? 0) / columns - 1,
            height: ({ chart: c }) => (c.chartArea?.height ?? 0) / Math.max(1, rows.length) - 1,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: () => '',
              label: (item: TooltipItem<'matrix'>) => {
                const cell = item.raw as Cell;
                return `${cell.y} cohort (${cell.size}), ${cell.x}: ${percent(cell.v)}`;
              },
            },
          },
        },
        scales: {
          x: { type: 'category', labels: offsets, offset: true, grid: { display: false }, title: { display: true, text: 'Months after the first order' } },
          y: { type: 'category', labels: rows, offset: true, grid: { display: false } },
        },
      },
    });
    return () => chart.destroy();
    // `columns`, `offsets` and `rows` derive from `cohorts`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [title, cohorts]);

  const summary = cohorts.map((c) => `${c.label}: ${c.size} customers, ${c.retention.slice(1).map(percent).join(' ') || 'no later month yet'}`).join('; ');
  return (
    <figure className="chart wide" data-testid="chart-cohort-retention">
      <figcaption>{title}</figcaption>
      <div className="chart-canvas heatmap" style={{ height: `${Math.max(180, 40 + rows.length * 22)}px` }}>
        <canvas ref={canvas} role="img" aria-label={`${title}. Share of each cohort ordering again, by month after the first order. ${summary}`} />
      </div>
      {/* Hidden through a wrapper: a table is never narrower than its columns, whatever its own width says. */}
      <div className="visually-hidden">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Cohort</th>
              <th scope="col">Customers</th>
              {offsets.map((offset) => (
                <th key={offset} scope="col">
                  {offset}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cohorts.map((c) => (
              <tr key={c.label}>
                <th scope="row">{c.label}</th>
                <td>{c.size}</td>
                {offsets.map((offset, k) => (
                  <td key={offset}>{k < c.retention.length ? percent(c.retention[k]!) : ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
