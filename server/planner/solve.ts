import type { PlanInput, PlanTotals } from './contract.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { optimize, type Limits, type Optimum } from './optimize.js';

export function limitsOf(input: PlanInput, timeLimitS = input.constraints.time_limit_s): Limits {
  const c = input.constraints;
  return {
    capex_budget_usd: c.capex_budget_usd,
    max_gpus: c.max_gpus,
    min_mining_mw: c.min_mining_mw,
    whole_sites: c.whole_sites,
    mip_gap: c.mip_gap,
    time_limit_s: timeLimitS,
  };
}

/**
 * Evaluates and allocates: the fleet NPV of the best plan and what it converts. `start`: a plan of the same sites
 * to warm-start from (re-solves pass the main plan's shares).
 */
export async function solve(input: PlanInput, asOf: string, timeLimitS?: number, start?: readonly number[]): Promise<{ evaluation: Evaluation; optimum: Optimum }> {
  const evaluation = evaluate(input, asOf);
  const optimum = await optimize(evaluation.candidates, limitsOf(input, timeLimitS), { start });
  return { evaluation, optimum };
}

export function totalsOf(evaluation: Evaluation, optimum: Optimum): PlanTotals {
  const { candidates } = evaluation;
  const sum = (shares: number[], pick: (i: number) => number) => shares.reduce((acc, s, i) => acc + s * pick(i), 0);
  const convertedMw = sum(optimum.shares, (i) => candidates[i]!.mw);
  const fleetMw = candidates.reduce((acc, c) => acc + c.mw, 0);
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
  };
}
