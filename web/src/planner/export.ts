import type { PlanInputRaw, PlanResult } from '../../../server/planner/contract.js';

const CSV_COLUMNS: [string, (s: PlanResult['sites'][number]) => string | number | null][] = [
  ['site_id', (s) => s.id],
  ['site_name', (s) => s.name],
  ['power_mw', (s) => s.power_mw],
  ['efficiency_jth', (s) => s.efficiency_jth],
  ['hashrate_phs', (s) => s.mining.hashrate_phs],
  ['mining_margin_usd_per_day', (s) => s.mining.margin_usd_per_day],
  ['breakeven_power_usd_per_kwh', (s) => s.mining.breakeven_power_usd_per_kwh],
  ['breakeven_btc_price_usd', (s) => s.mining.breakeven_btc_price_usd],
  ['ai_it_mw', (s) => s.ai.it_mw],
  ['ai_gpus', (s) => s.ai.gpus],
  ['ai_ebitda_usd_per_day', (s) => s.ai.ebitda_usd_per_day],
  ['ai_capex_usd', (s) => s.ai.capex_usd],
  ['ai_payback_months', (s) => s.ai.payback_months],
  ['ai_breakeven_gpu_hour_usd', (s) => s.ai.breakeven_gpu_hour_usd],
  ['npv_mining_usd', (s) => s.npv.mining_usd],
  ['npv_converted_usd', (s) => s.npv.converted_usd],
  ['npv_gain_usd', (s) => s.npv.gain_usd],
  ['convert_share', (s) => s.decision.convert_share],
  ['converted_mw', (s) => s.decision.converted_mw],
  ['greedy_share', (s) => s.decision.greedy_share],
  ['start_month', (s) => s.decision.start_month],
  ['verdict', (s) => s.verdict],
];

/** RFC 4180: quote fields with commas, quotes or line breaks; double embedded quotes. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(Number(value.toPrecision(12))) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every leaf of a tree as [dotted path, value]; arrays of numbers (hourly prices) stay one `;`-joined cell. */
function flatten(node: unknown, path: string, out: [string, string | number | null][]): void {
  if (Array.isArray(node) && node.every((v) => typeof v === 'number')) out.push([path, node.join(';')]);
  else if (Array.isArray(node)) node.forEach((v, i) => flatten(v, `${path}.${i}`, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) flatten(v, path ? `${path}.${k}` : k, out);
  else if (typeof node === 'number' || typeof node === 'string') out.push([path, node]);
  else if (typeof node === 'boolean') out.push([path, String(node)]);
  else if (node === null) out.push([path, null]);
}

/**
 * The plan as one CSV (issue #13: the export had no inputs and no totals): the per-site table first, then blocks
 * separated by an empty line — `section,field,value` rows for the plan totals, the fleet, the treasury and the
 * risk; the schedule (`period,start_month,converted_mw,capex_usd`); and every input as `input,<path>,<value>`.
 */
export function planCsv(result: PlanResult, input: PlanInputRaw): string {
  const row = (cells: (string | number | null)[]) => cells.map(csvField).join(',');
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const site of result.sites) lines.push(row(CSV_COLUMNS.map(([, pick]) => pick(site))));
  lines.push('', 'section,field,value');
  const { schedule, binding, ...totals } = result.plan;
  const blocks: [string, unknown][] = [['totals', { ...totals, binding: binding.join(' ') }], ['market', result.market], ['fleet', result.fleet], ['treasury', result.treasury]];
  if (result.risk) {
    const { npv_samples_usd: _samples, ...risk } = result.risk;
    blocks.push(['risk', risk]);
  }
  for (const [section, tree] of blocks) {
    if (tree === null) continue;
    const leaves: [string, string | number | null][] = [];
    flatten(tree, '', leaves);
    for (const [field, value] of leaves) lines.push(row([section, field, value]));
  }
  lines.push('', 'period,start_month,converted_mw,capex_usd');
  for (const e of schedule) lines.push(row([e.period, e.start_month, e.converted_mw, e.capex_usd]));
  lines.push('', 'section,field,value');
  const inputs: [string, string | number | null][] = [];
  flatten(input, '', inputs);
  for (const [field, value] of inputs) lines.push(row(['input', field, value]));
  return `${lines.join('\r\n')}\r\n`;
}

export function download(filename: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
