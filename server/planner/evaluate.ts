import { aiDay } from './ai.js';
import { convertedNpv, miningNpv, type AiCashflow, type PathTerms } from './cashflow.js';
import type { AiInput, MarketResult, PlanInput, SiteResult } from './contract.js';
import { btcPerPhDay, hashpriceUsdPerPhDay, marketPath, monthsUntil } from './market.js';
import { miningDay, miningMargins, type HostingTerms, type MiningSite } from './mining.js';
import type { Candidate } from './optimize.js';

/** A plan input whose every site has an efficiency (the API fills it from telemetry; the CLI requires it). */
export class PlanInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** One site as the valuation sees it: enough to re-value it on another market path (Monte Carlo) or start month. */
export interface SiteModel {
  site: MiningSite & HostingTerms;
  margins: number[];
  ai: AiCashflow;
  /** GPU-hours sold per day (0 for colocation): revenue per day per $1 of GPU-hour price. */
  soldHoursPerDay: number;
}

/** Converting a site from one start month: its NPV gain over mining and the revenue weight (see convertedNpv). */
export interface StartOption {
  startMonth: number;
  gain: number;
  revenueWeight: number;
}

export interface Evaluation {
  market: MarketResult;
  sites: SiteResult[];
  candidates: Candidate[];
  /** Fleet NPV if every site keeps mining. */
  miningNpv: number;
  models: SiteModel[];
  terms: PathTerms;
  /** Net hashprice (after pool fee) in each month of the horizon. */
  netHashprices: number[];
  /** Start months offered: [0] without stages, else every period start inside the horizon. */
  startMonths: number[];
  /** options[i][k]: site i converting from startMonths[k]. */
  options: StartOption[][];
}

export function pathTermsOf(input: PlanInput): PathTerms {
  const f = input.finance;
  return {
    horizonMonths: f.horizon_months,
    discountRate: f.discount_rate,
    conversionMonths: f.conversion_months,
    priceDeclinePerYear: input.ai.price_decline_per_year,
    rampMonths: input.ai.ramp_months,
    gpuLifeMonths: Math.max(1, Math.round(f.gpu_life_years * 12)),
    facilityLifeMonths: f.facility_life_years * 12,
    replaceGpus: f.replace_gpus,
    terminalBook: f.terminal_value === 'book',
  };
}

/** Start months the plan may use: month 0, or p × period_months for every period starting inside the horizon. */
export function startMonthsOf(input: PlanInput): number[] {
  const stages = input.constraints.stages;
  if (!stages) return [0];
  const starts: number[] = [];
  for (let p = 0; p < stages.periods; p++) {
    const s = p * stages.period_months;
    if (s < input.finance.horizon_months) starts.push(s);
  }
  return starts;
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
    btc_price_usd: m.btc_price_usd,
    btc_per_ph_day: btcPerPh,
    hashprice_usd_per_ph_day: hashprice,
    hashprice_after_halving_usd_per_ph_day: hashpriceUsdPerPhDay(m.difficulty, m.block_subsidy_btc / 2, m.fees_btc_per_block, m.btc_price_usd),
    halving_month: halvingMonth,
  };
  const keep = 1 - m.pool_fee;

  const terms = pathTermsOf(input);
  const startMonths = startMonthsOf(input);
  const netHashprices = path.hashprice.map((hp) => hp * keep);
  const models: SiteModel[] = [];
  const options: StartOption[][] = [];
  let fleetMiningNpv = 0;
  const candidates: Candidate[] = [];
  const sites = input.sites.map((site): SiteResult => {
    const efficiency = site.efficiency_jth as number;
    const miningSite = { ...site, efficiency_jth: efficiency };
    const mining = miningDay(miningSite, { btc_per_ph_day: btcPerPh, hashprice_usd_per_ph_day: hashprice, btc_price_usd: m.btc_price_usd, pool_fee: m.pool_fee });
    const ai = aiDay(site, input.ai, f);
    const gpuCapex = input.ai.model === 'colocation' ? 0 : input.ai.gpu_capex_usd * ai.gpus;
    const cash: AiCashflow = {
      revenuePerDay: ai.revenue_usd_per_day,
      opexPerDay: ai.opex_usd_per_day,
      facilityCapexUsd: ai.capex_usd - gpuCapex,
      gpuCapexUsd: gpuCapex,
      declines: input.ai.model !== 'colocation',
    };
    const margins = miningMargins(miningSite, netHashprices);
    const miningUsd = miningNpv(margins, f.discount_rate);
    const siteOptions = startMonths.map((startMonth): StartOption => {
      const value = convertedNpv(margins, cash, terms, startMonth);
      return { startMonth, gain: value.npv - miningUsd, revenueWeight: value.revenueWeight };
    });
    const now = siteOptions[0] as StartOption;
    const npv = { mining_usd: miningUsd, converted_usd: miningUsd + now.gain, gain_usd: now.gain };
    models.push({ site: miningSite, margins, ai: cash, soldHoursPerDay: input.ai.model === 'colocation' ? 0 : ai.gpus * 24 * input.ai.utilization });
    options.push(siteOptions);
    fleetMiningNpv += miningUsd;
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
      decision: { convert_share: 0, converted_mw: 0, greedy_share: 0, start_month: null },
      verdict: '',
    };
  });
  return { market, sites, candidates, miningNpv: fleetMiningNpv, models, terms, netHashprices, startMonths, options };
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
