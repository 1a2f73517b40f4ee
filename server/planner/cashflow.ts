import { DAYS_PER_MONTH } from './market.js';
import { discountFactor } from './npv.js';

/**
 * One site's converted path month by month (issue #13): mining until operation starts, then AI revenue with its
 * price decline and ramp, capex at the start month, GPUs bought again at the end of their life, and the book value
 * left at the horizon. Pure; the optimizer, the stage solver and the Monte Carlo all value sites through here.
 */
export interface AiCashflow {
  /** AI revenue per day at today's prices and full utilization ramp. */
  revenuePerDay: number;
  /** AI opex per day, paid in full from the first month of operation. */
  opexPerDay: number;
  facilityCapexUsd: number;
  gpuCapexUsd: number;
  /** Whether `ai.price_decline_per_year` applies (gpu_rental and tokens sell GPU-hours; colocation leases MW). */
  declines: boolean;
}

export interface PathTerms {
  horizonMonths: number;
  discountRate: number;
  conversionMonths: number;
  /** d in (1 − d)^(m / 12). */
  priceDeclinePerYear: number;
  /** R in min(1, (k + 1) / R); 0 = no ramp. */
  rampMonths: number;
  /** L = round(gpu_life_years × 12). */
  gpuLifeMonths: number;
  facilityLifeMonths: number;
  replaceGpus: boolean;
  terminalBook: boolean;
}

export interface ConvertedValue {
  /** NPV of the converted path (mining before operation, capex, AI after, replacements, terminal value). */
  npv: number;
  /** Σ over operating months of decline × ramp × days × discount: the PV of $1 a day of today's AI revenue. */
  revenueWeight: number;
}

/** Discount factor of a flow at the start of month s: 1 at s = 0, else the month-end factor of month s − 1. */
export function startOfMonthFactor(annualRate: number, month: number): number {
  return month === 0 ? 1 : discountFactor(annualRate, month - 1);
}

/** (1 − d)^(m / 12): the AI price index in plan month m. */
export function declineFactor(d: number, month: number): number {
  return d === 0 ? 1 : (1 - d) ** (month / 12);
}

/** min(1, (k + 1) / R) in the k-th month of operation; 1 without a ramp. */
export function rampFactor(rampMonths: number, k: number): number {
  return rampMonths <= 0 ? 1 : Math.min(1, (k + 1) / rampMonths);
}

/** Straight-line book value left: cost × clamp(1 − months in service / life, 0, 1). */
export function bookValue(cost: number, monthsInService: number, lifeMonths: number): number {
  return cost * Math.min(1, Math.max(0, 1 - monthsInService / lifeMonths));
}

/** NPV of mining the whole horizon: Σ margin_m × days per month × discount factor of month m. */
export function miningNpv(marginPerDay: readonly number[], discountRate: number): number {
  return miningNpvWith(marginPerDay, discountFactors(discountRate, marginPerDay.length).map((df) => df * DAYS_PER_MONTH));
}

/** miningNpv with the month weights (days × discount factor, PathWeights.monthWeights) computed once. */
export function miningNpvWith(marginPerDay: ArrayLike<number>, monthWeights: readonly number[]): number {
  let npv = 0;
  for (let m = 0; m < marginPerDay.length; m++) npv += (marginPerDay[m] as number) * (monthWeights[m] as number);
  return npv;
}

/**
 * Everything in a converted path's NPV that does not depend on the site, for one start month: month weights
 * (days × discount factor), where operation starts, and the per-dollar factors of AI revenue, opex, capex, GPU
 * replacements and terminal book value. A plan values thousands of sites on the same path, so it computes these once
 * per start month (pathWeights) and each site's NPV is then one pass over its mining months (convertedNpvWith):
 * 10,000 sites × 60 months × 50 re-solves were otherwise 60 million powers (`(1 + r)^−(m+1)/12`).
 */
export interface PathWeights {
  startMonth: number;
  operationStart: number;
  /** days × discount factor of month m, m = 0 … H − 1. */
  monthWeights: readonly number[];
  /** Σ over operating months of decline × ramp × AI factor × days × discount: PV of $1 a day of today's AI revenue. */
  revenueWeight: number;
  /** Σ over operating months of days × discount: PV of $1 a day of opex. */
  opexWeight: number;
  /** Start-of-month discount factor of the start month (capex). */
  capexFactor: number;
  /** Σ of the discount factors of the months GPUs are bought again (only when they are replaced). */
  replacementFactor: number;
  /** Month the last GPUs in service were bought. */
  gpuBoughtMonth: number;
  /** Discount factor of the horizon's end, for terminal book value (0 without it). */
  terminalFactor: number;
}

/** Discount factors for months 0 … months − 1 (the same formula as discountFactor, computed once). */
export function discountFactors(annualRate: number, months: number): number[] {
  return Array.from({ length: months }, (_, m) => discountFactor(annualRate, m));
}

export interface PathOptions {
  /** Whether AI revenue follows `priceDeclinePerYear` (AiCashflow.declines: GPU-hours do, colocation leases do not). */
  declines: boolean;
  /** AI revenue factor per month (Monte Carlo paths); omitted, 1. */
  aiFactor?: readonly number[];
  /** discountFactors(t.discountRate, t.horizonMonths), when the caller already has them. */
  factors?: readonly number[];
}

/**
 * The site-independent weights of converting from `startMonth` on path terms `t` (see PathWeights). GPU replacement
 * applies only to sites with GPU capex: the factor is there for every site, convertedNpvWith uses it when it applies.
 */
export function pathWeights(t: PathTerms, startMonth: number, options: PathOptions): PathWeights {
  const { declines, aiFactor } = options;
  const factors = options.factors ?? discountFactors(t.discountRate, t.horizonMonths);
  const H = t.horizonMonths;
  const operationStart = startMonth + t.conversionMonths;
  const monthWeights = factors.map((df) => df * DAYS_PER_MONTH);
  let revenueWeight = 0;
  let opexWeight = 0;
  for (let m = Math.max(0, operationStart); m < H; m++) {
    const w = monthWeights[m] as number;
    revenueWeight += (declines ? declineFactor(t.priceDeclinePerYear, m) : 1) * rampFactor(t.rampMonths, m - operationStart) * (aiFactor?.[m] ?? 1) * w;
    opexWeight += w;
  }
  let replacementFactor = 0;
  let gpuBoughtMonth = operationStart;
  if (t.replaceGpus) {
    for (let month = operationStart + t.gpuLifeMonths; month < H; month += t.gpuLifeMonths) {
      replacementFactor += factors[month - 1] as number; // month < H: inside the horizon's factors
      gpuBoughtMonth = month;
    }
  }
  return {
    startMonth,
    operationStart,
    monthWeights,
    revenueWeight,
    opexWeight,
    capexFactor: startMonth === 0 ? 1 : startMonth <= factors.length ? (factors[startMonth - 1] as number) : startOfMonthFactor(t.discountRate, startMonth),
    replacementFactor,
    gpuBoughtMonth,
    terminalFactor: t.terminalBook && startMonth < H && H > 0 ? (factors[H - 1] as number) : 0,
  };
}

/**
 * NPV of converting from `startMonth` s: mining margin while m < s + conversion months, then AI revenue ×
 * (1 − d)^(m/12) × min(1, (k + 1)/R) × aiFactor[m] − opex; capex at s (start-of-month factor); GPUs bought again
 * at s + conversion + n·L while inside the horizon (start-of-month factor); with `terminalBook`, the facility's and
 * in-service GPUs' straight-line book value at the horizon H, discounted with month H − 1's factor.
 * `aiFactor` scales AI revenue per month (Monte Carlo paths); omitted, it is 1.
 */
export function convertedNpv(margins: readonly number[], ai: AiCashflow, t: PathTerms, startMonth: number, aiFactor?: readonly number[]): ConvertedValue {
  return convertedNpvWith(margins, ai, t, pathWeights(t, startMonth, { declines: ai.declines, aiFactor }));
}

/** convertedNpv with the path's weights computed once for many sites (built with `declines` = ai.declines). */
export function convertedNpvWith(margins: ArrayLike<number>, ai: AiCashflow, t: PathTerms, w: PathWeights): ConvertedValue {
  return convertedNpvFrom(minedBefore(margins, t, w), ai, t, w);
}

/** Σ margin × month weight over the months mined before operation starts: the mining part of a converted path. */
export function minedBefore(margins: ArrayLike<number>, t: PathTerms, w: PathWeights): number {
  let mined = 0;
  const months = Math.min(t.horizonMonths, w.operationStart);
  for (let m = 0; m < months; m++) mined += (margins[m] as number) * (w.monthWeights[m] as number);
  return mined;
}

/** convertedNpvWith from the mining part already summed (minedBefore): a re-solve that keeps the market reuses it. */
export function convertedNpvFrom(mined: number, ai: AiCashflow, t: PathTerms, w: PathWeights): ConvertedValue {
  const H = t.horizonMonths;
  let npv = -(ai.facilityCapexUsd + ai.gpuCapexUsd) * w.capexFactor + mined;
  npv += ai.revenuePerDay * w.revenueWeight - ai.opexPerDay * w.opexWeight;
  const replaces = ai.gpuCapexUsd > 0 && t.replaceGpus;
  if (replaces) npv -= ai.gpuCapexUsd * w.replacementFactor;
  if (w.terminalFactor !== 0) {
    const gpuBought = replaces ? w.gpuBoughtMonth : w.operationStart;
    npv += bookValue(ai.facilityCapexUsd, Math.max(0, H - w.operationStart), t.facilityLifeMonths) * w.terminalFactor;
    npv += bookValue(ai.gpuCapexUsd, Math.max(0, H - gpuBought), t.gpuLifeMonths) * w.terminalFactor;
  }
  return { npv, revenueWeight: w.revenueWeight };
}
