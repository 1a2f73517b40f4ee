import { DAYS_PER_MONTH } from './market.js';

/**
 * Discount factor for a cash flow at the end of month m (0-based) at an annual rate r: (1 + r)^−((m + 1) / 12).
 * Capex is spent at month 0 and not discounted.
 */
export function discountFactor(annualRate: number, month: number): number {
  return (1 + annualRate) ** (-(month + 1) / 12);
}

export interface SiteNpvInput {
  /** Operating mining margin per day in each month of the horizon (already curtailed / floored at zero). */
  miningMarginPerDay: readonly number[];
  aiEbitdaPerDay: number;
  capexUsd: number;
  conversionMonths: number;
  discountRate: number;
}

export interface SiteNpv {
  mining_usd: number;
  converted_usd: number;
  gain_usd: number;
}

/**
 * NPV of one site over the horizon, mining throughout versus converting now: the conversion spends all capex at
 * month 0, keeps mining during the `conversionMonths` of works, then earns AI EBITDA to the end of the horizon.
 * No terminal value: what is left of GPUs and shell after the horizon is not counted (conservative).
 * Converting a share s of the site is linear: NPV(s) = mining + s × gain.
 */
export function siteNpv(input: SiteNpvInput): SiteNpv {
  let mining = 0;
  let converted = -input.capexUsd;
  const margins = input.miningMarginPerDay;
  const factors = discountFactors(input.discountRate, margins.length);
  for (let m = 0; m < margins.length; m++) {
    const margin = margins[m] as number;
    const df = factors[m] as number;
    mining += margin * DAYS_PER_MONTH * df;
    converted += (m < input.conversionMonths ? margin : input.aiEbitdaPerDay) * DAYS_PER_MONTH * df;
  }
  return { mining_usd: mining, converted_usd: converted, gain_usd: converted - mining };
}

/**
 * discountFactor for months 0 … months−1, kept for the last rate asked: a plan evaluates every site at the same
 * rate, so 10,000 sites × 60 months need 60 powers, not 600,000 (the same values: same formula, same order).
 */
let factorMemo: { rate: number; factors: number[] } = { rate: Number.NaN, factors: [] };
function discountFactors(annualRate: number, months: number): readonly number[] {
  if (factorMemo.rate !== annualRate) factorMemo = { rate: annualRate, factors: [] };
  const { factors } = factorMemo;
  for (let m = factors.length; m < months; m++) factors.push(discountFactor(annualRate, m));
  return factors;
}
