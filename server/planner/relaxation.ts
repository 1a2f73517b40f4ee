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

/**
 * Row prices that (nearly) minimise the Lagrangian bound L(y) = y·b + Σ_j max(0, c_j − y·A_j), by exact line
 * minimisation along one row at a time (coordinate descent), from `start`. L is convex and piecewise linear; along
 * row r its slope at y_r is b_r − Σ { a_rj : c_j − Σ_{s≠r} y_s a_sj > y_r a_rj }, so the minimum is a weighted
 * quantile of the break points (c_j − Σ_{s≠r} y_s a_sj) / a_rj: sort them, descending, and stop where the weights
 * reach b_r. With one row this is the LP optimum (the fractional knapsack); with two or three, coordinate descent on
 * a non-smooth function can stop short of it, but any y ≥ 0 gives a valid bound (lagrangianBound), so the caller
 * uses it when it already proves the incumbent within the gap and asks the LP solver otherwise. O(sweeps × rows ×
 * n log n), no solver call: a few milliseconds at 10,000 sites.
 */
export function descendPrices(p: ScaledProblem, start: readonly number[], sweeps = 4): number[] {
  const y = p.rows.map((_, r) => Math.max(0, start[r] ?? 0));
  const n = p.cost.length;
  const rows = p.rows.map((row) => Float64Array.from(row));
  const cost = Float64Array.from(p.cost);
  // priced[j] = y·A_j, kept current as y moves one row at a time.
  const priced = new Float64Array(n);
  rows.forEach((row, r) => {
    for (let j = 0; j < n; j++) priced[j] = (priced[j] as number) + (y[r] as number) * (row[j] as number);
  });
  const points = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let moved = false;
    rows.forEach((row, r) => {
      const yr = y[r] as number;
      let count = 0;
      let total = 0;
      for (let j = 0; j < n; j++) {
        const a = row[j] as number;
        // c_j − Σ_{s≠r} y_s a_sj: its term does not depend on y_r (a = 0), or is 0 for every y_r ≥ 0 (e ≤ 0).
        const e = (cost[j] as number) - (priced[j] as number) + yr * a;
        if (a <= 0 || e <= 0 || !Number.isFinite(e / a)) continue; // a denormal use: no finite price for it
        points[count] = e / a;
        weights[count] = a;
        count++;
        total += a;
      }
      const capacity = p.capacity[r] as number;
      const next = total > capacity ? weightedQuantile(points, weights, count, capacity) : 0;
      if (Math.abs(next - yr) > 1e-12 * Math.max(1, next)) moved = true;
      for (let j = 0; j < n; j++) priced[j] = (priced[j] as number) + (next - yr) * (row[j] as number);
      y[r] = next;
    });
    if (!moved) break;
  }
  return y;
}

/**
 * The break point where, taking points from the largest down, the weights first add up to `target` (weighted
 * quickselect: three-way partitions around a pivot, expected O(count)). Reorders the first `count` entries in place.
 */
export function weightedQuantile(points: Float64Array, weights: Float64Array, count: number, target: number): number {
  let lo = 0;
  let hi = count;
  let need = target;
  const swap = (i: number, k: number): void => {
    const pt = points[i] as number;
    points[i] = points[k] as number;
    points[k] = pt;
    const wt = weights[i] as number;
    weights[i] = weights[k] as number;
    weights[k] = wt;
  };
  while (hi > lo) {
    const pivot = points[lo + ((hi - lo) >> 1)] as number;
    // [lo, gt): > pivot, [gt, i): = pivot, [lt, hi): < pivot
    let gt = lo;
    let i = lo;
    let lt = hi;
    while (i < lt) {
      const v = points[i] as number;
      if (v > pivot) swap(i++, gt++);
      else if (v < pivot) swap(i, --lt);
      else i++;
    }
    let above = 0;
    for (let k = lo; k < gt; k++) above += weights[k] as number;
    if (gt > lo && above >= need) {
      hi = gt;
      continue;
    }
    let equal = 0;
    for (let k = gt; k < lt; k++) equal += weights[k] as number;
    if (above + equal >= need) return pivot;
    need -= above + equal;
    lo = lt;
  }
  return 0; // the weights never reach the target: the row does not bind
}
