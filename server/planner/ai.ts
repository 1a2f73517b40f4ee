import type { AiInput, AiResult } from './contract.js';
import { gpuHourEquivalent } from './gpu-hour.js';
import { DAYS_PER_MONTH } from './market.js';

export interface AiSite {
  power_mw: number;
  power_price_usd_per_kwh: number;
  /** Per-site retrofit cost; the AI assumptions' figure otherwise. */
  facility_capex_usd_per_mw_it?: number;
}

export interface AiFinance {
  gpu_life_years: number;
  facility_life_years: number;
  target_payback_months: number;
}

/**
 * One site's megawatts as AI capacity under the chosen business model (issue #6 formulas):
 * - gpu_rental: IT MW = MW / PUE; GPUs = ⌊IT kW / kW per GPU⌋; revenue = GPUs × 24 × $/GPU-h × utilization;
 *   opex = MW × 1000 × 24 × price × power_draw_share + GPUs × 24 × other opex per GPU-h;
 *   capex = facility $/MW IT × IT MW + GPU capex × GPUs.
 * - tokens: as gpu_rental, revenue = GPUs × tokens/s × realism × utilization × 3600 × 24 × $/M tokens / 10^6.
 * - colocation: IT MW = MW / gross_to_it; revenue = IT MW × lease $/MW IT/yr / 365; EBITDA = revenue × NOI
 *   margin; capex = facility $/MW IT × IT MW (the tenant brings the GPUs).
 * Payback = capex / (EBITDA × 30.4375) months; EBIT = EBITDA − straight-line depreciation of GPUs and facility.
 */
export function aiDay(site: AiSite, ai: AiInput, finance: AiFinance): AiResult {
  if (ai.model === 'colocation') return colocation(site, ai, finance);
  const itMw = site.power_mw / ai.pue;
  // Rounded down: a fraction of a GPU is not installed. The epsilon keeps 1000 / 1.25 = 800, not 799.
  const gpus = Math.floor((itMw * 1000) / ai.it_kw_per_gpu + 1e-9);
  const soldHours = gpus * 24 * ai.utilization;
  const revenuePerSoldHour = gpuHourEquivalent(ai) ?? ai.gpu_hour_usd;
  const revenue = soldHours * revenuePerSoldHour;
  const opex = site.power_mw * 1000 * 24 * site.power_price_usd_per_kwh * ai.power_draw_share + gpus * 24 * ai.other_opex_usd_per_gpu_hour;
  const gpuCapex = ai.gpu_capex_usd * gpus;
  const facilityCapex = (site.facility_capex_usd_per_mw_it ?? ai.facility_capex_usd_per_mw_it) * itMw;
  const capex = facilityCapex + gpuCapex;
  const depreciation = gpuCapex / (finance.gpu_life_years * 365) + facilityCapex / (finance.facility_life_years * 365);
  const ebitda = revenue - opex;
  return {
    it_mw: itMw,
    gpus,
    revenue_usd_per_day: revenue,
    opex_usd_per_day: opex,
    ebitda_usd_per_day: ebitda,
    capex_usd: capex,
    payback_months: payback(capex, ebitda),
    depreciation_usd_per_day: depreciation,
    ebit_usd_per_day: ebitda - depreciation,
    // The price per sold GPU-hour at which EBITDA is zero, and at which capex pays back in the target months.
    breakeven_gpu_hour_usd: soldHours > 0 ? opex / soldHours : null,
    gpu_hour_usd_for_target_payback: soldHours > 0 ? (opex + capex / (finance.target_payback_months * DAYS_PER_MONTH)) / soldHours : null,
  };
}

function colocation(site: AiSite, ai: AiInput, finance: AiFinance): AiResult {
  const itMw = site.power_mw / ai.gross_to_it;
  const revenue = (itMw * (ai.lease_usd_per_mw_it_year ?? 0)) / 365;
  const ebitda = revenue * ai.noi_margin;
  const capex = (site.facility_capex_usd_per_mw_it ?? ai.facility_capex_usd_per_mw_it) * itMw;
  const depreciation = capex / (finance.facility_life_years * 365);
  return {
    it_mw: itMw,
    gpus: 0,
    revenue_usd_per_day: revenue,
    opex_usd_per_day: revenue - ebitda,
    ebitda_usd_per_day: ebitda,
    capex_usd: capex,
    payback_months: payback(capex, ebitda),
    depreciation_usd_per_day: depreciation,
    ebit_usd_per_day: ebitda - depreciation,
    breakeven_gpu_hour_usd: null,
    gpu_hour_usd_for_target_payback: null,
  };
}

function payback(capex: number, ebitdaPerDay: number): number | null {
  if (capex === 0) return 0;
  return ebitdaPerDay > 0 ? capex / (ebitdaPerDay * DAYS_PER_MONTH) : null;
}
