import type { StartOption } from './evaluate.js';
import { capacityOf, loadSolver, STATUS_NAMES, type Allocation, type Candidate, type Limits } from './optimize.js';

/**
 * Conversion in stages (issue #13, `constraints.stages`): each site (a share of it, or the whole site with
 * `whole_sites`) starts converting at the start of one period k, or never. Its capex is spent then; the budget is
 * cumulative: capex started in periods 0…k ≤ the budgets of periods 0…k. The fleet-wide limits (capex budget, GPUs,
 * minimum mining MW) hold over everything converted. Kept apart from optimize.ts so the one-shot solver stays as is.
 */
export interface StagedAllocation extends Allocation {
  /** Index into the start months of the period each site starts in; null when it never converts. */
  periods: (number | null)[];
}

export interface StagedOptimum extends StagedAllocation {
  gap: number;
  status: string;
  solveMs: number;
  greedy: StagedAllocation;
}

const EPS = 1e-9;

/** Budget available through each period: Σ of the per-period budgets up to and including it. */
export function cumulativeBudgets(perPeriod: number | readonly number[], periods: number): number[] {
  const out: number[] = [];
  let total = 0;
  for (let k = 0; k < periods; k++) {
    total += typeof perPeriod === 'number' ? perPeriod : (perPeriod[k] ?? 0);
    out.push(total);
  }
  return out;
}

function objectiveOf(options: readonly StartOption[][], shares: readonly number[], periods: readonly (number | null)[]): number {
  return shares.reduce((sum, s, i) => (periods[i] === null ? sum : sum + s * options[i]![periods[i] as number]!.gain), 0);
}

/** Whether an allocation meets every limit and every cumulative budget (relative tolerance for round-off). */
export function stagedFits(candidates: readonly Candidate[], a: StagedAllocation, limits: Limits, budgets: readonly number[]): boolean {
  const caps = capacityOf(candidates, limits);
  const within = (used: number, cap: number) => used <= cap * (1 + 1e-7) + 1e-6;
  for (const key of ['capex', 'gpus', 'mw'] as const) {
    if (!within(a.shares.reduce((sum, s, i) => sum + s * candidates[i]![key], 0), caps[key])) return false;
  }
  return budgets.every((budget, k) => within(a.shares.reduce((sum, s, i) => (a.periods[i] !== null && (a.periods[i] as number) <= k ? sum + s * candidates[i]!.capex : sum), 0), budget));
}

/**
 * The spreadsheet rule, period by period: in each period, rank the sites not yet converting by NPV gain per capex
 * dollar if started then, and start each in turn while that period's cumulative budget and the fleet limits allow.
 */
export function greedyStaged(candidates: readonly Candidate[], options: readonly StartOption[][], limits: Limits, budgets: readonly number[]): StagedAllocation {
  const caps = capacityOf(candidates, limits);
  const shares = candidates.map(() => 0);
  const periods: (number | null)[] = candidates.map(() => null);
  let spent = 0;
  budgets.forEach((budget, k) => {
    const order = candidates
      .map((c, i) => ({ i, gain: options[i]![k]?.gain ?? 0, ratio: c.capex > 0 ? (options[i]![k]?.gain ?? 0) / c.capex : Infinity }))
      .filter(({ i, gain }) => candidates[i]!.eligible && periods[i] === null && gain > 0)
      .sort((a, b) => b.ratio - a.ratio || a.i - b.i);
    for (const { i } of order) {
      const c = candidates[i] as Candidate;
      const room = Math.min(budget - spent, caps.capex);
      const fit = Math.min(1, c.capex > 0 ? room / c.capex : 1, c.gpus > 0 ? caps.gpus / c.gpus : 1, c.mw > 0 ? caps.mw / c.mw : 1);
      const share = limits.whole_sites ? (fit >= 1 - EPS ? 1 : 0) : Math.max(0, fit);
      if (share <= 0) continue;
      shares[i] = share;
      periods[i] = k;
      spent += share * c.capex;
      caps.capex -= share * c.capex;
      caps.gpus -= share * c.gpus;
      caps.mw -= share * c.mw;
    }
  });
  return { shares, periods, objective: objectiveOf(options, shares, periods) };
}

interface Column {
  site: number;
  period: number;
  /** The share variable x, or (fractional shares) the binary y that picks the period. */
  kind: 'x' | 'y';
}

/**
 * Exact staged plan with HiGHS. Maximize Σ gain_ik × x_ik over sites i and periods k (only where converting
 * gains), subject to: whole sites, x binary and Σ_k x_ik ≤ 1; shares, x continuous in [0, 1] with a binary y_ik,
 * x_ik ≤ y_ik and Σ_k y_ik ≤ 1 (one start period per site); Σ_{i, k' ≤ k} capex_i × x_ik' ≤ cumulative budget_k
 * for every k; Σ capex, GPUs and MW × x within the fleet limits. A MIP gap and a time limit bound the search; the
 * greedy answer is kept if the solver did not beat it.
 */
export async function optimizeStaged(candidates: readonly Candidate[], options: readonly StartOption[][], limits: Limits, budgets: readonly number[]): Promise<StagedOptimum> {
  const started = performance.now();
  const greedy = greedyStaged(candidates, options, limits, budgets);
  const finish = (a: StagedAllocation, bound: number | null, status: string): StagedOptimum => {
    const best = a.objective + EPS >= greedy.objective ? a : { ...greedy };
    const gap = bound === null ? 1 : bound <= best.objective + EPS ? 0 : Math.min(1, (bound - best.objective) / Math.max(Math.abs(bound), EPS));
    return { ...best, gap, status, solveMs: performance.now() - started, greedy };
  };
  const fractional = !limits.whole_sites;
  const columns: Column[] = [];
  candidates.forEach((c, i) => {
    if (!c.eligible) return;
    budgets.forEach((_, k) => {
      if ((options[i]![k]?.gain ?? 0) <= 0) return;
      columns.push({ site: i, period: k, kind: 'x' });
      if (fractional) columns.push({ site: i, period: k, kind: 'y' });
    });
  });
  const empty: StagedAllocation = { shares: candidates.map(() => 0), periods: candidates.map(() => null), objective: 0 };
  if (columns.length === 0) return finish(empty, 0, 'optimal');

  // Rows as sparse lists of [column, coefficient], then scaled to order 1 and packed column-wise.
  const rows: { coef: Map<number, number>; upper: number }[] = [];
  const bySite = new Map<number, number[]>();
  columns.forEach((col, j) => {
    if (col.kind === (fractional ? 'y' : 'x')) bySite.set(col.site, [...(bySite.get(col.site) ?? []), j]);
  });
  for (const js of bySite.values()) if (js.length > 1 || fractional) rows.push({ coef: new Map(js.map((j) => [j, 1])), upper: 1 });
  if (fractional) {
    columns.forEach((col, j) => {
      if (col.kind === 'x') rows.push({ coef: new Map([[j, 1], [j + 1, -1]]), upper: 0 });
    });
  }
  const xs = columns.flatMap((col, j) => (col.kind === 'x' ? [j] : []));
  const caps = capacityOf(candidates, limits);
  const resourceRow = (pick: (c: Candidate) => number, cap: number, through = Infinity) => {
    const coef = new Map<number, number>();
    for (const j of xs) {
      const col = columns[j] as Column;
      const v = pick(candidates[col.site] as Candidate);
      if (col.period <= through && v > 0) coef.set(j, v);
    }
    if (coef.size && Number.isFinite(cap)) rows.push({ coef, upper: cap });
  };
  budgets.forEach((budget, k) => resourceRow((c) => c.capex, budget, k));
  resourceRow((c) => c.capex, caps.capex);
  resourceRow((c) => c.gpus, caps.gpus);
  resourceRow((c) => c.mw, caps.mw);

  const gainScale = Math.max(...xs.map((j) => options[columns[j]!.site]![columns[j]!.period]!.gain));
  const rowScale = rows.map((r) => Math.max(...[...r.coef.values()].map(Math.abs)) || 1);
  const perColumn: [number, number][][] = columns.map(() => []);
  rows.forEach((r, ri) => r.coef.forEach((v, j) => perColumn[j]!.push([ri, v / (rowScale[ri] as number)])));
  const starts = new Int32Array(columns.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  perColumn.forEach((entries, j) => {
    for (const [ri, v] of entries.sort((a, b) => a[0] - b[0])) {
      indices.push(ri);
      values.push(v);
    }
    starts[j + 1] = indices.length;
  });

  const highs = await loadSolver();
  const integer = highs.constants.variableType.integer;
  const continuous = highs.constants.variableType.continuous;
  const model = highs.createModel({
    numCols: columns.length,
    numRows: rows.length,
    sense: highs.constants.objectiveSense.maximize,
    colCost: columns.map((col) => (col.kind === 'x' ? options[col.site]![col.period]!.gain / gainScale : 0)),
    colLower: columns.map(() => 0),
    colUpper: columns.map(() => 1),
    rowLower: rows.map(() => -highs.infinity),
    rowUpper: rows.map((r, ri) => r.upper / (rowScale[ri] as number)),
    matrix: { format: 'csc' as const, numRows: rows.length, numCols: columns.length, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
    integrality: columns.map((col) => (col.kind === 'y' || !fractional ? integer : continuous)),
  });
  try {
    model.options.set({ output_flag: false, mip_rel_gap: limits.mip_gap, time_limit: limits.time_limit_s });
    model.setSolution({ colValue: columns.map((col) => (greedy.periods[col.site] === col.period ? (col.kind === 'x' ? (greedy.shares[col.site] as number) : 1) : 0)) });
    model.run();
    const code = model.getModelStatus() as number;
    const status = STATUS_NAMES[code] ?? `highs_status_${code}`;
    const colValue = code in STATUS_NAMES ? model.getSolution().colValue : [];
    const shares = candidates.map(() => 0);
    const periods: (number | null)[] = candidates.map(() => null);
    columns.forEach((col, j) => {
      if (col.kind !== 'x') return;
      const raw = Math.min(1, Math.max(0, colValue[j] ?? 0));
      const share = fractional ? raw : Math.round(raw);
      if (share > 1e-9 && share > (shares[col.site] as number)) {
        shares[col.site] = share;
        periods[col.site] = col.period;
      }
    });
    const allocation: StagedAllocation = { shares, periods, objective: objectiveOf(options, shares, periods) };
    const bound = Number(model.info.get('mip_dual_bound')) * gainScale;
    const usable = code in STATUS_NAMES && stagedFits(candidates, allocation, limits, budgets);
    return finish(usable ? allocation : { ...greedy }, Number.isFinite(bound) ? bound : null, status);
  } finally {
    model.dispose();
  }
}
