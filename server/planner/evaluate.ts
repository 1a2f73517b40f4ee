import { aiDay } from './ai.js';
import { convertedNpvFrom, discountFactors, minedBefore, miningNpvWith, pathWeights, type AiCashflow, type PathTerms } from './cashflow.js';
import type { AiInput, AiResult, MarketResult, PlanInput, SiteResult } from './contract.js';
import { btcPerPhDay, DAYS_PER_MONTH, hashpriceUsdPerPhDay, marketPath, monthsUntil } from './market.js';
import { miningDay, miningMarginsInto, type HostingTerms, type MiningSite } from './mining.js';
import { cachedMiningValues } from './mining-values.js';
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

/** What allocating needs of a valuation: the candidates, their start options, the mining-only NPV, start months. */
export interface Valuation {
  candidates: Candidate[];
  options: StartOption[][];
  miningNpv: number;
  startMonths: number[];
}

/** A plan's site once its efficiency is known (requireEfficiencies). */
type ValuedSite = PlanInput['sites'][number] & { efficiency_jth: number };

interface SiteValue {
  site: ValuedSite;
  ai: AiResult;
  cash: AiCashflow;
  margins: number[];
  miningUsd: number;
  options: StartOption[];
  candidate: Candidate;
}

/** What valuing a site reads of it, always in this one shape. */
interface SiteFigures extends MiningSite, HostingTerms {
  facility_capex_usd_per_mw_it: number | undefined;
  ai_eligible: boolean;
}

/**
 * A site's figures copied into one object shape. Re-solves value sites that scenario levers rebuilt with spreads
 * (some with `hourly_power_prices_usd_per_kwh: undefined`, some with per-site retrofit costs): read through many
 * shapes, V8's property caches in the hot valuation functions go megamorphic and the whole valuation ran 2–3× slower
 * in the CLI than the same code on one shape (measured: 40 vs 15 ms per 10,000-site valuation).
 */
function figuresOf(site: ValuedSite): SiteFigures {
  return {
    power_mw: site.power_mw,
    power_price_usd_per_kwh: site.power_price_usd_per_kwh,
    uptime: site.uptime,
    efficiency_jth: site.efficiency_jth,
    hourly_power_prices_usd_per_kwh: site.hourly_power_prices_usd_per_kwh,
    hosted: site.hosted,
    take_or_pay_share: site.take_or_pay_share,
    contract_months_left: site.contract_months_left,
    facility_capex_usd_per_mw_it: site.facility_capex_usd_per_mw_it,
    ai_eligible: site.ai_eligible,
  };
}

function requireEfficiencies(input: PlanInput): void {
  const missing = input.sites.flatMap((s, i) => (s.efficiency_jth === undefined ? [`sites.${i}.efficiency_jth: required (no live telemetry for '${s.id}')`] : []));
  if (missing.length) throw new PlanInputError(missing);
}

/**
 * Values every site on the plan's market path: margins, mining NPV, the NPV gain of each start option. The path's
 * discount and AI weights are computed once per start month (cashflow.ts pathWeights), so a site costs one pass
 * over its months; `each` sees every site's value (evaluate builds its SiteResult there).
 */
function valueSites(input: PlanInput, asOf: string, each?: (value: SiteValue, index: number) => void): Valuation & { terms: PathTerms; netHashprices: number[]; halvingMonth: number | null } {
  requireEfficiencies(input);
  const m = input.market;
  const f = input.finance;
  const halvingMonth = monthsUntil(asOf, m.halving_date);
  const path = marketPath(m, f.horizon_months, halvingMonth);
  const keep = 1 - m.pool_fee;
  const terms = pathTermsOf(input);
  const startMonths = startMonthsOf(input);
  const netHashprices = path.hashprice.map((hp) => hp * keep);
  const declines = input.ai.model !== 'colocation';
  const factors = discountFactors(terms.discountRate, terms.horizonMonths);
  const weights = startMonths.map((startMonth) => pathWeights(terms, startMonth, { declines, factors }));
  const monthWeights = factors.map((df) => df * DAYS_PER_MONTH);
  const options: StartOption[][] = [];
  const candidates: Candidate[] = [];
  let fleetMiningNpv = 0;
  // Re-solves (no `each`) reuse the mining side when only AI assumptions moved (mining-values.ts); evaluate keeps
  // every site's margins for its report and the Monte Carlo.
  const mining = each
    ? null
    : cachedMiningValues(input.sites, JSON.stringify([asOf, m, f.horizon_months, f.discount_rate, f.conversion_months, startMonths]), () => {
        const scratch = new Float64Array(netHashprices.length);
        const npv = new Float64Array(input.sites.length);
        const mined = weights.map(() => new Float64Array(input.sites.length));
        input.sites.forEach((site, i) => {
          miningMarginsInto(figuresOf(site as ValuedSite), netHashprices, scratch);
          npv[i] = miningNpvWith(scratch, monthWeights);
          weights.forEach((w, k) => ((mined[k] as Float64Array)[i] = minedBefore(scratch, terms, w)));
        });
        return { npv, minedBefore: mined };
      });
  input.sites.forEach((raw, index) => {
    // requireEfficiencies above: every site has its efficiency.
    const valued = raw as ValuedSite;
    const site = each ? valued : figuresOf(valued);
    const ai = aiDay(site, input.ai, f);
    const gpuCapex = input.ai.model === 'colocation' ? 0 : input.ai.gpu_capex_usd * ai.gpus;
    const cash: AiCashflow = {
      revenuePerDay: ai.revenue_usd_per_day,
      opexPerDay: ai.opex_usd_per_day,
      facilityCapexUsd: ai.capex_usd - gpuCapex,
      gpuCapexUsd: gpuCapex,
      declines,
    };
    const margins = mining ? null : miningMarginsInto(site, netHashprices, new Array<number>(netHashprices.length));
    const miningUsd = mining ? (mining.npv[index] as number) : miningNpvWith(margins as number[], monthWeights);
    const siteOptions = weights.map((w, k): StartOption => {
      const mined = mining ? ((mining.minedBefore[k] as Float64Array)[index] as number) : minedBefore(margins as number[], terms, w);
      const value = convertedNpvFrom(mined, cash, terms, w);
      return { startMonth: w.startMonth, gain: value.npv - miningUsd, revenueWeight: value.revenueWeight };
    });
    const candidate: Candidate = { gain: (siteOptions[0] as StartOption).gain, capex: ai.capex_usd, gpus: ai.gpus, mw: site.power_mw, eligible: site.ai_eligible };
    options.push(siteOptions);
    candidates.push(candidate);
    fleetMiningNpv += miningUsd;
    if (each && margins) each({ site: valued, ai, cash, margins, miningUsd, options: siteOptions, candidate }, index);
  });
  return { candidates, options, miningNpv: fleetMiningNpv, startMonths, terms, netHashprices, halvingMonth };
}

/**
 * Only what an allocation needs (candidates, start options, mining NPV): the scenario and tornado re-solves value
 * the fleet dozens of times and report fleet totals, so they skip the per-site report evaluate builds. Same numbers
 * as evaluate: both value sites through valueSites.
 */
export function valueCandidates(input: PlanInput, asOf: string = input.market.as_of ?? todayIso()): Valuation {
  const { candidates, options, miningNpv, startMonths } = valueSites(input, asOf);
  return { candidates, options, miningNpv, startMonths };
}

/**
 * Every site's mining and AI economics and its NPV gain from converting, before any allocation. Pure: same
 * input, same answer (`asOf` pins month 0 when the input does not).
 */
export function evaluate(input: PlanInput, asOf: string = input.market.as_of ?? todayIso()): Evaluation {
  requireEfficiencies(input);
  const m = input.market;
  const btcPerPh = btcPerPhDay(m.difficulty, m.block_subsidy_btc, m.fees_btc_per_block);
  const hashprice = btcPerPh * m.btc_price_usd;
  const miningMarket = { btc_per_ph_day: btcPerPh, hashprice_usd_per_ph_day: hashprice, btc_price_usd: m.btc_price_usd, pool_fee: m.pool_fee };
  const models: SiteModel[] = [];
  const sites: SiteResult[] = [];
  const valuation = valueSites(input, asOf, ({ site, ai, cash, margins, miningUsd, options }) => {
    const mining = miningDay(site, miningMarket);
    const now = options[0] as StartOption;
    const npv = { mining_usd: miningUsd, converted_usd: miningUsd + now.gain, gain_usd: now.gain };
    models.push({ site, margins, ai: cash, soldHoursPerDay: input.ai.model === 'colocation' ? 0 : ai.gpus * 24 * input.ai.utilization });
    sites.push({
      id: site.id,
      name: site.name ?? site.id,
      power_mw: site.power_mw,
      efficiency_jth: site.efficiency_jth,
      mining,
      ai,
      npv,
      per_mw: { mining_margin_usd_per_day: mining.margin_usd_per_day / site.power_mw, ai_ebitda_usd_per_day: ai.ebitda_usd_per_day / site.power_mw },
      decision: { convert_share: 0, converted_mw: 0, greedy_share: 0, start_month: null },
      verdict: '',
    });
  });
  const market: MarketResult = {
    btc_price_usd: m.btc_price_usd,
    btc_per_ph_day: btcPerPh,
    hashprice_usd_per_ph_day: hashprice,
    hashprice_after_halving_usd_per_ph_day: hashpriceUsdPerPhDay(m.difficulty, m.block_subsidy_btc / 2, m.fees_btc_per_block, m.btc_price_usd),
    halving_month: valuation.halvingMonth,
  };
  const { candidates, options, miningNpv, startMonths, terms, netHashprices } = valuation;
  return { market, sites, candidates, miningNpv, models, terms, netHashprices, startMonths, options };
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
