// @ts-check
/**
 * A bar chart drawn by Chart.js. Only the bar chart's parts are registered, so the
 * bundle carries no other chart kinds; the office screens load it only when opened.
 * Every chart has its figures as text beside it too (a table for screen readers and print).
 */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { shorten } from './format.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const BAR_COLOUR = '#1f7a4d';
const PX_PER_BAR = 34;
// A long skill name beside a bar would crowd the bar out: cut it (the tooltip and table say it whole).
const PX_PER_LABEL_CHAR = 7;

/**
 * @param {{labels: string[], values: (number | null)[], horizontal?: boolean, percent?: boolean,
 *   label: string, format: (v: number | null) => string, testId?: string, wide?: boolean}} props
 */
export function BarChart({ labels, values, horizontal = false, percent = false, label, format, testId, wide = false }) {
  const canvas = useRef(/** @type {HTMLCanvasElement | null} */ (null));
  useEffect(() => {
    if (!canvas.current) return undefined;
    // Labels beside horizontal bars get at most about 40 % of the chart's width as it is now
    // (55 % on a phone, where the bars still read well in what is left).
    const labelAxis = { ticks: { autoSkip: false,
      /** @this {any} @param {any} _v @param {number} i */
      callback(_v, i) {
        const width = this.chart?.width ?? 320;
        return shorten(labels[i] ?? '', Math.max(12, Math.floor(width * (width < 500 ? 0.55 : 0.4) / PX_PER_LABEL_CHAR)));
      } } };
    const valueAxis = { beginAtZero: true, ...(percent ? { max: 100 } : {}),
      ticks: { precision: 0, callback: (/** @type {any} */ v) => (percent ? `${v}%` : v) } };
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets: [{ label, data: values.map((v) => (v === null ? null : percent ? Math.round(v * 100) : v)),
        backgroundColor: BAR_COLOUR, borderRadius: 3, maxBarThickness: 28 }] },
      options: {
        indexAxis: horizontal ? 'y' : 'x', responsive: true, maintainAspectRatio: false, animation: false,
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { y: valueAxis },
        plugins: { tooltip: { callbacks: { title: (items) => labels[items[0]?.dataIndex ?? 0] ?? '',
          label: (item) => format(values[item.dataIndex]) } } },
      },
    });
    return () => chart.destroy();
  }, [labels.join('\n'), values.join(','), horizontal, percent, label]);
  const height = horizontal ? Math.max(120, labels.length * PX_PER_BAR + 40) : 220;
  return (
    <figure class={`bar-chart ${wide ? 'wide' : ''}`} data-testid={testId}>
      <figcaption>{label}</figcaption>
      <div class="chart-box" style={{ height: `${height}px` }}><canvas ref={canvas} role="img" aria-label={label} /></div>
      <table class="chart-figures">
        <tbody>
          {labels.map((name, i) => <tr key={name}><th scope="row">{name}</th><td>{format(values[i])}</td></tr>)}
        </tbody>
      </table>
    </figure>
  );
}
