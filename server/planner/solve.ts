import type { BindingConstraint, PlanInput, PlanTotals, ScheduleEntry } from './contract.js';
import { evaluate, valueCandidates, type Evaluation, type Valuation } from './evaluate.js';
import { treasuryOf } from './fleet.js';
import { optimize, type Limits, type Optimum, type WarmStart } from './optimize.js';
import { bindingOf } from './binding.js';
import { cumulativeBudgets, optimizeStaged, type StagedAllocation } from './stages.js';

export function limitsOf(input: PlanInput, timeLimitS = input.constraints.time_limit_s): Limits {
  const c = input.constraints;
  return {
    // Issue #13: without an explicit budget, the capex the treasury move leaves is the budget.
    capex_budget_usd: c.capex_budget_usd ?? treasuryOf(input)?.capex_available_usd,
    max_gpus: c.max_gpus,
    min_mining_mw: c.min_mining_mw,
    whole_sites: c.whole_sites,
    mip_gap: c.mip_gap,
    time_limit_s: timeLimitS,
  };
}

/** The optimum with, for each site, the index of the start month it converts from (null: never). */
export interface PlanOptimum extends Optimum {
  periods: (number | null)[];
  greedy: StagedAllocation;
  /** Cumulative stage budgets (empty without stages). */
  budgets: number[];
}

/** Start period of a one-shot allocation: 0 for every site with a share, null otherwise. */
const oneShot = (shares: readonly number[]) => shares.map((s) => (s > 0 ? 0 : null));

/**
 * Evaluates and allocates: the fleet NPV of the best plan and what it converts, in stages when asked. `start`: what
 * a one-shot allocation of the same sites warm-starts from (re-solves pass the main plan's shares and LP prices).
 */
export async function solve(input: PlanInput, asOf: string, timeLimitS?: number, start?: WarmStart): Promise<{ evaluation: Evaluation; optimum: PlanOptimum }> {
  const evaluation = evaluate(input, asOf);
  return { evaluation, optimum: await allocate(evaluation, input, timeLimitS, start) };
}

/**
 * A re-solve under changed assumptions (scenario cells, tornado bars): values only what allocating needs
 * (valueCandidates: no per-site report) and allocates within `timeLimitS`, warm-started from `start`.
 */
export async function resolve(input: PlanInput, asOf: string, timeLimitS: number, start?: WarmStart): Promise<{ valuation: Valuation; optimum: PlanOptimum }> {
  const valuation = valueCandidates(input, asOf);
  return { valuation, optimum: await allocate(valuation, input, timeLimitS, start) };
}

async function allocate(valuation: Valuation, input: PlanInput, timeLimitS?: number, start?: WarmStart): Promise<PlanOptimum> {
  const limits = limitsOf(input, timeLimitS);
  const stages = input.constraints.stages;
  if (stages) {
    const budgets = cumulativeBudgets(stages.capex_budget_usd_per_period, valuation.startMonths.length);
    return { ...(await optimizeStaged(valuation.candidates, valuation.options, limits, budgets)), budgets, prices: null };
  }
  const optimum = await optimize(valuation.candidates, limits, { start: start?.shares, prices: start?.prices });
  return { ...optimum, periods: oneShot(optimum.shares), greedy: { ...optimum.greedy, periods: oneShot(optimum.greedy.shares) }, budgets: [] };
}

/** Capex and MW started in each period (every period of the stages, or one at month 0). */
export function scheduleOf(evaluation: Valuation, optimum: PlanOptimum): ScheduleEntry[] {
  return evaluation.startMonths.map((startMonth, k) => {
    let mw = 0;
    let capex = 0;
    optimum.shares.forEach((share, i) => {
      if (optimum.periods[i] !== k) return;
      mw += share * evaluation.candidates[i]!.mw;
      capex += share * evaluation.candidates[i]!.capex;
    });
    return { period: k, start_month: startMonth, converted_mw: mw, capex_usd: capex };
  });
}

export function totalsOf(evaluation: Valuation, optimum: PlanOptimum, limits?: Limits): PlanTotals {
  const { candidates } = evaluation;
  const sum = (shares: number[], pick: (i: number) => number) => shares.reduce((acc, s, i) => acc + s * pick(i), 0);
  const convertedMw = sum(optimum.shares, (i) => candidates[i]!.mw);
  const fleetMw = candidates.reduce((acc, c) => acc + c.mw, 0);
  const binding: BindingConstraint[] = limits ? bindingOf(evaluation, optimum, limits) : [];
  return {
    converted_mw: convertedMw,
    mining_mw: fleetMw - convertedMw,
    gpus: Math.round(sum(optimum.shares, (i) => candidates[i]!.gpus)),
    capex_usd: sum(optimum.shares, (i) => candidates[i]!.capex),
    npv_usd: evaluation.miningNpv + optimum.objective,
    npv_mining_only_usd: evaluation.miningNpv,
    optimality_gap: optimum.gap,
    solver_status: optimum.status,
    solve_ms: optimum.solveMs,
    greedy_npv_usd: evaluation.miningNpv + optimum.greedy.objective,
    greedy_converted_mw: sum(optimum.greedy.shares, (i) => candidates[i]!.mw),
    gain_over_greedy_usd: optimum.objective - optimum.greedy.objective,
    schedule: scheduleOf(evaluation, optimum),
    binding,
  };
}
