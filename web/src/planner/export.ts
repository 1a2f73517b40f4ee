import type { PlanResult } from '../../../server/planner/contract.js';

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
];

/** RFC 4180: quote fields with commas, quotes or line breaks; double embedded quotes. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(Number(value.toPrecision(12))) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function planCsv(result: PlanResult): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const site of result.sites) lines.push(CSV_COLUMNS.map(([, pick]) => csvField(pick(site))).join(','));
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
