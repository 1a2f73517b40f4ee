import type { BindingConstraint, PlanInput, SiteResult } from './contract.js';
import type { Evaluation } from './evaluate.js';
import { gpuHourEquivalent } from './gpu-hour.js';
import type { PlanOptimum } from './solve.js';

const money = (v: number) => {
  const a = Math.abs(v);
  const text = a >= 1e9 ? `$${(a / 1e9).toFixed(2)}B` : a >= 1e6 ? `$${(a / 1e6).toFixed(1)}M` : `$${Math.round(a).toLocaleString('en-US')}`;
  return v < 0 ? `−${text}` : text;
};
const BINDING_WORDS: Record<BindingConstraint, string> = {
  capex_budget: 'the capex budget',
  max_gpus: 'the GPU supply',
  min_mining_mw: 'the minimum mining MW',
  stages_budget: 'the stage budgets',
};

/**
 * GPU-hour price at which converting from option k gains exactly nothing. The gain is linear in the price: revenue
 * per day = GPU-hours sold × price, worth revenueWeight in NPV per $1 a day, so gain(p) = gain − (p0 − p) × sold ×
 * weight and the flip price is p0 − gain ÷ (sold × weight). Null for colocation or when no GPU-hour is sold.
 */
export function flipGpuHourPrice(input: PlanInput, evaluation: Evaluation, site: number, option: number): number | null {
  const p0 = gpuHourEquivalent(input.ai);
  const model = evaluation.models[site];
  const o = evaluation.options[site]?.[option];
  if (p0 === null || !model || !o || model.soldHoursPerDay <= 0 || o.revenueWeight <= 0) return null;
  return p0 - o.gain / (model.soldHoursPerDay * o.revenueWeight);
}

/** One plain sentence per site: convert or keep mining, the NPV gain, payback, and the GPU-hour price that flips it. */
export function verdictOf(input: PlanInput, evaluation: Evaluation, optimum: PlanOptimum, binding: readonly BindingConstraint[], i: number): string {
  const site = evaluation.sites[i] as SiteResult;
  const name = site.name;
  const share = optimum.shares[i] as number;
  const period = optimum.periods[i] ?? null;
  const option = period ?? 0;
  const gain = evaluation.options[i]?.[option]?.gain ?? site.npv.gain_usd;
  const payback = site.ai.payback_months === null ? 'never pays back' : `pays back in ${site.ai.payback_months.toFixed(1)} months`;
  const flip = flipGpuHourPrice(input, evaluation, i, option);
  if (share > 0) {
    const what = share >= 1 - 1e-9 ? name : `${(share * site.power_mw).toFixed(1)} MW (${(share * 100).toFixed(0)} %) of ${name}`;
    const when = evaluation.startMonths.length > 1 || (evaluation.startMonths[option] ?? 0) > 0 ? ` starting in month ${evaluation.startMonths[option]}` : '';
    const flips = flip === null ? '' : flip <= 0 ? '; it gains at any GPU-hour price' : `; below $${flip.toFixed(2)} per GPU-hour it would not`;
    return `Convert ${what}${when}: NPV gain ${money(share * gain)}, ${payback}${flips}.`;
  }
  const flips = flip === null ? '' : `; it would pay from $${Math.max(0, flip).toFixed(2)} per GPU-hour`;
  if (!input.sites[i]!.ai_eligible) {
    return `Keep mining ${name}: ${input.sites[i]!.hosted ? 'a hosted site' : 'it'} is not eligible for AI (mining margin ${money(site.mining.margin_usd_per_day)} a day).`;
  }
  const best = Math.max(...(evaluation.options[i] ?? []).map((o) => o.gain));
  if (best > 0) {
    const limits = binding.map((b) => BINDING_WORDS[b]).join(' and ') || 'the constraints';
    return `Keep mining ${name}: converting would gain ${money(best)} but ${limits} leave${binding.length === 1 ? 's' : ''} no room for it.`;
  }
  return `Keep mining ${name}: converting would change NPV by ${money(gain)} and ${payback}${flips}.`;
}
