import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from './api.js';
import { h } from './format.js';

/** Colors that stay apart on a dark background (and for the common forms of color blindness). */
export const PALETTE = ['#58a6ff', '#f0883e', '#3fb950', '#d2a8ff', '#ff7b72', '#e3b341', '#39c5cf', '#db61a2', '#a5d6ff', '#7ee787'];

function isolatedPoints(u: uPlot, seriesIdx: number): number[] {
  const ys = u.data[seriesIdx] as (number | null | undefined)[];
  const out: number[] = [];
  for (let i = 0; i < ys.length; i++) if (ys[i] != null && ys[i - 1] == null && ys[i + 1] == null) out.push(i);
  return out;
}

export interface ChartSeries {
  label: string;
  color: string;
}

export interface TimeChart {
  /** xs in epoch ms; one array of values per series (null = gap). */
  setData(xs: number[], ys: (number | null)[][]): void;
  /** Appends one point (live mode) and drops points older than `keepMs`. */
  append(ts: number, values: (number | null)[], keepMs: number): void;
  /** History could not be loaded: the chart says why instead of keeping the previous range's data. */
  showError(message: string): void;
  destroy(): void;
}

/**
 * A uPlot time-series chart sized to its container, dark-themed. The container carries data-points (non-null
 * values drawn) so tests and operators can tell an empty chart from a flat one.
 */
export function timeChart(el: HTMLElement, opts: { title: string; unit: string; series: ChartSeries[]; digits?: number; height?: number }): TimeChart {
  el.classList.add('chart');
  el.innerHTML = `<div class="chart-title">${h(opts.title)}</div><div class="chart-body"></div><div class="chart-empty">No data in this range yet</div>`;
  const body = el.querySelector('.chart-body') as HTMLElement;
  const emptyText = el.querySelector('.chart-empty') as HTMLElement;
  const digits = opts.digits ?? 1;
  const axis = { stroke: '#9aa7b4', grid: { stroke: '#232a33', width: 1 }, ticks: { stroke: '#232a33' }, font: '12px system-ui' };
  let xs: number[] = [];
  let ys: (number | null)[][] = opts.series.map(() => []);
  const plot = new uPlot(
    {
      width: Math.max(200, body.clientWidth || el.clientWidth || 600),
      height: opts.height ?? 220,
      series: [
        {},
        ...opts.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          // Lines need two neighbouring values; a value between gaps would be invisible, so it gets a dot.
          points: { show: true, size: 5, filter: isolatedPoints },
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${v.toFixed(digits)} ${opts.unit}`),
        })),
      ],
      axes: [{ ...axis }, { ...axis, size: 64, values: (_u, splits) => splits.map((v) => `${v.toFixed(v >= 100 ? 0 : digits)}`), label: opts.unit, labelSize: 18, labelFont: '12px system-ui' }],
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] } },
      legend: { show: true, live: true },
      // 24-hour clock on the time axis and legend: control rooms run around the clock.
      fmtDate: (tpl: string) => uPlot.fmtDate(tpl.replace('{h}', '{HH}').replace(/\s?\{aa\}/g, '')),
      cursor: { drag: { x: false, y: false } },
    },
    [[], ...opts.series.map(() => [])],
    body,
  );
  const redraw = (): void => {
    plot.setData([xs.map((t) => t / 1000), ...ys] as uPlot.AlignedData);
    // Without a hover the legend shows the latest values, not dashes.
    let last = xs.length - 1;
    while (last > 0 && ys.every((series) => series[last] == null)) last--;
    if (last >= 0 && (plot.cursor.left ?? -1) < 0) plot.setLegend({ idx: last });
    const points = ys.reduce((n, s) => n + s.filter((v) => v !== null).length, 0);
    el.dataset.points = String(points);
    el.classList.toggle('is-empty', points === 0);
    el.removeAttribute('data-error');
    emptyText.textContent = 'No data in this range yet';
  };
  const resize = new ResizeObserver(() => {
    const width = body.clientWidth;
    if (width > 0 && Math.abs(width - plot.width) > 2) plot.setSize({ width, height: plot.height });
  });
  resize.observe(body);
  redraw();
  return {
    setData(newXs, newYs) {
      xs = newXs;
      ys = newYs;
      redraw();
    },
    append(ts, values, keepMs) {
      if (xs.length > 0 && ts <= (xs[xs.length - 1] as number)) return;
      xs.push(ts);
      values.forEach((v, i) => ys[i]?.push(v));
      let drop = 0;
      while (drop < xs.length && (xs[drop] as number) < ts - keepMs) drop++;
      if (drop > 0) {
        xs = xs.slice(drop);
        ys = ys.map((s) => s.slice(drop));
      }
      redraw();
    },
    showError(message) {
      xs = [];
      ys = ys.map(() => []);
      redraw();
      el.dataset.error = message;
      emptyText.textContent = `History unavailable: ${message}`;
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

export const RANGES = {
  live: { label: 'Live', fromMs: 15 * 60_000, stepS: 10 },
  '1h': { label: '1 h', fromMs: 3_600_000, stepS: 30 },
  '24h': { label: '24 h', fromMs: 86_400_000, stepS: 300 },
  '7d': { label: '7 d', fromMs: 7 * 86_400_000, stepS: 1800 },
  '30d': { label: '30 d', fromMs: 30 * 86_400_000, stepS: 7200 },
} as const;
export type RangeKey = keyof typeof RANGES;

export function parseRange(value: string | null): RangeKey {
  return value !== null && value in RANGES ? (value as RangeKey) : 'live';
}

/** What history the server's store holds (GET …/series `coverage`). */
export interface Coverage {
  kind: string;
  durable: boolean;
  oldest: number | null;
  tiers: { resolution_ms: number; retention_ms: number | null }[];
}

const span = (ms: number): string => (ms >= 86_400_000 ? `${Math.round(ms / 86_400_000)} d` : `${Math.round(ms / 3_600_000)} h`);

/** One line under the range buttons: which range the store holds, so an empty 30-day chart says why. */
export function coverageText(c: Coverage, fromMs: number): string {
  if (!c.durable) return 'History is kept in memory only (a few hours per series, lost on restart); configure the SQLite or InfluxDB store for longer ranges.';
  const tiers = c.tiers
    .filter((t) => t.retention_ms !== null)
    .map((t) => `${t.resolution_ms === 0 ? 'raw samples' : t.resolution_ms < 3_600_000 ? '1-minute means' : '1-hour means'} ${span(t.retention_ms as number)}`)
    .join(', ');
  const since = c.oldest !== null && c.oldest > fromMs ? ` Nothing before ${new Date(c.oldest).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}.` : '';
  return `History kept: ${tiers || 'per the store’s retention'}.${since}`;
}

let coverageNotes: HTMLElement[] = [];

/** Range buttons (live, 1 h, 24 h, 7 d, 30 d), with the store's coverage line after them. */
export function rangeBar(el: HTMLElement, current: RangeKey, onChange: (range: RangeKey) => void): void {
  const note = document.createElement('div');
  note.className = 'coverage muted';
  note.dataset.testid = 'coverage';
  el.after(note);
  coverageNotes = [...coverageNotes.filter((n) => n.isConnected), note];
  el.classList.add('range-bar');
  el.setAttribute('role', 'group');
  el.setAttribute('aria-label', 'Chart range');
  const paint = (active: RangeKey): void => {
    el.innerHTML = (Object.keys(RANGES) as RangeKey[])
      .map((k) => `<button type="button" data-range="${k}" class="${k === active ? 'active' : ''}" aria-pressed="${k === active}">${RANGES[k].label}</button>`)
      .join('');
  };
  paint(current);
  el.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest('button');
    const range = button?.dataset.range as RangeKey | undefined;
    if (!range) return;
    paint(range);
    onChange(range);
  });
}

interface SeriesAnswer {
  points: { ts: number; value: number | null }[];
  coverage?: Coverage | null;
}

/** Loads one metric for several ids (sites or rigs) over a range, aligned on the same buckets. */
export async function loadSeries(scope: 'sites' | 'rigs', ids: string[], metric: string, range: RangeKey, minStepS = 0): Promise<{ xs: number[]; ys: (number | null)[][] }> {
  const r = RANGES[range];
  // A bucket narrower than the source's own interval would leave gaps between every point.
  const step = Math.max(r.stepS, Math.ceil(minStepS));
  const to = Date.now();
  const from = to - r.fromMs;
  const answers = await Promise.all(
    ids.map((id) => api<SeriesAnswer>(`/api/${scope}/${encodeURIComponent(id)}/series?metric=${metric}&from=${from}&to=${to}&step=${step}`)),
  );
  const xs = answers[0]?.points.map((p) => p.ts) ?? [];
  const coverage = answers[0]?.coverage;
  if (coverage) for (const note of coverageNotes) if (note.isConnected) note.textContent = coverageText(coverage, from);
  return { xs, ys: answers.map((a) => a.points.map((p) => p.value)) };
}
