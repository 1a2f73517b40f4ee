import type { PlanResult } from './contract.js';

const usd = (v: number) => `${v < 0 ? '-' : ''}$${Math.abs(v).toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
const musd = (v: number) => `${v < 0 ? '-' : ''}$${(Math.abs(v) / 1e6).toFixed(1)}M`;
/** Compact: 141.7T, 1.6M, 30k, 0.12. */
const compact = (v: number) => {
  const a = Math.abs(v);
  for (const [div, suffix] of [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']] as const) if (a >= div) return `${Number((v / div).toPrecision(4))}${suffix}`;
  return String(Number(v.toPrecision(4)));
};
const num = (v: number, d: number) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The plan as readable text tables (what `rigline-plan` prints without --json). */
export function formatPlan(result: PlanResult): string {
  const m = result.market;
  const p = result.plan;
  const out: string[] = [];
  out.push(
    `Hashprice $${num(m.hashprice_usd_per_ph_day, 2)}/PH/day (${num(m.btc_per_ph_day * 1e3, 4)} mBTC/PH/day); after the halving` +
      (m.halving_month === null ? ' (not in horizon)' : ` (month ${num(m.halving_month, 1)})`) +
      ` $${num(m.hashprice_after_halving_usd_per_ph_day, 2)}/PH/day`,
    '',
  );
  // Issue #13: lead with what to do and why, then what a BTC costs and what the treasury move leaves.
  out.push('What to do:', ...result.sites.map((s) => `  ${s.verdict}`));
  out.push(`Binding: ${p.binding.length ? p.binding.join(', ') : 'none (every conversion that pays is in the plan)'}`, '');
  const f = result.fleet;
  const perBtc = (v: number | null) => (v === null ? 'n/a (no BTC mined)' : usd(v));
  out.push(
    `Fleet: ${num(f.btc_per_day, 3)} BTC/day (${num(f.btc_per_year, 1)} BTC/year) at BTC ${usd(m.btc_price_usd)}; ` +
      `cash cost ${perBtc(f.cash_cost_per_btc_usd)}/BTC, all-in cost ${perBtc(f.all_in_cost_per_btc_usd)}/BTC`,
    `  per day: revenue ${usd(f.revenue_usd_per_day)}, power ${usd(f.power_cost_usd_per_day)}, site opex ${usd(f.site_opex_usd_per_day)}, ` +
      `depreciation ${usd(f.depreciation_usd_per_day)}, overhead ${usd(f.overhead_usd_per_day)}, interest ${usd(f.interest_usd_per_day)}; margin ${usd(f.margin_usd_per_day)}`,
  );
  const t = result.treasury;
  if (t) {
    out.push(
      `Treasury: sell for ${musd(t.proceeds_usd)}, debt after ${musd(t.debt_after_usd)} (saves ${musd(t.interest_saved_usd_per_year)}/year in interest), ` +
        `${num(t.btc_held_after, 0)} BTC held after, ${musd(t.capex_available_usd)} available for capex`,
    );
  }
  out.push('');
  out.push(
    table(
      ['Site', 'MW', 'J/TH', 'Mining $/MW/d', 'AI EBITDA $/MW/d', 'AI capex', 'Payback mo', 'NPV gain', 'Convert', 'Greedy'],
      result.sites.map((s) => [
        s.id,
        num(s.power_mw, 1),
        num(s.efficiency_jth, 1),
        usd(s.per_mw.mining_margin_usd_per_day),
        usd(s.per_mw.ai_ebitda_usd_per_day),
        musd(s.ai.capex_usd),
        s.ai.payback_months === null ? 'never' : num(s.ai.payback_months, 1),
        musd(s.npv.gain_usd),
        `${num(s.decision.convert_share * 100, 0)}%`,
        `${num(s.decision.greedy_share * 100, 0)}%`,
      ]),
    ),
    '',
  );
  for (const s of result.sites) {
    const c = s.mining.curtailment;
    if (!c) continue;
    out.push(
      `${s.id}: curtails ${c.curtailed_hours} of ${c.hours} hours on its price series; margin ${usd(c.margin_curtailed_usd_per_day)}/day ` +
        `vs ${usd(c.margin_always_on_usd_per_day)}/day always on (curtailing is worth ${usd(c.value_usd_per_day)}/day)`,
    );
  }
  if (result.sites.some((s) => s.mining.curtailment)) out.push('');
  out.push(
    `Plan: convert ${num(p.converted_mw, 1)} MW (keep ${num(p.mining_mw, 1)} MW mining), ${num(p.gpus, 0)} GPUs, capex ${musd(p.capex_usd)}`,
    `Fleet NPV ${musd(p.npv_usd)} vs ${musd(p.npv_mining_only_usd)} mining only; solver ${p.solver_status}, gap ${num(p.optimality_gap * 100, 3)}%, ${num(p.solve_ms, 0)} ms`,
    `Greedy (NPV per capex dollar first): ${musd(p.greedy_npv_usd)} converting ${num(p.greedy_converted_mw, 1)} MW; optimum is ${usd(p.gain_over_greedy_usd)} better`,
  );
  if (p.schedule.length > 1 || p.schedule.some((e) => e.start_month > 0)) {
    out.push('', 'Schedule:');
    out.push(table(['Period', 'Start month', 'Converts MW', 'Capex'], p.schedule.map((e) => [String(e.period), String(e.start_month), num(e.converted_mw, 1), musd(e.capex_usd)])));
  }
  const r = result.risk;
  if (r) {
    out.push(
      '',
      `Risk (${r.runs} Monte Carlo runs): plan NPV p10 ${musd(r.npv_p10_usd)}, p50 ${musd(r.npv_p50_usd)}, p90 ${musd(r.npv_p90_usd)}; ` +
        `mining only p50 ${musd(r.mining_only_npv_p50_usd)}; the plan beats mining in ${num(r.prob_plan_beats_mining * 100, 1)}% of runs`,
    );
  }
  if (result.tornado) {
    out.push('', 'Sensitivity (fleet NPV at low / high):');
    out.push(table(['Input', 'Low', 'High', 'NPV low', 'NPV high'], result.tornado.map((b) => [b.input, compact(b.low_value), compact(b.high_value), musd(b.npv_low_usd), musd(b.npv_high_usd)])));
  }
  if (result.scenarios) {
    for (const grid of result.scenarios.grids) {
      out.push('', `Converted MW by BTC price (rows) × GPU-hour price (columns), difficulty growth ${num(grid.difficulty_growth_per_month * 100, 1)}%/month:`);
      out.push(table(['BTC \\ $/GPU-h', ...result.scenarios.gpu_hour_prices_usd.map((g) => num(g, 2))], grid.converted_mw.map((row, r) => [usd(result.scenarios!.btc_prices_usd[r] as number), ...row.map((v) => num(v, 1))])));
    }
  }
  for (const warning of result.warnings) out.push(`warning: ${warning}`);
  return out.join('\n');
}
