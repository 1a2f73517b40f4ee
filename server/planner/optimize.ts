import * as highsModule from 'highs';

type Loader = typeof highsModule.default.default;
type Highs = Awaited<ReturnType<Loader>>;
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
 */
export async function optimize(candidates: readonly Candidate[], limits: Limits): Promise<Optimum> {
  const started = performance.now();
  const greedyAllocation = greedy(candidates, limits);
  const cap = capacityOf(candidates, limits);
  const cols = candidates.flatMap((c, i) => (c.eligible && c.gain > 0 ? [i] : []));
  const rows = (['capex', 'gpus', 'mw'] as const).filter((key) => Number.isFinite(cap[key]) && cols.some((i) => candidates[i]![key] > 0));
  /** Keeps the better of the solver's and greedy's answer; the gap is measured against the solver's bound. */
  const finish = (allocation: Allocation, bound: number | null, status: string): Optimum => {
    const best = allocation.objective + EPS >= greedyAllocation.objective ? allocation : { ...greedyAllocation };
    // No bound: nothing is proved, report a gap of 1 (100 %).
    const gap = bound === null ? 1 : bound <= best.objective + EPS ? 0 : Math.min(1, (bound - best.objective) / Math.max(Math.abs(bound), EPS));
    return { ...best, gap, status, solveMs: performance.now() - started, greedy: greedyAllocation };
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
  const starts = new Int32Array(cols.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  cols.forEach((i, j) => {
    rows.forEach((key, r) => {
      const value = candidates[i]![key];
      if (value > 0) {
        indices.push(r);
        values.push(value / (rowScale[r] as number));
      }
    });
    starts[j + 1] = indices.length;
  });

  const highs = await loadSolver();
  const data = {
    numCols: cols.length,
    numRows: rows.length,
    sense: highs.constants.objectiveSense.maximize,
    colCost: cols.map((i) => candidates[i]!.gain / gainScale),
    colLower: cols.map(() => 0),
    colUpper: cols.map(() => 1),
    rowLower: rows.map(() => -highs.infinity),
    rowUpper: rows.map((key, r) => cap[key] / (rowScale[r] as number)),
    matrix: { format: 'csc' as const, numRows: rows.length, numCols: cols.length, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
  };
  /** The LP relaxation's optimum: a valid upper bound when a time-limited MILP has not proved one yet. */
  const relaxationBound = (): number | null =>
    highs.withModel(data, (lp) => {
      lp.options.set({ output_flag: false });
      lp.run();
      return (lp.getModelStatus() as number) === 7 ? lp.getObjectiveValue() * gainScale : null;
    });
  const model = highs.createModel({ ...data, integrality: limits.whole_sites ? cols.map(() => highs.constants.variableType.integer) : undefined });
  try {
    model.options.set({ output_flag: false, mip_rel_gap: limits.mip_gap, time_limit: limits.time_limit_s });
    if (limits.whole_sites) model.setSolution({ colValue: cols.map((i) => greedyAllocation.shares[i] as number) });
    model.run();
    const code = model.getModelStatus() as number;
    const status = STATUS_NAMES[code] ?? `highs_status_${code}`;
    const colValue = code in STATUS_NAMES ? model.getSolution().colValue : [];
    const shares = candidates.map(() => 0);
    cols.forEach((i, j) => {
      const raw = Math.min(1, Math.max(0, colValue[j] ?? 0));
      shares[i] = limits.whole_sites ? Math.round(raw) : raw;
    });
    const objective = shares.reduce((sum, s, i) => sum + s * candidates[i]!.gain, 0);
    const mipBound = limits.whole_sites ? Number(model.info.get('mip_dual_bound')) * gainScale : objective;
    const bound = Number.isFinite(mipBound) ? mipBound : relaxationBound();
    // A stopped solve may hold no feasible incumbent: never return one that breaks a limit (greedy stands in).
    const usable = code in STATUS_NAMES && fits(candidates, shares, cap);
    return finish(usable ? { shares, objective } : { ...greedyAllocation }, bound, status);
  } finally {
    model.dispose();
  }
}
