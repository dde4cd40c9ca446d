// Bar charts with Chart.js, registering only the pieces used (keeps the bundle small). The canvas is an image
// with a text alternative; the figures are also in a visually hidden table for screen readers.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export interface BarChartProps {
  /** What the chart shows, for the accessible name and the table caption. */
  title: string;
  labels: string[];
  values: number[];
  /** Formats a value in tooltips, axis ticks and the table. */
  format?: (value: number) => string;
  /** Horizontal bars (a funnel). */
  horizontal?: boolean;
  color?: string;
}

export function BarChart({ title, labels, values, format = String, horizontal = false, color = '#2f6fde' }: BarChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);

  useEffect(() => {
    chart.current = new Chart(canvas.current!, {
      type: 'bar',
      data: { labels: [], datasets: [{ label: title, data: [], backgroundColor: color, borderRadius: 4 }] },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: { duration: 250 },
        plugins: { tooltip: { callbacks: { label: (item) => format(Number(item.raw)) } } },
        scales: { [horizontal ? 'x' : 'y']: { beginAtZero: true, ticks: { callback: (value: string | number) => format(Number(value)) } } },
      },
    });
    return () => chart.current?.destroy();
  }, [title, horizontal, color, format]);

  useEffect(() => {
    const current = chart.current;
    if (!current) return;
    current.data.labels = labels;
    current.data.datasets[0]!.data = values;
    current.update();
  }, [labels, values]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-canvas">
        <canvas ref={canvas} role="img" aria-label={`${title}: ${labels.map((l, i) => `${l} ${format(values[i] ?? 0)}`).join(', ')}`} />
      </div>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <tbody>
          {labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{format(values[i] ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
