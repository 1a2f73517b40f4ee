import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { convertedNpv } from './cashflow.js';
import type { MonteCarloInput, RiskResult } from './contract.js';
import type { Evaluation, SiteModel } from './evaluate.js';
import { DAYS_PER_MONTH } from './market.js';
import { hashratePhs, miningMargins, operatingMarginPerDay } from './mining.js';
import { discountFactor } from './npv.js';
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
 * Mining NPV of one site on one price path: the same margins as miningMargins (owned: max(0, margin), or curtailed
 * on an hourly series; hosted: the take-or-pay floor while the contract runs) summed with precomputed month weights
 * (days × discount factor). Written out flat because it runs sites × runs times: 10,000 sites × 1,000 runs.
 */
function miningNpvOnPath(model: SiteModel, netHashprices: readonly number[], weights: readonly number[]): number {
  const site = model.site;
  let npv = 0;
  if (site.hourly_power_prices_usd_per_kwh) {
    for (let m = 0; m < weights.length; m++) npv += operatingMarginPerDay(site, netHashprices[m] as number) * (weights[m] as number);
    return npv;
  }
  const revenuePerHashprice = hashratePhs(site.power_mw, site.efficiency_jth) * site.uptime;
  const powerCost = site.power_mw * 1000 * 24 * site.uptime * site.power_price_usd_per_kwh;
  const floorInContract = site.hosted ? -site.take_or_pay_share * powerCost : 0;
  const contract = site.hosted ? site.contract_months_left : 0;
  for (let m = 0; m < weights.length; m++) {
    const margin = revenuePerHashprice * (netHashprices[m] as number) - powerCost;
    const floor = m < contract ? floorInContract : 0;
    npv += (margin > floor ? margin : floor) * (weights[m] as number);
  }
  return npv;
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
  const weights = Array.from({ length: terms.horizonMonths }, (_, m) => DAYS_PER_MONTH * discountFactor(terms.discountRate, m));
  const converting = models.flatMap((_, i) => ((optimum.shares[i] as number) > 0 && optimum.periods[i] != null ? [i] : []));
  const planNpvs: number[] = [];
  const miningNpvs: number[] = [];
  let beats = 0;
  for (let run = 0; run < mc.runs; run++) {
    const btc = gbmFactors(terms.horizonMonths, mc.btc_price_vol_annual, draw);
    const ai = gbmFactors(terms.horizonMonths, mc.gpu_hour_vol_annual, draw);
    const hashprices = netHashprices.map((hp, m) => hp * (btc[m] as number));
    let mining = 0;
    for (const model of models) mining += miningNpvOnPath(model, hashprices, weights);
    let plan = mining;
    for (const i of converting) {
      const model = models[i] as SiteModel;
      const keep = miningNpvOnPath(model, hashprices, weights);
      const converted = convertedNpv(miningMargins(model.site, hashprices), model.ai, terms, startMonths[optimum.periods[i] as number] as number, ai).npv;
      plan += (optimum.shares[i] as number) * (converted - keep);
    }
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
