import type { FleetResult, PlanInput, SiteResult, TreasuryResult } from './contract.js';

/**
 * The treasury move (issue #13): proceeds = BTC sold × sell price (default the market price); debt after = debt −
 * repaid; interest saved a year = repaid × rate; BTC held after = held − sold; capex available = cash + proceeds −
 * repaid (validation refuses a negative one). Null without a `treasury` input.
 */
export function treasuryOf(input: PlanInput): TreasuryResult | null {
  const t = input.treasury;
  if (!t) return null;
  const proceeds = t.sell_btc * (t.sell_price_usd ?? input.market.btc_price_usd);
  return {
    proceeds_usd: proceeds,
    debt_after_usd: t.debt_usd - t.repay_debt_usd,
    interest_saved_usd_per_year: t.repay_debt_usd * t.debt_interest_rate,
    btc_held_after: t.btc_held - t.sell_btc,
    capex_available_usd: t.cash_usd + proceeds - t.repay_debt_usd,
  };
}

/**
 * What a BTC costs the fleet, at today's market with every site mining (issue #13): BTC a day = Σ sites'
 * mining.btc_per_day; depreciation = Σ miner book ÷ (miner life × 365); overhead = overhead a year ÷ 365;
 * interest = debt after the treasury move × rate ÷ 365; cash cost per BTC = (power + site opex) ÷ BTC a day;
 * all-in cost per BTC = (power + site opex + depreciation + overhead + interest) ÷ BTC a day; margin = Σ mining
 * revenue − that all-in cost. Costs per BTC are null when the fleet mines no BTC.
 */
export function fleetOf(input: PlanInput, sites: readonly SiteResult[], treasury: TreasuryResult | null): FleetResult {
  const sum = (pick: (i: number) => number) => sites.reduce((acc, _, i) => acc + pick(i), 0);
  const btc = sum((i) => sites[i]!.mining.btc_per_day);
  const revenue = sum((i) => sites[i]!.mining.revenue_usd_per_day);
  const power = sum((i) => sites[i]!.mining.power_cost_usd_per_day);
  const siteOpex = sum((i) => input.sites[i]!.site_opex_usd_per_day);
  const depreciation = sum((i) => input.sites[i]!.miner_book_value_usd / (input.sites[i]!.miner_life_years * 365));
  const overhead = input.finance.overhead_usd_per_year / 365;
  const interest = treasury && input.treasury ? (treasury.debt_after_usd * input.treasury.debt_interest_rate) / 365 : 0;
  const allIn = power + siteOpex + depreciation + overhead + interest;
  return {
    btc_per_day: btc,
    btc_per_year: btc * 365,
    revenue_usd_per_day: revenue,
    power_cost_usd_per_day: power,
    site_opex_usd_per_day: siteOpex,
    depreciation_usd_per_day: depreciation,
    overhead_usd_per_day: overhead,
    interest_usd_per_day: interest,
    cash_cost_per_btc_usd: btc > 0 ? (power + siteOpex) / btc : null,
    all_in_cost_per_btc_usd: btc > 0 ? allIn / btc : null,
    margin_usd_per_day: revenue - allIn,
  };
}
