import type { ScenarioResult, SiteResult, TornadoBar } from '../../../server/planner/contract.js';
import { escapeHtml } from '../format.js';
import { compact, mw, usd } from './fmt.js';

const svgText = (x: number, y: number, text: string, anchor = 'start', cls = '') =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}" class="${cls}">${escapeHtml(text)}</text>`;

/** Horizontal bars per site: mining margin and AI EBITDA per MW per day, on one zero-centred axis. */
export function siteComparisonChart(sites: readonly SiteResult[]): string {
  const width = 640;
  const label = 140;
  const row = 34;
  const height = sites.length * row + 30;
  const values = sites.flatMap((s) => [s.per_mw.mining_margin_usd_per_day, s.per_mw.ai_ebitda_usd_per_day]);
  const min = Math.min(0, ...values);
  const max = Math.max(0, ...values) || 1;
  const x = (v: number) => label + ((v - min) / (max - min)) * (width - label - 70);
  const bars = sites
    .map((s, i) => {
      const y = 20 + i * row;
      const bar = (v: number, dy: number, cls: string) => {
        const x0 = Math.min(x(0), x(v));
        return `<rect class="${cls}" x="${x0.toFixed(1)}" y="${y + dy}" width="${Math.max(1, Math.abs(x(v) - x(0))).toFixed(1)}" height="12"><title>${escapeHtml(s.name)}: ${usd(v)}/MW/day</title></rect>` +
          svgText(Math.max(x(0), x(v)) + 4, y + dy + 10, usd(v), 'start', 'value');
      };
      return svgText(0, y + 16, s.name, 'start', 'site') +
        bar(s.per_mw.mining_margin_usd_per_day, 0, 'mining') +
        bar(s.per_mw.ai_ebitda_usd_per_day, 14, 'ai');
    })
    .join('');
  const axis = `<line class="axis" x1="${x(0)}" x2="${x(0)}" y1="10" y2="${height - 10}" />`;
  const legend = `<rect class="swatch mining" x="${label}" y="0" width="10" height="10"/>${svgText(label + 14, 9, 'Mining margin $/MW/day')}` +
    `<rect class="swatch ai" x="${label + 190}" y="0" width="10" height="10"/>${svgText(label + 204, 9, 'AI EBITDA $/MW/day')}`;
  return `<svg class="chart site-chart" data-testid="site-chart" viewBox="0 0 ${width} ${height}" width="100%">${legend}${axis}${bars}</svg>`;
}

function heatColor(t: number): string {
  // From panel grey-blue (nothing converts) to strong green (everything converts).
  const clamp = Math.max(0, Math.min(1, t));
  return `hsl(${140 - 20 * clamp}, ${25 + 45 * clamp}%, ${18 + 22 * clamp}%)`;
}

/** The scenario grid as a heatmap table: BTC price rows × GPU-hour price columns, cell = converted MW (and NPV). */
export function scenarioHeatmap(s: ScenarioResult, gridIndex: number, metric: 'converted_mw' | 'npv_usd', base: { btc: number; gpuHour: number | null }): string {
  const grid = s.grids[gridIndex];
  if (!grid) return '';
  const values = grid[metric].flat();
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const nearest = (list: number[], v: number | null) => (v === null ? -1 : list.reduce((best, x, i) => (Math.abs(x - v) < Math.abs((list[best] as number) - v) ? i : best), 0));
  const baseRow = nearest(s.btc_prices_usd, base.btc);
  const baseCol = nearest(s.gpu_hour_prices_usd, base.gpuHour);
  const head = `<tr><th>BTC \\ $/GPU-h</th>${s.gpu_hour_prices_usd.map((g) => `<th>$${g.toFixed(2)}</th>`).join('')}</tr>`;
  const rows = s.btc_prices_usd
    .map((btc, r) => {
      const cells = s.gpu_hour_prices_usd
        .map((_, c) => {
          const v = grid[metric][r]?.[c] ?? 0;
          const mwV = grid.converted_mw[r]?.[c] ?? 0;
          const npv = grid.npv_usd[r]?.[c] ?? 0;
          const here = r === baseRow && c === baseCol ? ' class="base"' : '';
          return `<td${here} style="background:${heatColor(hi > lo ? (v - lo) / (hi - lo) : 0)}" title="${mw(mwV)} converted, NPV ${usd(npv)}">${metric === 'converted_mw' ? mw(mwV) : usd(npv)}</td>`;
        })
        .join('');
      return `<tr><th>$${compact(btc)}</th>${cells}</tr>`;
    })
    .join('');
  return `<table class="heatmap" data-testid="heatmap">${head}${rows}</table>`;
}

/** Tornado: NPV at each input's low and high value around today's plan NPV, widest swing on top. */
export function tornadoChart(bars: readonly TornadoBar[], baseNpv: number): string {
  const width = 640;
  const label = 250;
  const row = 24;
  const height = bars.length * row + 30;
  const values = bars.flatMap((b) => [b.npv_low_usd, b.npv_high_usd]).concat(baseNpv);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const x = (v: number) => label + ((v - min) / span) * (width - label - 20);
  const rows = bars
    .map((b, i) => {
      const y = 10 + i * row;
      const seg = (v: number, cls: string, value: number) => {
        const x0 = Math.min(x(baseNpv), x(v));
        return `<rect class="${cls}" x="${x0.toFixed(1)}" y="${y}" width="${Math.max(1, Math.abs(x(v) - x(baseNpv))).toFixed(1)}" height="16"><title>${escapeHtml(b.input)} = ${compact(value)}: NPV ${usd(v)}</title></rect>`;
      };
      return svgText(label - 6, y + 12, b.input, 'end', 'site') + seg(b.npv_low_usd, 'low', b.low_value) + seg(b.npv_high_usd, 'high', b.high_value);
    })
    .join('');
  const axis = `<line class="axis" x1="${x(baseNpv)}" x2="${x(baseNpv)}" y1="4" y2="${height - 16}" />` +
    svgText(x(baseNpv), height - 2, `plan NPV ${usd(baseNpv)}`, 'middle', 'value') +
    svgText(label, height - 2, usd(min), 'start', 'value') + svgText(width - 20, height - 2, usd(max), 'end', 'value');
  const legend = `<g class="legend">${svgText(0, height - 2, '■ input low  ', 'start', 'low-text')}${svgText(95, height - 2, '■ input high', 'start', 'high-text')}</g>`;
  return `<svg class="chart tornado" data-testid="tornado" viewBox="0 0 ${width} ${height}" width="100%">${rows}${axis}${legend}</svg>`;
}
