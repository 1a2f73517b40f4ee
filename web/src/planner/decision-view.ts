import type { PlanInputRaw, PlanResult, RiskResult } from '../../../server/planner/contract.js';
import { escapeHtml } from '../format.js';
import { mw, usd } from './fmt.js';

/**
 * The decision views of issue #13: what to do in words, what binds, what a BTC costs next to its price, the
 * treasury move, the conversion schedule as a timeline and the risk as a distribution.
 */

const BINDING_LABELS: Record<string, string> = {
  capex_budget: 'capex budget',
  max_gpus: 'GPU supply',
  min_mining_mw: 'minimum mining MW',
  stages_budget: 'stage budgets',
};

export function verdictsList(r: PlanResult): string {
  const items = r.sites.map((s) => `<li class="${s.decision.convert_share > 0 ? 'convert' : 'keep'}" data-site="${escapeHtml(s.id)}">${escapeHtml(s.verdict)}</li>`).join('');
  const binding = r.plan.binding.length
    ? `Binding: ${r.plan.binding.map((b) => `<span class="pl-binding" data-binding="${b}">${BINDING_LABELS[b] ?? b}</span>`).join(' ')}`
    : 'Nothing binds: every conversion that pays is in the plan.';
  return `<ul class="pl-verdicts" data-testid="verdicts">${items}</ul><p class="pl-note" data-testid="binding">${binding}</p>`;
}

const tile = (label: string, value: string, id: string, note = '') =>
  `<div class="pl-tile"><div class="label">${label}</div><div class="value" data-testid="${id}">${value}</div>${note ? `<div class="pl-note">${note}</div>` : ''}</div>`;

/** Fleet cost per BTC next to the BTC price, BTC a day, and the treasury move. */
export function fleetTiles(r: PlanResult): string {
  const f = r.fleet;
  const price = r.market.btc_price_usd;
  const perBtc = (v: number | null) => (v === null ? '—' : usd(v));
  const allIn = f.all_in_cost_per_btc_usd;
  const verdict = allIn === null ? '' : allIn > price ? `${usd(allIn - price)} above the price` : `${usd(price - allIn)} below the price`;
  const tiles = [
    tile('BTC price', usd(price), 'btc-price'),
    tile('All-in cost per BTC', perBtc(allIn), 'cost-per-btc', verdict),
    tile('Cash cost per BTC', perBtc(f.cash_cost_per_btc_usd), 'cash-cost-per-btc', 'power + site opex'),
    tile('BTC mined', `${f.btc_per_day.toFixed(2)}/day`, 'btc-per-day', `${f.btc_per_year.toFixed(0)} a year`),
    tile('Mining margin', `${usd(f.margin_usd_per_day)}/day`, 'fleet-margin', 'after depreciation, overhead, interest'),
  ];
  const t = r.treasury;
  if (t) {
    tiles.push(
      tile('Sale proceeds', usd(t.proceeds_usd), 'treasury-proceeds', `${t.btc_held_after.toLocaleString('en-US')} BTC held after`),
      tile('Debt after', usd(t.debt_after_usd), 'treasury-debt', `saves ${usd(t.interest_saved_usd_per_year)}/yr`),
      tile('Capex available', usd(t.capex_available_usd), 'treasury-capex'),
    );
  }
  return `<div class="pl-tiles" data-testid="fleet-tiles">${tiles.join('')}</div>`;
}

const svgText = (x: number, y: number, text: string, anchor = 'start', cls = '') =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}" class="${cls}">${escapeHtml(text)}</text>`;

/**
 * Timeline: one row per converting site — mining until it starts, the works (conversion months), then AI to the
 * horizon — and the capex each period starts under the axis.
 */
export function scheduleTimeline(r: PlanResult, input: PlanInputRaw): string {
  const horizon = input.finance?.horizon_months ?? 60;
  const works = input.finance?.conversion_months ?? 9;
  const rows = r.sites.filter((s) => s.decision.start_month !== null);
  const width = 640;
  const label = 150;
  const row = 22;
  const top = 8;
  const height = top + Math.max(1, rows.length) * row + 46;
  const x = (m: number) => label + (Math.min(m, horizon) / horizon) * (width - label - 10);
  const bars = rows
    .map((s, i) => {
      const y = top + i * row;
      const start = s.decision.start_month as number;
      const seg = (from: number, to: number, cls: string, title: string) =>
        to > from ? `<rect class="${cls}" x="${x(from).toFixed(1)}" y="${y}" width="${Math.max(1, x(to) - x(from)).toFixed(1)}" height="14"><title>${escapeHtml(title)}</title></rect>` : '';
      return svgText(0, y + 11, `${s.name} (${mw(s.decision.converted_mw)})`, 'start', 'site') +
        seg(0, start + works, 'mining', `${s.name}: mining until month ${start + works}`) +
        seg(start, start + works, 'works', `${s.name}: conversion works from month ${start}`) +
        seg(start + works, horizon, 'ai', `${s.name}: AI from month ${start + works}`);
    })
    .join('');
  const axisY = top + Math.max(1, rows.length) * row + 4;
  const ticks = r.plan.schedule
    .map((e) => `<line class="axis" x1="${x(e.start_month)}" x2="${x(e.start_month)}" y1="${axisY}" y2="${axisY + 5}"/>` +
      svgText(x(e.start_month), axisY + 17, `m${e.start_month}`, 'middle', 'value') +
      svgText(x(e.start_month), axisY + 30, e.capex_usd > 0 ? usd(e.capex_usd) : '—', 'middle', 'value'))
    .join('');
  const empty = rows.length ? '' : svgText(label, top + 12, 'Nothing converts in this plan.', 'start', 'value');
  const axis = `<line class="axis" x1="${x(0)}" x2="${x(horizon)}" y1="${axisY}" y2="${axisY}"/>${svgText(x(horizon), axisY + 17, `month ${horizon}`, 'end', 'value')}`;
  const legend = `${svgText(0, axisY + 17, 'start month', 'start', 'value')}${svgText(0, axisY + 30, 'capex started', 'start', 'value')}`;
  const rowsTable = r.plan.schedule
    .map((e) => `<tr><td>${e.period}</td><td>${e.start_month}</td><td>${mw(e.converted_mw)}</td><td>${usd(e.capex_usd)}</td></tr>`)
    .join('');
  return `<svg class="chart schedule" data-testid="schedule" viewBox="0 0 ${width} ${height}" width="100%">${bars}${empty}${axis}${ticks}${legend}</svg>
    <table class="pl-schedule" data-testid="schedule-table"><thead><tr><th>Period</th><th>Start month</th><th>Converts</th><th>Capex</th></tr></thead><tbody>${rowsTable}</tbody></table>`;
}

/** Histogram of the plan NPV over the Monte Carlo runs, with p10 / p50 / p90, the plan NPV and mining only p50. */
export function riskChart(risk: RiskResult, planNpv: number): string {
  const width = 640;
  const height = 180;
  const left = 10;
  const bottom = 30;
  const samples = risk.npv_samples_usd;
  const marks = [risk.npv_p10_usd, risk.npv_p50_usd, risk.npv_p90_usd, planNpv, risk.mining_only_npv_p50_usd];
  const lo = Math.min(...samples, ...marks);
  const hi = Math.max(...samples, ...marks);
  const span = hi - lo || Math.max(1, Math.abs(hi));
  const bins = 30;
  const counts = new Array<number>(bins).fill(0);
  for (const v of samples) counts[Math.min(bins - 1, Math.floor(((v - lo) / span) * bins))]! += 1;
  const top = Math.max(1, ...counts);
  const x = (v: number) => left + ((v - lo) / span) * (width - 2 * left);
  const barW = (width - 2 * left) / bins;
  const bars = counts
    .map((n, b) => {
      const h = (n / top) * (height - bottom - 30);
      return `<rect class="ai" x="${(left + b * barW).toFixed(1)}" y="${(height - bottom - h).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${n} runs</title></rect>`;
    })
    .join('');
  const mark = (v: number, text: string, cls: string, dy: number) =>
    `<line class="mark ${cls}" x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="14" y2="${height - bottom}"/>` + svgText(x(v), 10 + dy, text, 'middle', `value ${cls}`);
  const lines = mark(risk.npv_p10_usd, 'p10', 'pct', 0) + mark(risk.npv_p50_usd, 'p50', 'pct', 0) + mark(risk.npv_p90_usd, 'p90', 'pct', 0) +
    mark(planNpv, 'plan', 'plan', 12) + mark(risk.mining_only_npv_p50_usd, 'mining p50', 'mining-mark', 24);
  const axis = `<line class="axis" x1="${left}" x2="${width - left}" y1="${height - bottom}" y2="${height - bottom}"/>` +
    svgText(left, height - bottom + 14, usd(lo), 'start', 'value') + svgText(width - left, height - bottom + 14, usd(hi), 'end', 'value');
  const caption = `p10 ${usd(risk.npv_p10_usd)} · p50 ${usd(risk.npv_p50_usd)} · p90 ${usd(risk.npv_p90_usd)} · mining only p50 ${usd(risk.mining_only_npv_p50_usd)} · plan beats mining in ${(risk.prob_plan_beats_mining * 100).toFixed(0)}% of ${risk.runs} runs`;
  return `<svg class="chart risk" data-testid="risk-chart" viewBox="0 0 ${width} ${height}" width="100%">${bars}${lines}${axis}</svg><p class="pl-note" data-testid="risk-summary">${escapeHtml(caption)}</p>`;
}
