/**
 * Bitcoin mining market: expected coins and dollars per PH/s per day from difficulty, subsidy and fees, and the
 * subsidy schedule over a planning horizon (the next halving halves it).
 *
 * Expected blocks per day for 1 PH/s = 86,400 s × 10^15 H/s / (difficulty × 2^32): one share of difficulty 1 takes
 * 2^32 hashes on average (Bitcoin wiki, "Difficulty"). BTC per PH/s per day = that × (subsidy + fees per block).
 */

/** Days in an average Gregorian month (365.25 / 12), the unit of every monthly figure here. */
export const DAYS_PER_MONTH = 30.4375;
const MS_PER_DAY = 86_400_000;

export function btcPerPhDay(difficulty: number, subsidyBtc: number, feesBtcPerBlock: number): number {
  return ((86_400 * 1e15) / (difficulty * 2 ** 32)) * (subsidyBtc + feesBtcPerBlock);
}

export function hashpriceUsdPerPhDay(difficulty: number, subsidyBtc: number, feesBtcPerBlock: number, btcPriceUsd: number): number {
  return btcPerPhDay(difficulty, subsidyBtc, feesBtcPerBlock) * btcPriceUsd;
}

/** Months (fractional, in DAYS_PER_MONTH units) from `asOf` to `halvingDate`; null when the halving is past. */
export function monthsUntil(asOf: string, halvingDate: string): number | null {
  const days = (Date.parse(`${halvingDate}T00:00:00Z`) - Date.parse(`${asOf}T00:00:00Z`)) / MS_PER_DAY;
  return days < 0 ? null : days / DAYS_PER_MONTH;
}

/**
 * Mean block subsidy over month `m` (covering months [m, m + 1) of the horizon): the month in which the halving
 * falls is prorated by the share of it before and after the halving.
 */
export function subsidyInMonth(m: number, subsidyBtc: number, halvingMonth: number | null): number {
  if (halvingMonth === null || m + 1 <= halvingMonth) return subsidyBtc;
  if (m >= halvingMonth) return subsidyBtc / 2;
  const before = halvingMonth - m;
  return subsidyBtc * before + (subsidyBtc / 2) * (1 - before);
}

export interface MarketPath {
  /** Hashprice (USD per PH/s per day) in each month of the horizon. */
  hashprice: number[];
  halvingMonth: number | null;
}

export interface MarketPathInput {
  btc_price_usd: number;
  difficulty: number;
  fees_btc_per_block: number;
  block_subsidy_btc: number;
  difficulty_growth_per_month: number;
}

/**
 * Hashprice month by month: the subsidy halves at the halving, difficulty grows by `difficulty_growth_per_month`
 * compounding (so hashprice is divided by (1 + g)^m). BTC price and fees stay at today's value: the scenario grid
 * and the tornado show what moving them does.
 */
export function marketPath(market: MarketPathInput, horizonMonths: number, halvingMonth: number | null): MarketPath {
  const hashprice: number[] = [];
  for (let m = 0; m < horizonMonths; m++) {
    const subsidy = subsidyInMonth(m, market.block_subsidy_btc, halvingMonth);
    const difficulty = market.difficulty * (1 + market.difficulty_growth_per_month) ** m;
    hashprice.push(hashpriceUsdPerPhDay(difficulty, subsidy, market.fees_btc_per_block, market.btc_price_usd));
  }
  return { hashprice, halvingMonth };
}
