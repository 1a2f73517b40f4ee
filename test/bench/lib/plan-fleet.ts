import type { PlanInput } from '../../../server/planner/contract.js';
import { evaluate } from '../../../server/planner/evaluate.js';
import { parsePlanInput } from '../../../server/planner/plan.js';

/** Deterministic LCG so every run benchmarks the same fleet. */
function rng(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/**
 * Miner generations a real fleet mixes (J/TH at the wall): S9-era stragglers, S19, S19 XP / M50S, S21; with the
 * share of sites running each. Older fleets sit on cheaper, stranded power.
 */
const GENERATIONS = [
  { jth: 38, share: 0.1 },
  { jth: 29.5, share: 0.35 },
  { jth: 22, share: 0.3 },
  { jth: 17.5, share: 0.25 },
];

/** A day of hourly prices around `mean`: cheap nights, an evening peak, some negative hours (curtailment sites). */
function hourlyDay(mean: number, rand: () => number): number[] {
  return Array.from({ length: 24 }, (_, h) => {
    const shape = h >= 17 && h <= 21 ? 2.2 : h <= 5 ? 0.55 : 1;
    const price = mean * shape * (0.8 + rand() * 0.4) - (h === 3 && rand() < 0.3 ? mean : 0);
    return Math.round(price * 1e4) / 1e4;
  });
}

/**
 * A realistic fleet: site sizes from 2 to ~200 MW (most small, a few large), mixed miner generations, power from
 * $0.025 to $0.085/kWh (one site in ten on hourly prices), retrofit costs from $4M to $16M per MW of IT (substation
 * headroom, cooling, fibre), a seventh of sites not AI-eligible, and limits that bind: a capex budget of an eighth of
 * converting everything, a quarter of the GPUs, and 40 % of the fleet's MW kept mining; three AI business models
 * (GPU rental, tokens, colocation, the last with the shell's book value at the horizon as its lease outlives it).
 */
export function fleet(sites: number, wholeSites: boolean, seed: number, model: 'gpu_rental' | 'tokens' | 'colocation' = 'gpu_rental'): PlanInput {
  const rand = rng(seed);
  const generation = (): number => {
    let x = rand();
    for (const g of GENERATIONS) if ((x -= g.share) <= 0) return g.jth;
    return GENERATIONS[GENERATIONS.length - 1]!.jth;
  };
  const ai = {
    gpu_rental: { model: 'gpu_rental', gpu_hour_usd: 2.4 },
    tokens: { model: 'tokens', gpu_hour_usd: 0, tokens_per_s_per_gpu: 2500, usd_per_million_tokens: 0.6 },
    colocation: { model: 'colocation', gpu_hour_usd: 0, lease_usd_per_mw_it_year: 1.6e6 },
  }[model];
  const raw = {
    market: { btc_price_usd: 75_000, difficulty: 141.7e12, fees_btc_per_block: 0.02, pool_fee: 0.02, as_of: '2026-02-02', difficulty_growth_per_month: 0.01 },
    sites: Array.from({ length: sites }, (_, i) => {
      const price = 0.025 + rand() * 0.06;
      return {
        id: `s${i}`,
        power_mw: Math.round(Math.min(200, 2 + Math.exp(rand() * 4.6)) * 10) / 10,
        power_price_usd_per_kwh: price,
        uptime: 0.9 + rand() * 0.09,
        efficiency_jth: generation() * (0.95 + rand() * 0.1),
        ai_eligible: rand() > 0.15,
        facility_capex_usd_per_mw_it: Math.round(4e6 + rand() ** 1.5 * 12e6),
        ...(rand() < 0.1 ? { hourly_power_prices_usd_per_kwh: hourlyDay(price, rand) } : {}),
      };
    }),
    ai: { ...ai, pue: 1.3, it_kw_per_gpu: 1.4, utilization: 0.8, other_opex_usd_per_gpu_hour: 0.25, facility_capex_usd_per_mw_it: 8e6, gpu_capex_usd: 30_000 },
    // A colocation lease outlives a five-year horizon (tenants sign for 10+ years): the shell's book value counts.
    finance: { horizon_months: 60, discount_rate: 0.12, conversion_months: 9, ...(model === 'colocation' ? { terminal_value: 'book' } : {}) },
    constraints: { whole_sites: wholeSites, mip_gap: 0.001, time_limit_s: 2 },
    analysis: { scenarios: false, tornado: false },
  };
  const parsed = parsePlanInput(raw);
  // Limits that bind: an eighth of what converting everything would cost, a quarter of the GPUs, 40 % keeps mining.
  const evaluation = evaluate(parsed);
  const capex = evaluation.candidates.reduce((a, c) => a + c.capex, 0);
  const gpus = evaluation.candidates.reduce((a, c) => a + c.gpus, 0);
  const mw = evaluation.candidates.reduce((a, c) => a + c.mw, 0);
  return { ...parsed, constraints: { ...parsed.constraints, capex_budget_usd: capex / 8, max_gpus: Math.round(gpus / 4), min_mining_mw: mw * 0.4 } };
}

