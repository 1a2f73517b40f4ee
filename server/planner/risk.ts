import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { convertedNpv, miningNpv } from './cashflow.js';
import type { MonteCarloInput, RiskResult } from './contract.js';
import type { Evaluation } from './evaluate.js';
import { miningMargins } from './mining.js';
import type { PlanOptimum } from './solve.js';

const MAX_SAMPLES = 1000;

/** Standard normal draws by Box–Muller from a seeded xoroshiro128+ (pure-rand): the same seed gives the same draws. */
function normals(seed: number): () => number {
  const rng = xoroshiro128plus(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const u = 1 - uniformFloat64(rng); // (0, 1]: log stays finite
    const v = uniformFloat64(rng);
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Driftless geometric Brownian path as multipliers of today's value, month by month: factor_0 = 1 and factor_m =
 * factor_{m−1} × exp(σ √(1/12) z_m − σ² / 24). The −σ²/2 per year keeps the expected value at today's (a martingale);
 * σ = 0 gives 1 in every month.
 */
export function gbmFactors(months: number, volAnnual: number, draw: () => number): number[] {
  const out = new Array<number>(months);
  const step = volAnnual * Math.sqrt(1 / 12);
  const drift = -(volAnnual * volAnnual) / 24;
  let factor = 1;
  for (let m = 0; m < months; m++) {
    if (m > 0) factor *= Math.exp(step * draw() + drift);
    out[m] = factor;
  }
  return out;
}

/** Linear-interpolated percentile (q in [0, 1]) of an ascending array. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 1) return sorted[0] as number;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Monte Carlo risk of the chosen plan (issue #13): each run draws a BTC-price path and an AI-revenue path
 * (independent driftless GBMs from today's values), then values the plan with its decisions fixed (shares and
 * start months) and mining only. Hashprice is linear in the BTC price, so month m's net hashprice is scaled by the
 * BTC factor; AI revenue by the AI factor. Percentiles interpolate linearly between runs.
 */
export function monteCarlo(evaluation: Evaluation, optimum: PlanOptimum, mc: MonteCarloInput): RiskResult {
  const { models, terms, netHashprices, startMonths } = evaluation;
  const draw = normals(mc.seed);
  const planNpvs: number[] = [];
  const miningNpvs: number[] = [];
  let beats = 0;
  for (let run = 0; run < mc.runs; run++) {
    const btc = gbmFactors(terms.horizonMonths, mc.btc_price_vol_annual, draw);
    const ai = gbmFactors(terms.horizonMonths, mc.gpu_hour_vol_annual, draw);
    const hashprices = netHashprices.map((hp, m) => hp * (btc[m] as number));
    let mining = 0;
    let plan = 0;
    models.forEach((model, i) => {
      const margins = miningMargins(model.site, hashprices);
      const keep = miningNpv(margins, terms.discountRate);
      mining += keep;
      const share = optimum.shares[i] as number;
      const period = optimum.periods[i] ?? null;
      if (share > 0 && period !== null) {
        const converted = convertedNpv(margins, model.ai, terms, startMonths[period] as number, ai).npv;
        plan += keep + share * (converted - keep);
      } else plan += keep;
    });
    planNpvs.push(plan);
    miningNpvs.push(mining);
    if (plan > mining) beats++;
  }
  planNpvs.sort((a, b) => a - b);
  miningNpvs.sort((a, b) => a - b);
  const step = Math.max(1, planNpvs.length / MAX_SAMPLES);
  const samples: number[] = [];
  for (let k = 0; k < planNpvs.length && samples.length < MAX_SAMPLES; k++) samples.push(planNpvs[Math.min(planNpvs.length - 1, Math.floor(k * step))] as number);
  return {
    runs: mc.runs,
    npv_p10_usd: percentile(planNpvs, 0.1),
    npv_p50_usd: percentile(planNpvs, 0.5),
    npv_p90_usd: percentile(planNpvs, 0.9),
    mining_only_npv_p50_usd: percentile(miningNpvs, 0.5),
    prob_plan_beats_mining: beats / mc.runs,
    npv_samples_usd: samples,
  };
}
