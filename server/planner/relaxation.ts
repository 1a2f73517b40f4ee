/**
 * LP-relaxation helpers for the whole-site allocation (a 0/1 knapsack with up to three rows: capex, GPUs, MW), so a
 * 10,000-site MILP and its dozens of scenario / tornado re-solves stay within their time budgets:
 *
 *  - `lagrangianBound`: for any row prices y ≥ 0, y·b + Σ_j max(0, c_j − y·A_j) bounds every 0/1 (and fractional)
 *    plan from above. With the LP optimum's duals it equals the LP bound; it stays valid if the duals are inexact.
 *  - `roundDown`: the LP optimum with its (at most one per row) fractional sites dropped, then filled greedily by
 *    reduced cost: a feasible whole-site plan, typically within 0.01 % of the bound on large fleets.
 *  - `fixByReducedCost`: a site whose reduced cost d_j exceeds the bound−incumbent gap cannot change side in any
 *    plan better than the incumbent (flipping it costs |d_j| against the bound), so it is fixed and the MILP only
 *    sees the sites near the margin. (Standard reduced-cost fixing: Nemhauser & Wolsey, Integer and Combinatorial
 *    Optimization, II.5.)
 *
 * Everything here works in the solver's scaled units (objective / gainScale, rows / rowScale) on dense arrays: pure,
 * no solver calls, so optimize.ts decides when to use it and other planner inputs can reuse it.
 */
export interface ScaledProblem {
  /** Objective coefficient per column (to maximise). */
  cost: readonly number[];
  /** rows[r][j]: column j's use of row r (≥ 0). */
  rows: readonly (readonly number[])[];
  /** Capacity per row. */
  capacity: readonly number[];
}

/** Row prices from solver duals: for ≤ rows of a maximisation they are ≥ 0 whatever the solver's sign convention. */
export function rowPrices(duals: ArrayLike<number>, rows: number): number[] {
  return Array.from({ length: rows }, (_, r) => Math.abs(Number(duals[r] ?? 0)));
}

export function reducedCosts(p: ScaledProblem, prices: readonly number[]): number[] {
  return p.cost.map((c, j) => p.rows.reduce((d, row, r) => d - (prices[r] ?? 0) * (row[j] as number), c));
}

export function lagrangianBound(p: ScaledProblem, prices: readonly number[], reduced: readonly number[]): number {
  let bound = p.capacity.reduce((sum, b, r) => sum + (prices[r] ?? 0) * b, 0);
  for (const d of reduced) if (d > 0) bound += d;
  return bound;
}

export function objectiveOf(p: ScaledProblem, x: readonly number[]): number {
  return x.reduce((sum, v, j) => sum + v * (p.cost[j] as number), 0);
}

function fitsWithin(p: ScaledProblem, used: number[], j: number): boolean {
  return p.rows.every((row, r) => (used[r] as number) + (row[j] as number) <= (p.capacity[r] as number) * (1 + 1e-9) + 1e-12);
}

/**
 * A whole-site plan from a fractional one: keeps the columns at 1, then adds the rest best reduced cost first while
 * every row has room (columns with a non-positive objective are never added).
 */
export function roundDown(p: ScaledProblem, fractional: ArrayLike<number>, reduced: readonly number[]): number[] {
  const x = p.cost.map((_, j) => (Number(fractional[j]) >= 1 - 1e-7 ? 1 : 0));
  const used = p.rows.map((row) => row.reduce((sum, a, j) => sum + a * (x[j] as number), 0));
  const order = p.cost.map((_, j) => j).filter((j) => x[j] === 0 && (p.cost[j] as number) > 0);
  order.sort((a, b) => (reduced[b] as number) - (reduced[a] as number) || a - b);
  for (const j of order) {
    if (!fitsWithin(p, used, j)) continue;
    x[j] = 1;
    p.rows.forEach((row, r) => (used[r] = (used[r] as number) + (row[j] as number)));
  }
  return x;
}

/** Columns fixed by reduced cost: 1 (always converted), 0 (never), or null (left to the MILP). */
export function fixByReducedCost(reduced: readonly number[], gap: number): (0 | 1 | null)[] {
  // A hair of slack so solver round-off in the duals never fixes a column that could still matter.
  const margin = gap * (1 + 1e-6) + 1e-9;
  return reduced.map((d) => (d > margin ? 1 : d < -margin ? 0 : null));
}
