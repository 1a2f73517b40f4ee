import { aiDay } from './ai.js';
import type { AiInput, MarketResult, PlanInput, SiteResult } from './contract.js';
import { btcPerPhDay, hashpriceUsdPerPhDay, marketPath, monthsUntil } from './market.js';
import { miningDay, operatingMarginPerDay } from './mining.js';
import { siteNpv } from './npv.js';
import type { Candidate } from './optimize.js';

/** A plan input whose every site has an efficiency (the API fills it from telemetry; the CLI requires it). */
export class PlanInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface Evaluation {
  market: MarketResult;
  sites: SiteResult[];
  candidates: Candidate[];
  /** Fleet NPV if every site keeps mining. */
  miningNpv: number;
}

/** Today as an ISO date (UTC): month 0 of the horizon when the input gives no `market.as_of`. */
export function todayIso(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * Every site's mining and AI economics and its NPV gain from converting, before any allocation. Pure: same
 * input, same answer (`asOf` pins month 0 when the input does not).
 */
export function evaluate(input: PlanInput, asOf: string = input.market.as_of ?? todayIso()): Evaluation {
  const missing = input.sites.flatMap((s, i) => (s.efficiency_jth === undefined ? [`sites.${i}.efficiency_jth: required (no live telemetry for '${s.id}')`] : []));
  if (missing.length) throw new PlanInputError(missing);

  const m = input.market;
  const f = input.finance;
  const btcPerPh = btcPerPhDay(m.difficulty, m.block_subsidy_btc, m.fees_btc_per_block);
  const hashprice = btcPerPh * m.btc_price_usd;
  const halvingMonth = monthsUntil(asOf, m.halving_date);
  const path = marketPath(m, f.horizon_months, halvingMonth);
  const market: MarketResult = {
    btc_per_ph_day: btcPerPh,
    hashprice_usd_per_ph_day: hashprice,
    hashprice_after_halving_usd_per_ph_day: hashpriceUsdPerPhDay(m.difficulty, m.block_subsidy_btc / 2, m.fees_btc_per_block, m.btc_price_usd),
    halving_month: halvingMonth,
  };
  const keep = 1 - m.pool_fee;

  let miningNpv = 0;
  const candidates: Candidate[] = [];
  const sites = input.sites.map((site): SiteResult => {
    const efficiency = site.efficiency_jth as number;
    const miningSite = { ...site, efficiency_jth: efficiency };
    const mining = miningDay(miningSite, { btc_per_ph_day: btcPerPh, hashprice_usd_per_ph_day: hashprice, btc_price_usd: m.btc_price_usd, pool_fee: m.pool_fee });
    const ai = aiDay(site, input.ai, f);
    const npv = siteNpv({
      miningMarginPerDay: path.hashprice.map((hp) => operatingMarginPerDay(miningSite, hp * keep)),
      aiEbitdaPerDay: ai.ebitda_usd_per_day,
      capexUsd: ai.capex_usd,
      conversionMonths: f.conversion_months,
      discountRate: f.discount_rate,
    });
    miningNpv += npv.mining_usd;
    candidates.push({ gain: npv.gain_usd, capex: ai.capex_usd, gpus: ai.gpus, mw: site.power_mw, eligible: site.ai_eligible });
    return {
      id: site.id,
      name: site.name ?? site.id,
      power_mw: site.power_mw,
      efficiency_jth: efficiency,
      mining,
      ai,
      npv,
      per_mw: { mining_margin_usd_per_day: mining.margin_usd_per_day / site.power_mw, ai_ebitda_usd_per_day: ai.ebitda_usd_per_day / site.power_mw },
      decision: { convert_share: 0, converted_mw: 0, greedy_share: 0 },
    };
  });
  return { market, sites, candidates, miningNpv };
}

export { gpuHourEquivalent } from './gpu-hour.js';

/** The AI assumptions at another GPU-hour price (for the token model: the token price that earns it). */
export function withGpuHourPrice(ai: AiInput, price: number): AiInput {
  if (ai.model === 'tokens') {
    const tokensPerHour = (ai.tokens_per_s_per_gpu ?? 0) * ai.throughput_realism * 3600;
    return tokensPerHour > 0 ? { ...ai, usd_per_million_tokens: (price * 1e6) / tokensPerHour } : ai;
  }
  return { ...ai, gpu_hour_usd: price };
}
