import type { Economics, InferenceEconomics, MarketSnapshot, MiningEconomics, RigStatus, Sample, SiteEconomics } from '../contract/index.js';
import { liveHashrateThs } from '../fleet/health.js';
import { roundTo } from '../util/round.js';

export interface Prices {
  usd_per_million_tokens: number;
  usd_per_million_prompt_tokens: number;
  gpu_hour_usd: number;
  basis: 'tokens' | 'gpu_hours';
}

export interface SiteInput {
  id: string;
  name: string;
  power_price_usd_per_kwh: number;
  rigs: Iterable<{ status: RigStatus; sample: Sample }>;
}

/** Running sums of one site (or the fleet) before they become money. */
interface Tally {
  asicRigs: number;
  hashrateThs: number;
  asicPowerKw: number;
  asicCostUsdDay: number;
  gpuNodes: number;
  gpus: number;
  busyGpus: number;
  genTps: number;
  promptTps: number;
  gpuPowerKw: number;
  gpuCostUsdDay: number;
}

const emptyTally = (): Tally => ({ asicRigs: 0, hashrateThs: 0, asicPowerKw: 0, asicCostUsdDay: 0, gpuNodes: 0, gpus: 0, busyGpus: 0, genTps: 0, promptTps: 0, gpuPowerKw: 0, gpuCostUsdDay: 0 });

function add(into: Tally, t: Tally): void {
  for (const key of Object.keys(t) as (keyof Tally)[]) into[key] += t[key];
}

/**
 * Sums what a site's live rigs do now. Offline rigs earn and draw nothing. Power is each rig's reported power
 * (`power_w`), split into ASICs and GPU nodes, and costed at the site's price. A GPU node's generated tokens/s is
 * its inference block's, else the serving stack's own `tokens_per_s`.
 */
function tally(site: SiteInput): Tally {
  const t = emptyTally();
  const kwhCost = site.power_price_usd_per_kwh * 24;
  for (const { status, sample } of site.rigs) {
    if (status === 'offline') continue;
    const kw = (sample.power_w ?? 0) / 1000;
    if (sample.kind === 'asic') {
      t.asicRigs++;
      t.hashrateThs += liveHashrateThs(sample) ?? 0;
      t.asicPowerKw += kw;
      t.asicCostUsdDay += kw * kwhCost;
      continue;
    }
    t.gpuNodes++;
    t.gpuPowerKw += kw;
    t.gpuCostUsdDay += kw * kwhCost;
    const whole = sample.gpus.filter((g) => !g.mig);
    t.gpus += whole.length;
    t.busyGpus += whole.reduce((sum, g) => sum + (g.utilization_pct ?? 0) / 100, 0);
    t.genTps += sample.inference?.generation_tokens_per_s ?? sample.tokens_per_s ?? 0;
    t.promptTps += sample.inference?.prompt_tokens_per_s ?? 0;
  }
  return t;
}

const perMw = (usd: number, mw: number): number | null => (mw > 0 ? roundTo(usd / mw, 2) : null);

/** The money fields both sides share: per day, and per MW of the power that side draws. */
function money(revenue: number, costUsdDay: number, powerKw: number) {
  const mw = powerKw / 1000;
  return {
    power_mw: roundTo(mw, 6),
    revenue_usd_per_day: roundTo(revenue, 2),
    power_cost_usd_per_day: roundTo(costUsdDay, 2),
    margin_usd_per_day: roundTo(revenue - costUsdDay, 2),
    revenue_usd_per_mw_day: perMw(revenue, mw),
    margin_usd_per_mw_day: perMw(revenue - costUsdDay, mw),
  };
}

function mining(t: Tally, market: MarketSnapshot): MiningEconomics {
  // Pool fee comes off the gross hashprice: what the operator is paid.
  const revenue = (t.hashrateThs / 1000) * market.hashprice_usd_per_ph_day * (1 - market.pool_fee);
  return { rigs: t.asicRigs, hashrate_ths: roundTo(t.hashrateThs, 3), ...money(revenue, t.asicCostUsdDay, t.asicPowerKw) };
}

function inference(t: Tally, prices: Prices): InferenceEconomics {
  const revenue =
    prices.basis === 'tokens'
      ? ((t.genTps * 86_400) / 1e6) * prices.usd_per_million_tokens + ((t.promptTps * 86_400) / 1e6) * prices.usd_per_million_prompt_tokens
      : t.busyGpus * 24 * prices.gpu_hour_usd;
  return {
    basis: prices.basis,
    nodes: t.gpuNodes,
    gpus: t.gpus,
    busy_gpus: roundTo(t.busyGpus, 3),
    generation_tokens_per_s: roundTo(t.genTps, 2),
    prompt_tokens_per_s: roundTo(t.promptTps, 2),
    tokens_per_joule: t.genTps > 0 && t.gpuPowerKw > 0 ? roundTo(t.genTps / (t.gpuPowerKw * 1000), 4) : null,
    ...money(revenue, t.gpuCostUsdDay, t.gpuPowerKw),
  };
}

/**
 * Live economics: per site and for the fleet, mining revenue (live hashrate × live hashprice, less pool fee) and
 * inference revenue (live generated tokens/s × price per million, or busy GPU-hours × price), each less the power
 * it draws at the site's price, and both per MW of the power that side measurably draws.
 */
export function computeEconomics(sites: readonly SiteInput[], market: MarketSnapshot, prices: Prices, ts: number): Economics {
  const fleet = emptyTally();
  const out: SiteEconomics[] = sites.map((site) => {
    const t = tally(site);
    add(fleet, t);
    return { id: site.id, name: site.name, power_price_usd_per_kwh: site.power_price_usd_per_kwh, mining: mining(t, market), inference: inference(t, prices) };
  });
  return {
    ts,
    market,
    prices: { usd_per_million_tokens: prices.usd_per_million_tokens, usd_per_million_prompt_tokens: prices.usd_per_million_prompt_tokens, gpu_hour_usd: prices.gpu_hour_usd },
    sites: out,
    fleet: { mining: mining(fleet, market), inference: inference(fleet, prices) },
  };
}
