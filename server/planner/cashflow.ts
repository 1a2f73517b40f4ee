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
  let npv = 0;
  marginPerDay.forEach((margin, m) => {
    npv += margin * DAYS_PER_MONTH * discountFactor(discountRate, m);
  });
  return npv;
}

/**
 * NPV of converting from `startMonth` s: mining margin while m < s + conversion months, then AI revenue ×
 * (1 − d)^(m/12) × min(1, (k + 1)/R) × aiFactor[m] − opex; capex at s (start-of-month factor); GPUs bought again
 * at s + conversion + n·L while inside the horizon (start-of-month factor); with `terminalBook`, the facility's and
 * in-service GPUs' straight-line book value at the horizon H, discounted with month H − 1's factor.
 * `aiFactor` scales AI revenue per month (Monte Carlo paths); omitted, it is 1.
 */
export function convertedNpv(margins: readonly number[], ai: AiCashflow, t: PathTerms, startMonth: number, aiFactor?: readonly number[]): ConvertedValue {
  const H = t.horizonMonths;
  const operationStart = startMonth + t.conversionMonths;
  let npv = -(ai.facilityCapexUsd + ai.gpuCapexUsd) * startOfMonthFactor(t.discountRate, startMonth);
  let revenueWeight = 0;
  for (let m = 0; m < H; m++) {
    const df = discountFactor(t.discountRate, m);
    if (m < operationStart) {
      npv += (margins[m] as number) * DAYS_PER_MONTH * df;
      continue;
    }
    const weight = (ai.declines ? declineFactor(t.priceDeclinePerYear, m) : 1) * rampFactor(t.rampMonths, m - operationStart) * (aiFactor?.[m] ?? 1);
    revenueWeight += weight * DAYS_PER_MONTH * df;
    npv += (ai.revenuePerDay * weight - ai.opexPerDay) * DAYS_PER_MONTH * df;
  }
  let gpuBought = operationStart;
  if (t.replaceGpus && ai.gpuCapexUsd > 0) {
    for (let month = operationStart + t.gpuLifeMonths; month < H; month += t.gpuLifeMonths) {
      npv -= ai.gpuCapexUsd * discountFactor(t.discountRate, month - 1);
      gpuBought = month;
    }
  }
  if (t.terminalBook && startMonth < H) {
    const end = discountFactor(t.discountRate, H - 1);
    npv += bookValue(ai.facilityCapexUsd, Math.max(0, H - operationStart), t.facilityLifeMonths) * end;
    npv += bookValue(ai.gpuCapexUsd, Math.max(0, H - gpuBought), t.gpuLifeMonths) * end;
  }
  return { npv, revenueWeight };
}
