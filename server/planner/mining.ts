import type { CurtailmentResult, MiningResult } from './contract.js';

/** What mining economics need of a site. */
export interface MiningSite {
  power_mw: number;
  power_price_usd_per_kwh: number;
  uptime: number;
  efficiency_jth: number;
  hourly_power_prices_usd_per_kwh?: number[];
}

export interface MiningMarket {
  btc_per_ph_day: number;
  hashprice_usd_per_ph_day: number;
  btc_price_usd: number;
  pool_fee: number;
}

/** PH/s the site's power buys at its efficiency: MW × 1000 / (J/TH) (1 MW at 20 J/TH = 50 PH/s). */
export function hashratePhs(powerMw: number, efficiencyJth: number): number {
  return (powerMw * 1000) / efficiencyJth;
}

/**
 * One site's mining day at today's market: revenue = PH/s × hashprice × (1 − pool fee) × uptime; power cost =
 * MW × 1000 kW × 24 h × uptime × price; break-even power price = hashprice × (1 − fee) / (24 × J/TH) (USD/kWh,
 * since 1 PH/s at 1 J/TH draws 1 kW); break-even BTC price (power only) = 24 × J/TH × price /
 * (BTC per PH/s per day × (1 − fee)).
 */
export function miningDay(site: MiningSite, market: MiningMarket): MiningResult {
  const phs = hashratePhs(site.power_mw, site.efficiency_jth);
  const keep = 1 - market.pool_fee;
  const revenue = phs * market.hashprice_usd_per_ph_day * keep * site.uptime;
  const powerCost = site.power_mw * 1000 * 24 * site.uptime * site.power_price_usd_per_kwh;
  const result: MiningResult = {
    hashrate_phs: phs,
    btc_per_day: phs * market.btc_per_ph_day * keep * site.uptime,
    revenue_usd_per_day: revenue,
    power_cost_usd_per_day: powerCost,
    margin_usd_per_day: revenue - powerCost,
    breakeven_power_usd_per_kwh: (market.hashprice_usd_per_ph_day * keep) / (24 * site.efficiency_jth),
    breakeven_btc_price_usd: (24 * site.efficiency_jth * site.power_price_usd_per_kwh) / (market.btc_per_ph_day * keep),
  };
  if (site.hourly_power_prices_usd_per_kwh) {
    result.curtailment = curtail(site, market.hashprice_usd_per_ph_day * keep, site.hourly_power_prices_usd_per_kwh);
  }
  return result;
}

/**
 * Curtailment on an hourly price series: mining runs in an hour only when that hour's revenue beats its power
 * cost. Hourly revenue = PH/s × net hashprice / 24 × uptime; hourly cost = MW × 1000 × uptime × price. Returns
 * per-day means over the series (hours / 24 days).
 */
export function curtail(site: MiningSite, netHashpriceUsdPerPhDay: number, prices: readonly number[]): CurtailmentResult {
  const revenuePerHour = (hashratePhs(site.power_mw, site.efficiency_jth) * netHashpriceUsdPerPhDay * site.uptime) / 24;
  const kwh = site.power_mw * 1000 * site.uptime;
  let alwaysOn = 0;
  let curtailed = 0;
  let curtailedHours = 0;
  for (const price of prices) {
    const margin = revenuePerHour - kwh * price;
    alwaysOn += margin;
    if (margin > 0) curtailed += margin;
    else curtailedHours++;
  }
  const days = prices.length / 24;
  return {
    hours: prices.length,
    curtailed_hours: curtailedHours,
    margin_always_on_usd_per_day: alwaysOn / days,
    margin_curtailed_usd_per_day: curtailed / days,
    value_usd_per_day: (curtailed - alwaysOn) / days,
  };
}

/** Sorted prices with prefix sums, so the curtailed margin at any hashprice is a binary search, not a scan. */
interface PriceCurve {
  sorted: Float64Array;
  prefix: Float64Array;
}
const curves = new WeakMap<readonly number[], PriceCurve>();

function curveOf(prices: readonly number[]): PriceCurve {
  let curve = curves.get(prices);
  if (!curve) {
    const sorted = Float64Array.from(prices).sort();
    const prefix = new Float64Array(sorted.length + 1);
    for (let i = 0; i < sorted.length; i++) prefix[i + 1] = (prefix[i] as number) + (sorted[i] as number);
    curve = { sorted, prefix };
    curves.set(prices, curve);
  }
  return curve;
}

/**
 * The margin a rational operator banks per day at a given net hashprice: with an hourly series, the curtailed
 * margin (same result as curtail(), computed from sorted prices); without one, the flat margin, or zero when it
 * is negative (a site that loses money on power stops).
 */
export function operatingMarginPerDay(site: MiningSite, netHashpriceUsdPerPhDay: number): number {
  const phs = hashratePhs(site.power_mw, site.efficiency_jth);
  const prices = site.hourly_power_prices_usd_per_kwh;
  if (prices) {
    const revenuePerHour = (phs * netHashpriceUsdPerPhDay * site.uptime) / 24;
    const kwh = site.power_mw * 1000 * site.uptime;
    const { sorted, prefix } = curveOf(prices);
    // Hours that pay: price < revenue per hour / kWh per hour.
    const threshold = revenuePerHour / kwh;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) < threshold) lo = mid + 1;
      else hi = mid;
    }
    return ((lo * revenuePerHour - kwh * (prefix[lo] as number)) * 24) / prices.length;
  }
  const margin = (phs * netHashpriceUsdPerPhDay - site.power_mw * 1000 * 24 * site.power_price_usd_per_kwh) * site.uptime;
  return Math.max(0, margin);
}

/** What the hosted-site rule needs of a site (issue #13). */
export interface HostingTerms {
  hosted: boolean;
  take_or_pay_share: number;
  contract_months_left: number;
}

/**
 * Operating margin per day in each month of the horizon, from each month's net hashprice. An owned site banks
 * operatingMarginPerDay (it can stop for free). A hosted site, in month m < contract_months_left, banks
 * max(margin, −take_or_pay_share × power cost per day): stopping still owes the take-or-pay share of the hosting
 * bill (power cost per day = MW × 1000 × 24 × uptime × all-in rate); after the contract it can stop for free.
 */
export function miningMargins(site: MiningSite & HostingTerms, netHashprices: readonly number[]): number[] {
  return miningMarginsInto(site, netHashprices, new Array<number>(netHashprices.length));
}

/**
 * miningMargins written into `out` (a scratch array a valuation reuses for every site: 10,000 sites × 60 months ×
 * dozens of re-solves otherwise allocate and collect millions of numbers). Same formulas, written out per case.
 */
export function miningMarginsInto<T extends number[] | Float64Array>(site: MiningSite & HostingTerms, netHashprices: readonly number[], out: T): T {
  const months = netHashprices.length;
  const phs = hashratePhs(site.power_mw, site.efficiency_jth);
  const powerCost = site.power_mw * 1000 * 24 * site.uptime * site.power_price_usd_per_kwh;
  if (site.hosted) {
    const floorInContract = -site.take_or_pay_share * powerCost;
    for (let m = 0; m < months; m++) {
      const margin = phs * (netHashprices[m] as number) * site.uptime - powerCost;
      out[m] = Math.max(margin, m < site.contract_months_left ? floorInContract : 0);
    }
  } else if (site.hourly_power_prices_usd_per_kwh) {
    for (let m = 0; m < months; m++) out[m] = operatingMarginPerDay(site, netHashprices[m] as number);
  } else {
    // operatingMarginPerDay's flat case: (PH/s × net hashprice − MW × 1000 × 24 × price) × uptime, floored at 0.
    const kwhCost = site.power_mw * 1000 * 24 * site.power_price_usd_per_kwh;
    for (let m = 0; m < months; m++) out[m] = Math.max(0, (phs * (netHashprices[m] as number) - kwhCost) * site.uptime);
  }
  return out;
}
