import { hashpriceUsdPerPhDay } from '../planner/market.js';

/** One ASIC rig as curtailment sees it: live power and efficiency from telemetry, and whether curtailment slept it. */
export interface CurtailRig {
  rig: string;
  /** Live power now (W); 0 or null for a sleeping or offline rig. */
  powerW: number | null;
  /** J/TH while it hashed; null when unknown (slept last among awake rigs: no evidence it is inefficient). */
  efficiencyJth: number | null;
  /** Curtailment put it to sleep (and remembers what it drew before, `sleptFromW`). */
  asleep: boolean;
  sleptFromW: number | null;
}

export interface CurtailDecision {
  /** The price is above the threshold: hold the site at or below the target. */
  curtail: boolean;
  sleep: string[];
  wake: string[];
  /** Site power now, from telemetry (MW). */
  measuredMw: number;
  /** Site power once this decision has taken effect, by the rigs' last known draw (MW). */
  projectedMw: number;
}

const mw = (w: number): number => w / 1e6;

/**
 * Curtailment for one site at one moment. While the price is above the threshold: sleep the least efficient awake
 * miners (highest J/TH first) until the site's measured power minus what they draw is at or below the target; if the
 * site is already below the target, wake the most efficient sleeping ones that still fit. While the price is at or
 * below the threshold: wake every miner curtailment slept. Pure: the runner measures, decides, and acts.
 */
export function decideCurtailment(price: number | null, thresholdUsdPerMwh: number, targetMw: number, rigs: readonly CurtailRig[]): CurtailDecision {
  const measuredW = rigs.reduce((sum, r) => sum + (r.powerW ?? 0), 0);
  const asleep = rigs.filter((r) => r.asleep);
  if (price === null || price <= thresholdUsdPerMwh) {
    const wakeW = asleep.reduce((sum, r) => sum + (r.sleptFromW ?? 0), 0);
    return { curtail: false, sleep: [], wake: asleep.map((r) => r.rig), measuredMw: mw(measuredW), projectedMw: mw(measuredW + wakeW) };
  }
  const targetW = targetMw * 1e6;
  const sleep: string[] = [];
  const wake: string[] = [];
  // Rigs already told to sleep count as asleep even while telemetry still shows them drawing (the command is on
  // its way): otherwise one slow answer would make curtailment sleep more miners than the target needs.
  let projectedW = rigs.reduce((sum, r) => sum + (r.asleep ? 0 : (r.powerW ?? 0)), 0);
  if (projectedW > targetW) {
    const awake = rigs
      .filter((r) => !r.asleep && (r.powerW ?? 0) > 0)
      .sort((a, b) => (b.efficiencyJth ?? -1) - (a.efficiencyJth ?? -1) || a.rig.localeCompare(b.rig));
    for (const rig of awake) {
      if (projectedW <= targetW) break;
      sleep.push(rig.rig);
      projectedW -= rig.powerW ?? 0;
    }
  } else {
    const best = [...asleep].sort((a, b) => (a.efficiencyJth ?? Infinity) - (b.efficiencyJth ?? Infinity) || a.rig.localeCompare(b.rig));
    for (const rig of best) {
      const draw = rig.sleptFromW ?? 0;
      if (projectedW + draw > targetW) break;
      wake.push(rig.rig);
      projectedW += draw;
    }
  }
  return { curtail: true, sleep, wake, measuredMw: mw(measuredW), projectedMw: mw(projectedW) };
}

/** The price of the hour containing `nowMs` from an hourly series (each point the start of its hour); null if none. */
export function priceAt(prices: readonly { hour: string; usd_per_mwh: number }[], nowMs: number): number | null {
  let best: { at: number; price: number } | null = null;
  for (const p of prices) {
    const at = Date.parse(p.hour);
    if (at <= nowMs && nowMs < at + 3_600_000 && (!best || at > best.at)) best = { at, price: p.usd_per_mwh };
  }
  return best?.price ?? null;
}

export interface BreakEvenMarket {
  btc_price_usd: number;
  difficulty: number;
  fees_btc_per_block: number;
  block_subsidy_btc: number;
  pool_fee: number;
}

/**
 * The planner's break-even power price for miners at `efficiencyJth` (server/planner/mining.ts): net hashprice /
 * (24 h × J/TH) USD/kWh, here in USD/MWh. Above it, every hour a miner runs loses money.
 */
export function breakEvenUsdPerMwh(market: BreakEvenMarket, efficiencyJth: number): number {
  const hashprice = hashpriceUsdPerPhDay(market.difficulty, market.block_subsidy_btc, market.fees_btc_per_block, market.btc_price_usd);
  return ((hashprice * (1 - market.pool_fee)) / (24 * efficiencyJth)) * 1000;
}
