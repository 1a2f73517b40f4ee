import type { BindingConstraint } from './contract.js';
import type { Valuation } from './evaluate.js';
import type { Limits } from './optimize.js';
import type { StagedAllocation } from './stages.js';

/**
 * `plan.binding` (issue #13): the constraints at their limit, read as "this keeps a profitable conversion out of
 * the plan". A fleet limit binds when some eligible site that would gain from converting is not fully converted
 * and what the rest of it needs exceeds the slack left (whole sites), or when no slack is left (shares). The stage budget binds when,
 * in some period, a site that would gain more by starting then than it does in the plan needs more capex than that
 * period's cumulative budget has left.
 */
export function bindingOf(evaluation: Valuation, plan: StagedAllocation & { budgets: number[] }, limits: Limits): BindingConstraint[] {
  const { candidates, options } = evaluation;
  const fleetMw = candidates.reduce((sum, c) => sum + c.mw, 0);
  const used = (key: 'capex' | 'gpus' | 'mw') => plan.shares.reduce((sum, s, i) => sum + s * candidates[i]![key], 0);
  const bestGain = (i: number) => Math.max(0, ...(options[i] ?? []).map((o) => o.gain));
  const wanting = candidates.flatMap((c, i) => (c.eligible && bestGain(i) > 0 && (plan.shares[i] as number) < 1 - 1e-9 ? [i] : []));
  const blocks = (key: 'capex' | 'gpus' | 'mw', cap: number | undefined): boolean => {
    if (cap === undefined || !Number.isFinite(cap)) return false;
    const slack = cap - used(key) + 1e-7 * cap + 1e-6;
    // Shares: a limit binds only at zero slack (any slack left would take more of a wanting site).
    const need = (i: number) => (limits.whole_sites ? (1 - (plan.shares[i] as number)) * candidates[i]![key] : 2e-6 + 2e-7 * cap);
    return wanting.some((i) => candidates[i]![key] > 0 && need(i) > slack);
  };
  const out: BindingConstraint[] = [];
  if (blocks('capex', limits.capex_budget_usd)) out.push('capex_budget');
  if (blocks('gpus', limits.max_gpus)) out.push('max_gpus');
  if (limits.min_mining_mw > 0 && blocks('mw', Math.max(0, fleetMw - limits.min_mining_mw))) out.push('min_mining_mw');
  const stageBinds = plan.budgets.some((budget, k) => {
    const spent = plan.shares.reduce((sum, s, i) => (plan.periods[i] !== null && (plan.periods[i] as number) <= k ? sum + s * candidates[i]!.capex : sum), 0);
    const slack = budget - spent + 1e-7 * budget + 1e-6;
    return candidates.some((c, i) => {
      const gainNow = options[i]?.[k]?.gain ?? 0;
      const period = plan.periods[i] ?? null;
      const planned = period === null ? 0 : (plan.shares[i] as number) * (options[i]?.[period]?.gain ?? 0);
      const whole = period === null || period > k ? c.capex : (1 - (plan.shares[i] as number)) * c.capex;
      const need = limits.whole_sites ? whole : Math.min(whole, 2e-6 + 2e-7 * budget);
      return c.eligible && gainNow > planned + 1e-6 && need > slack;
    });
  });
  if (stageBinds) out.push('stages_budget');
  return out;
}
