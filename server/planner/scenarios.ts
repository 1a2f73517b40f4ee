import type { PlanInput, ScenarioResult, TornadoBar } from './contract.js';
import { gpuHourEquivalent, withGpuHourPrice } from './evaluate.js';
import type { WarmStart } from './optimize.js';
import { resolve, totalsOf } from './solve.js';
import { roundTo } from '../util/round.js';

const STEPS = [0.6, 0.8, 1, 1.2, 1.4];

/**
 * Sweeps BTC price × GPU-hour price (for each difficulty growth asked for) and re-optimizes every cell: the
 * converted MW and fleet NPV of the best plan there. Axes default to today's values × 0.6 … 1.4.
 */
export async function scenarioGrid(input: PlanInput, asOf: string, timeLimitS: number, warnings: string[], start?: WarmStart): Promise<ScenarioResult> {
  const baseGpuHour = gpuHourEquivalent(input.ai);
  if (baseGpuHour === null) warnings.push("scenarios: the colocation model has no GPU-hour price; that axis changes nothing");
  const btcPrices = input.analysis.btc_prices_usd ?? STEPS.map((s) => roundTo(input.market.btc_price_usd * s, 0));
  const gpuPrices = input.analysis.gpu_hour_prices_usd ?? STEPS.map((s) => roundTo((baseGpuHour ?? 0) * s, 3));
  const growths = input.analysis.difficulty_growth_per_month ?? [input.market.difficulty_growth_per_month];
  const grids = [];
  for (const growth of growths) {
    const converted: number[][] = [];
    const npv: number[][] = [];
    const gaps: number[][] = [];
    for (const btc of btcPrices) {
      const mwRow: number[] = [];
      const npvRow: number[] = [];
      const gapRow: number[] = [];
      for (const gpuHour of gpuPrices) {
        const cell: PlanInput = {
          ...input,
          market: { ...input.market, btc_price_usd: btc, difficulty_growth_per_month: growth },
          ai: baseGpuHour === null ? input.ai : withGpuHourPrice(input.ai, gpuHour),
        };
        const { valuation, optimum } = await resolve(cell, asOf, timeLimitS, start);
        const totals = totalsOf(valuation, optimum);
        mwRow.push(totals.converted_mw);
        npvRow.push(totals.npv_usd);
        gapRow.push(optimum.gap);
      }
      converted.push(mwRow);
      npv.push(npvRow);
      gaps.push(gapRow);
    }
    grids.push({ difficulty_growth_per_month: growth, converted_mw: converted, npv_usd: npv, optimality_gap: gaps });
  }
  return { btc_prices_usd: btcPrices, gpu_hour_prices_usd: gpuPrices, grids };
}

interface Lever {
  input: string;
  base: number;
  apply: (plan: PlanInput, value: number) => PlanInput;
  /** Absolute step for inputs whose base is often zero (growth rates). */
  step?: number;
  max?: number;
  min?: number;
}

/**
 * Retrofit capex: the fleet figure and every site's own `facility_capex_usd_per_mw_it` move together (issue #13:
 * the bar used to move only the fleet figure, so sites with their own cost did not swing). Without per-site
 * figures the bar reads in USD per MW IT as before; with them it is a multiplier on every retrofit cost.
 */
function retrofitLever(input: PlanInput): Lever {
  const scaleSites = (p: PlanInput, factor: number) => p.sites.map((s) => (s.facility_capex_usd_per_mw_it === undefined ? s : { ...s, facility_capex_usd_per_mw_it: s.facility_capex_usd_per_mw_it * factor }));
  const base = input.ai.facility_capex_usd_per_mw_it;
  if (!input.sites.some((s) => s.facility_capex_usd_per_mw_it !== undefined)) {
    return { input: 'ai.facility_capex_usd_per_mw_it', base, apply: (p, v) => ({ ...p, ai: { ...p.ai, facility_capex_usd_per_mw_it: v } }) };
  }
  return {
    input: 'facility_capex_usd_per_mw_it (fleet and per site, ×)',
    base: 1,
    apply: (p, v) => ({ ...p, ai: { ...p.ai, facility_capex_usd_per_mw_it: base * v }, sites: scaleSites(p, v) }),
  };
}

function leversOf(input: PlanInput): Lever[] {
  const market = (key: 'btc_price_usd' | 'difficulty' | 'fees_btc_per_block' | 'difficulty_growth_per_month', step?: number): Lever => ({
    input: `market.${key}`,
    base: input.market[key],
    apply: (p, v) => ({ ...p, market: { ...p.market, [key]: v } }),
    step,
    min: step === undefined ? 0 : -0.4,
  });
  const ai = (key: 'utilization' | 'pue' | 'gpu_capex_usd' | 'other_opex_usd_per_gpu_hour' | 'lease_usd_per_mw_it_year' | 'noi_margin', bounds: Partial<Lever> = {}): Lever => ({
    input: `ai.${key}`,
    base: input.ai[key] ?? 0,
    apply: (p, v) => ({ ...p, ai: { ...p.ai, [key]: v } }),
    ...bounds,
  });
  const levers: Lever[] = [
    market('btc_price_usd'),
    market('difficulty'),
    market('fees_btc_per_block'),
    market('difficulty_growth_per_month', 0.01),
    {
      input: 'sites.power_price_usd_per_kwh (all sites)',
      base: 1,
      apply: (p, v) => ({ ...p, sites: p.sites.map((s) => ({ ...s, power_price_usd_per_kwh: s.power_price_usd_per_kwh * v, hourly_power_prices_usd_per_kwh: s.hourly_power_prices_usd_per_kwh?.map((x) => x * v) })) }),
    },
    { input: 'finance.discount_rate', base: input.finance.discount_rate, apply: (p, v) => ({ ...p, finance: { ...p.finance, discount_rate: v } }), max: 1 },
    retrofitLever(input),
  ];
  const gpuHour = gpuHourEquivalent(input.ai);
  if (input.ai.model === 'colocation') {
    levers.push(ai('lease_usd_per_mw_it_year'), ai('noi_margin', { max: 1 }));
  } else {
    levers.push(
      { input: input.ai.model === 'tokens' ? 'ai.usd_per_million_tokens (as $/GPU-hour)' : 'ai.gpu_hour_usd', base: gpuHour ?? 0, apply: (p, v) => ({ ...p, ai: withGpuHourPrice(p.ai, v) }) },
      ai('utilization', { max: 1 }),
      ai('pue', { min: 1, max: 3 }),
      ai('gpu_capex_usd'),
      ai('other_opex_usd_per_gpu_hour'),
    );
  }
  return levers;
}

/**
 * Tornado: each input moved down and up by `tornado_swing` (growth rates by ±1 point a month), everything else
 * held, the plan re-optimized; bars sorted by how far fleet NPV swings.
 */
export async function tornado(input: PlanInput, asOf: string, timeLimitS: number, start?: WarmStart): Promise<TornadoBar[]> {
  const swing = input.analysis.tornado_swing;
  const bars: TornadoBar[] = [];
  for (const lever of leversOf(input)) {
    const clamp = (v: number) => Math.min(lever.max ?? Infinity, Math.max(lever.min ?? 0, v));
    const low = clamp(lever.step !== undefined ? lever.base - lever.step : lever.base * (1 - swing));
    const high = clamp(lever.step !== undefined ? lever.base + lever.step : lever.base * (1 + swing));
    const at = async (value: number) => {
      const { valuation, optimum } = await resolve(lever.apply(input, value), asOf, timeLimitS, start);
      return { npv: totalsOf(valuation, optimum).npv_usd, gap: optimum.gap };
    };
    const [lo, hi] = [await at(low), await at(high)];
    bars.push({ input: lever.input, base_value: lever.base, low_value: low, high_value: high, npv_low_usd: lo.npv, npv_high_usd: hi.npv, optimality_gap_low: lo.gap, optimality_gap_high: hi.gap });
  }
  return bars.sort((a, b) => Math.abs(b.npv_high_usd - b.npv_low_usd) - Math.abs(a.npv_high_usd - a.npv_low_usd));
}

/**
 * One warning when some scenario or tornado re-solve stopped, at its share of the analysis budget, short of the MIP
 * gap: how many, and the worst gap, so a reader knows which figures are approximate. Null when all were within it.
 */
export function analysisGapWarning(scenarios: ScenarioResult | null, bars: TornadoBar[] | null, mipGap: number): string | null {
  const gaps = [...(scenarios?.grids.flatMap((g) => g.optimality_gap.flat()) ?? []), ...(bars?.flatMap((b) => [b.optimality_gap_low, b.optimality_gap_high]) ?? [])];
  const over = gaps.filter((g) => g > mipGap + 1e-12);
  if (over.length === 0) return null;
  return `analysis: ${over.length} of ${gaps.length} re-solves stopped at their time share above the ${(mipGap * 100).toFixed(2)} % gap (worst ${(Math.max(...over) * 100).toFixed(2)} %)`;
}
