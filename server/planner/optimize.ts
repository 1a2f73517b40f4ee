import * as highsModule from 'highs';
import { modelOf, restrictedLp } from './lp-prices.js';
import { descendPrices, fixByReducedCost, lagrangianBound, objectiveOf, reducedCosts, roundDown, rowPrices, type ScaledProblem } from './relaxation.js';

type Loader = typeof highsModule.default.default;
export type Highs = Awaited<ReturnType<Loader>>;
// The package's types describe its CommonJS build (loader at module.exports.default); Node and Vite load its ESM
// build, whose default export is the loader itself. Accept both.
const exported = highsModule.default as unknown as Loader | { default: Loader };
const highsLoader: Loader = typeof exported === 'function' ? exported : exported.default;
let loading: Promise<Highs> | undefined;

/** The HiGHS WebAssembly solver, loaded once per process. */
export function loadSolver(): Promise<Highs> {
  loading ??= highsLoader();
  return loading;
}

/** One candidate for conversion: its NPV gain if converted whole, and what whole conversion uses. */
export interface Candidate {
  gain: number;
  capex: number;
  gpus: number;
  mw: number;
  eligible: boolean;
}

export interface Limits {
  capex_budget_usd?: number;
  max_gpus?: number;
  /** MW that must keep mining, over the whole fleet (converted MW ≤ fleet MW − this). */
  min_mining_mw: number;
  whole_sites: boolean;
  mip_gap: number;
  time_limit_s: number;
}

export interface Allocation {
  shares: number[];
  objective: number;
}

export interface Optimum extends Allocation {
  /** Relative gap between the incumbent and the best bound (0 when proved optimal or for an LP). */
  gap: number;
  status: string;
  solveMs: number;
  greedy: Allocation;
  /** The LP relaxation's row prices (NPV gain per capex dollar, per GPU, per MW), when a whole-site solve had them. */
  prices: RowPrices | null;
}

/**
 * Shadow prices of the limits, in the candidates' own units: any prices ≥ 0 give a valid upper bound on every plan
 * (the Lagrangian bound p·capacity + Σ max(0, gain − p·use)), so a re-solve of the same fleet under nearby
 * assumptions starts from the main plan's prices and often proves its incumbent within the gap without an LP.
 */
export interface RowPrices {
  capex: number;
  gpus: number;
  mw: number;
}

/** What a re-solve starts from: the main plan's shares (an incumbent) and its LP prices (a bound). */
export interface WarmStart {
  shares?: readonly number[];
  prices?: RowPrices | null;
}

export interface Capacity {
  capex: number;
  gpus: number;
  mw: number;
}

export function capacityOf(candidates: readonly Candidate[], limits: Limits): Capacity {
  const fleetMw = candidates.reduce((sum, c) => sum + c.mw, 0);
  return {
    capex: limits.capex_budget_usd ?? Infinity,
    gpus: limits.max_gpus ?? Infinity,
    mw: limits.min_mining_mw > 0 ? Math.max(0, fleetMw - limits.min_mining_mw) : Infinity,
  };
}

const EPS = 1e-9;

/** Whether shares respect every limit (relative tolerance for solver round-off). */
function fits(candidates: readonly Candidate[], shares: readonly number[], cap: Capacity): boolean {
  return (['capex', 'gpus', 'mw'] as const).every((key) => {
    const used = shares.reduce((sum, s, i) => sum + s * candidates[i]![key], 0);
    return used <= cap[key] * (1 + 1e-7) + 1e-6;
  });
}

/**
 * The greedy rule planners use in spreadsheets: rank sites by NPV gain per capex dollar and convert each in turn
 * while budget, GPUs and MW allow (whole sites only, or the largest share that fits).
 */
export function greedy(candidates: readonly Candidate[], limits: Limits): Allocation {
  const left = capacityOf(candidates, limits);
  const shares = candidates.map(() => 0);
  const order = candidates
    .map((c, i) => ({ i, ratio: c.capex > 0 ? c.gain / c.capex : Infinity }))
    .filter(({ i }) => candidates[i]!.eligible && candidates[i]!.gain > 0)
    .sort((a, b) => b.ratio - a.ratio || a.i - b.i);
  let objective = 0;
  for (const { i } of order) {
    const c = candidates[i] as Candidate;
    const fit = Math.min(1, c.capex > 0 ? left.capex / c.capex : 1, c.gpus > 0 ? left.gpus / c.gpus : 1, c.mw > 0 ? left.mw / c.mw : 1);
    const share = limits.whole_sites ? (fit >= 1 - EPS ? 1 : 0) : Math.max(0, fit);
    if (share <= 0) continue;
    shares[i] = share;
    objective += share * c.gain;
    left.capex -= share * c.capex;
    left.gpus -= share * c.gpus;
    left.mw -= share * c.mw;
  }
  return { shares, objective };
}

export const STATUS_NAMES: Record<number, string> = {
  7: 'optimal',
  11: 'objective_bound',
  12: 'objective_target',
  13: 'time_limit',
  14: 'iteration_limit',
};

/**
 * Exact allocation with HiGHS: maximize Σ gain_i × s_i subject to Σ capex_i × s_i ≤ budget, Σ gpus_i × s_i ≤ max
 * GPUs, Σ MW_i × s_i ≤ fleet MW − min mining MW, 0 ≤ s_i ≤ 1 (binary with whole sites; 0 when ineligible or
 * when converting loses value). Always answers: a MIP gap and a time limit bound the search, the reported gap
 * says how far from proved optimal it stopped, and the greedy answer is kept if the solver did not beat it.
 * Whole sites are bounded by row prices first (wholeSites below); `options.start` is a plan and `options.prices`
 * the row prices to warm-start from (a re-solve of the same fleet under changed assumptions passes the main plan's).
 */
export async function optimize(candidates: readonly Candidate[], limits: Limits, options: { start?: readonly number[]; prices?: RowPrices | null } = {}): Promise<Optimum> {
  const started = performance.now();
  const greedyAllocation = greedy(candidates, limits);
  const cap = capacityOf(candidates, limits);
  const cols = candidates.flatMap((c, i) => (c.eligible && c.gain > 0 ? [i] : []));
  const rows = (['capex', 'gpus', 'mw'] as const).filter((key) => Number.isFinite(cap[key]) && cols.some((i) => candidates[i]![key] > 0));
  /** Keeps the better of the solver's and greedy's answer; the gap is measured against the solver's bound. */
  const finish = (allocation: Allocation, bound: number | null, status: string, prices: RowPrices | null = null): Optimum => {
    const best = allocation.objective + EPS >= greedyAllocation.objective ? allocation : { ...greedyAllocation };
    // No bound: nothing is proved, report a gap of 1 (100 %).
    const gap = bound === null ? 1 : bound <= best.objective + EPS ? 0 : Math.min(1, (bound - best.objective) / Math.max(Math.abs(bound), EPS));
    return { ...best, gap, status, solveMs: performance.now() - started, greedy: greedyAllocation, prices };
  };
  if (cols.length === 0) return finish({ shares: candidates.map(() => 0), objective: 0 }, 0, 'optimal');
  if (rows.length === 0) {
    const shares = candidates.map((c): number => (c.eligible && c.gain > 0 ? 1 : 0));
    const objective = shares.reduce((sum, s, i) => sum + s * candidates[i]!.gain, 0);
    return finish({ shares, objective }, objective, 'optimal');
  }

  // Scale objective and rows to order 1 so HiGHS's absolute tolerances mean the same at any fleet size.
  const gainScale = Math.max(...cols.map((i) => candidates[i]!.gain));
  const rowScale = rows.map((key) => Math.max(...cols.map((i) => candidates[i]![key])) || 1);
  const scaled: ScaledProblem = {
    cost: cols.map((i) => candidates[i]!.gain / gainScale),
    rows: rows.map((key, r) => cols.map((i) => candidates[i]![key] / (rowScale[r] as number))),
    capacity: rows.map((key, r) => cap[key] / (rowScale[r] as number)),
  };
  const highs = await loadSolver();
  if (limits.whole_sites) {
    const start = options.start && fits(candidates, options.start.map((v) => Math.round(v)), cap) ? options.start : null;
    const incumbents = [greedyAllocation.shares, ...(start ? [start] : [])].map((shares) => cols.map((i) => Math.round(shares[i] as number)));
    // Prices in the candidates' units ↔ the scaled problem's: y_r = p_r × rowScale_r / gainScale.
    const warm = options.prices ? rows.map((key, r) => Math.max(0, options.prices![key]) * (rowScale[r] as number) / gainScale) : null;
    const result = wholeSites(highs, scaled, incumbents, limits, started, warm);
    const shares = candidates.map(() => 0);
    cols.forEach((i, j) => (shares[i] = result.x[j] as number));
    const objective = shares.reduce((sum, v, i) => sum + v * candidates[i]!.gain, 0);
    const usable = fits(candidates, shares, cap);
    const prices = result.prices ? { capex: 0, gpus: 0, mw: 0 } : null;
    rows.forEach((key, r) => prices && (prices[key] = ((result.prices![r] as number) * gainScale) / (rowScale[r] as number)));
    return finish(usable ? { shares, objective } : { ...greedyAllocation }, result.bound === null ? null : result.bound * gainScale, result.status, prices);
  }

  const data = modelOf(highs, scaled, cols.map((_, j) => j), scaled.capacity);
  /** The LP relaxation's optimum: a valid upper bound when a time-limited MILP has not proved one yet. */
  const relaxationBound = (): number | null =>
    highs.withModel(data, (lp) => {
      lp.options.set({ output_flag: false });
      lp.run();
      return (lp.getModelStatus() as number) === 7 ? lp.getObjectiveValue() * gainScale : null;
    });
  const model = highs.createModel(data);
  try {
    model.options.set({ output_flag: false, time_limit: limits.time_limit_s });
    model.run();
    const code = model.getModelStatus() as number;
    const status = STATUS_NAMES[code] ?? `highs_status_${code}`;
    const colValue = code in STATUS_NAMES ? model.getSolution().colValue : [];
    const shares = candidates.map(() => 0);
    cols.forEach((i, j) => {
      const raw = Math.min(1, Math.max(0, colValue[j] ?? 0));
      shares[i] = raw;
    });
    const objective = shares.reduce((sum, s, i) => sum + s * candidates[i]!.gain, 0);
    const bound = code === 7 ? objective : relaxationBound();
    // A stopped solve may hold no feasible incumbent: never return one that breaks a limit (greedy stands in).
    const usable = code in STATUS_NAMES && fits(candidates, shares, cap);
    return finish(usable ? { shares, objective } : { ...greedyAllocation }, bound, status);
  } finally {
    model.dispose();
  }
}

/**
 * Whole sites, bound first (relaxation.ts, lp-prices.ts): row prices bound every plan and, filled by reduced cost,
 * give a whole-site plan; on large fleets that plan is already within the MIP gap and no branching is needed. Prices
 * come from coordinate descent (warm from `warm`), then the LP over the sites near the margin, then the full LP, each
 * only when the one before did not prove the gap. Otherwise sites whose reduced cost exceeds the remaining gap are
 * fixed and HiGHS branches over the rest, warm-started from the best plan known, in the time left. `x` is 0/1 per
 * column; `bound` and `prices` in scaled units.
 */
function wholeSites(highs: Highs, p: ScaledProblem, incumbents: number[][], limits: Limits, started: number, warm: number[] | null): { x: number[]; bound: number | null; status: string; prices: number[] | null } {
  const deadline = started + limits.time_limit_s * 1000;
  const left = (): number => Math.max(0.05, (deadline - performance.now()) / 1000);
  const feasible = (x: number[]): boolean => p.rows.every((row, r) => row.reduce((sum, a, j) => sum + a * (x[j] as number), 0) <= (p.capacity[r] as number) * (1 + 1e-7) + 1e-9);
  const candidates = incumbents.filter(feasible);
  let best = p.cost.map(() => 0);
  let value = 0;
  const consider = (x: number[]): void => {
    const v = objectiveOf(p, x);
    if (v > value && feasible(x)) [best, value] = [x, v];
  };
  candidates.forEach(consider);
  const closeEnough = (ub: number): boolean => Number.isFinite(ub) && ub - value <= limits.mip_gap * Math.max(Math.abs(ub), 1e-9) + 1e-12;
  // Prices first without the LP solver: coordinate descent on the Lagrangian bound from the warm prices (a re-solve
  // passes the main plan's) or from zero. Any prices bound every plan from above, and filling by their reduced
  // costs gives one more incumbent; together they often prove the plan within the gap with no solver call at all.
  let prices = descendPrices(p, warm ?? []);
  let reduced = reducedCosts(p, prices);
  let bound = lagrangianBound(p, prices, reduced);
  consider(roundDown(p, [], reduced));
  if (closeEnough(bound)) return { x: best, bound, status: 'optimal', prices };
  /** Takes an LP answer's prices when they bound tighter, and its plan rounded down and filled as an incumbent. */
  const adopt = (lp: { prices: number[]; x: ArrayLike<number> }): void => {
    const lpReduced = reducedCosts(p, lp.prices);
    const lpBound = lagrangianBound(p, lp.prices, lpReduced);
    consider(roundDown(p, lp.x, lpReduced));
    if (lpBound <= bound) [bound, reduced, prices] = [lpBound, lpReduced, lp.prices];
  };
  // Then the relaxation over the sites near the margin (lp-prices.ts); the full LP only if that does not settle it.
  const restricted = restrictedLp(highs, p, prices);
  if (restricted) adopt(restricted);
  if (!restricted?.exact && !closeEnough(bound)) {
    const all = p.cost.map((_, j) => j);
    const lp = highs.withModel(modelOf(highs, p, all, p.capacity), (model) => {
      // Three rows and thousands of columns: presolve costs more than it saves here (measured: 2–4× slower with it).
      model.options.set({ output_flag: false, presolve: 'off', time_limit: left() });
      model.run();
      const solution = model.getSolution();
      return (model.getModelStatus() as number) === 7 ? { x: Array.from(solution.colValue), prices: rowPrices(solution.rowDual, p.rows.length) } : null;
    });
    if (lp) adopt(lp);
  }
  if (closeEnough(bound)) return { x: best, bound, status: 'optimal', prices };

  // Branch over the sites near the margin only: reduced-cost fixing holds for any prices' bound, the LP's or not.
  const fixed = fixByReducedCost(reduced, bound - value);
  const free = fixed.flatMap((f, j) => (f === null ? [j] : []));
  const base: number[] = fixed.map((f) => f ?? 0);
  const capacity = p.capacity.map((cap, r) => cap - (p.rows[r] as readonly number[]).reduce((sum, a, j) => sum + a * (base[j] as number), 0));
  const fixedValue = objectiveOf(p, base);
  if (free.length === 0) {
    // Every plan better than the incumbent agrees with the fixings: the only one left is `base`, if it fits.
    if (feasible(base)) consider(base);
    return { x: best, bound: Math.min(bound, value), status: 'optimal', prices };
  }
  const sub = modelOf(highs, p, free, capacity, true);
  // The incumbent's free part is feasible for the sub-problem when it agrees with the fixings (it does: fixing keeps
  // every plan better than it, and it is one of them or equal).
  const startsFromBest = fixed.every((f, j) => f === null || f === best[j]);
  const model = highs.createModel(sub);
  try {
    // The absolute gap is the main problem's: the sub-problem's objective lacks the fixed sites' share.
    const target = limits.mip_gap * Math.max(Math.abs(bound), 1e-9);
    model.options.set({ output_flag: false, mip_abs_gap: target, mip_rel_gap: 0, time_limit: left() });
    if (startsFromBest) model.setSolution({ colValue: free.map((j) => best[j] as number) });
    model.run();
    const code = model.getModelStatus() as number;
    const status = STATUS_NAMES[code] ?? `highs_status_${code}`;
    if (code in STATUS_NAMES) {
      const colValue = model.getSolution().colValue;
      const x = base.slice();
      free.forEach((j, k) => (x[j] = Math.round(Math.min(1, Math.max(0, colValue[k] ?? 0)))));
      if (feasible(x) && objectiveOf(p, x) > value) [best, value] = [x, objectiveOf(p, x)];
    }
    const subBound = Number(model.info.get('mip_dual_bound'));
    // Proved optimal within the gap without a reported bound (presolve alone can do that): the gap stands in.
    const mipBound = Number.isFinite(subBound) ? fixedValue + subBound : code === 7 ? value + target : Infinity;
    const proved = Math.min(bound, mipBound);
    return { x: best, bound: Number.isFinite(proved) ? proved : null, status: closeEnough(proved) ? 'optimal' : status, prices };
  } finally {
    model.dispose();
  }
}
