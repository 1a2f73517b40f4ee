import { describeIssues, PlanInput, type PlanResult } from './contract.js';
import { PlanInputError, todayIso } from './evaluate.js';
import { assertFinite } from './finite.js';
import { fleetOf, treasuryOf } from './fleet.js';
import { monteCarlo } from './risk.js';
import { analysisGapWarning, scenarioGrid, tornado } from './scenarios.js';
import { limitsOf, solve, totalsOf } from './solve.js';
import { verdictOf } from './verdict.js';

export { PlanInputError } from './evaluate.js';

/** Validates raw input: the parsed plan, or a PlanInputError with one `path: reason` line per problem. */
export function parsePlanInput(raw: unknown): PlanInput {
  const parsed = PlanInput.safeParse(raw);
  if (!parsed.success) throw new PlanInputError(describeIssues(parsed.error));
  return parsed.data;
}

/**
 * The whole planner: per-site economics, the optimal conversion plan with the greedy comparison, the scenario
 * grid and the tornado. Accepts raw input (validated here) or a parsed PlanInput.
 */
export async function runPlan(raw: unknown, options: { asOf?: string } = {}): Promise<PlanResult> {
  const input = parsePlanInput(raw);
  const asOf = input.market.as_of ?? options.asOf ?? todayIso();
  const { evaluation, optimum } = await solve(input, asOf);
  const plan = totalsOf(evaluation, optimum, limitsOf(input));
  const sites = evaluation.sites.map((site, i) => {
    const period = optimum.periods[i] ?? null;
    return {
      ...site,
      decision: {
        convert_share: optimum.shares[i] as number,
        converted_mw: (optimum.shares[i] as number) * site.power_mw,
        greedy_share: optimum.greedy.shares[i] as number,
        start_month: period === null ? null : (evaluation.startMonths[period] as number),
      },
      verdict: verdictOf(input, evaluation, optimum, plan.binding, i),
    };
  });
  const treasury = treasuryOf(input);
  const warnings: string[] = [];
  const fleetMw = input.sites.reduce((acc, s) => acc + s.power_mw, 0);
  if (input.constraints.min_mining_mw > fleetMw) {
    warnings.push(`constraints.min_mining_mw (${input.constraints.min_mining_mw}) exceeds the fleet's ${fleetMw.toFixed(1)} MW: nothing can convert`);
  }
  if (evaluation.market.halving_month === null) warnings.push(`market.halving_date ${input.market.halving_date} is before ${asOf}: no halving in the horizon`);
  const stages = input.constraints.stages;
  if (stages && evaluation.startMonths.length < stages.periods) {
    warnings.push(`constraints.stages: periods from month ${evaluation.startMonths.length * stages.period_months} start after the ${input.finance.horizon_months}-month horizon; they are not offered`);
  }
  if (optimum.status !== 'optimal') warnings.push(`solver stopped with status ${optimum.status}; gap ${(optimum.gap * 100).toFixed(2)} %`);
  // Scenario and tornado re-solves share one time budget: they show shape, the main plan shows the answer.
  const a = input.analysis;
  const cells = (a.btc_prices_usd?.length ?? 5) * (a.gpu_hour_prices_usd?.length ?? 5) * (a.difficulty_growth_per_month?.length ?? 1);
  const solves = (a.scenarios ? cells : 0) + (a.tornado ? 2 * 12 : 0);
  const quick = Math.min(2, input.constraints.time_limit_s, a.time_limit_s / Math.max(1, solves));
  const warm = { shares: optimum.shares, prices: optimum.prices };
  const result: PlanResult = {
    market: evaluation.market,
    fleet: fleetOf(input, sites, treasury),
    treasury,
    sites,
    plan,
    risk: a.monte_carlo ? monteCarlo(evaluation, optimum, a.monte_carlo) : null,
    // Re-solves start from the main plan (its shares and LP prices): under nearby assumptions it is usually close.
    scenarios: input.analysis.scenarios ? await scenarioGrid(input, asOf, quick, warnings, warm) : null,
    tornado: input.analysis.tornado ? await tornado(input, asOf, quick, warm) : null,
    warnings,
  };
  const approximate = analysisGapWarning(result.scenarios, result.tornado, input.constraints.mip_gap);
  if (approximate) warnings.push(approximate);
  assertFinite(result);
  return result;
}
