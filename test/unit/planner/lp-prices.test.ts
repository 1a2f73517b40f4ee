import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restrictedLp } from '../../../server/planner/lp-prices.js';
import { loadSolver } from '../../../server/planner/optimize.js';
import { descendPrices, lagrangianBound, reducedCosts, weightedQuantile, type ScaledProblem } from '../../../server/planner/relaxation.js';

/** Deterministic LCG: seeded problems the size of a real fleet. */
function rng(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** A scaled whole-site problem: n sites, `rows` limits each binding at `share` of what converting everything uses. */
function problemOf(n: number, rows: number, seed: number, share = 0.3): ScaledProblem {
  const rand = rng(seed);
  const cost = Array.from({ length: n }, () => rand() * (rand() < 0.1 ? -0.2 : 1));
  const use = Array.from({ length: rows }, () => Array.from({ length: n }, () => (rand() < 0.05 ? 0 : 0.05 + rand())));
  return { cost, rows: use, capacity: use.map((row) => row.reduce((a, b) => a + b, 0) * share) };
}

/** The full LP relaxation's optimum value, straight from HiGHS over every column. */
async function lpOptimum(p: ScaledProblem): Promise<number> {
  const highs = await loadSolver();
  const n = p.cost.length;
  const starts = new Int32Array(n + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let j = 0; j < n; j++) {
    p.rows.forEach((row, r) => {
      if ((row[j] as number) > 0) {
        indices.push(r);
        values.push(row[j] as number);
      }
    });
    starts[j + 1] = indices.length;
  }
  const data = {
    numCols: n,
    numRows: p.rows.length,
    sense: highs.constants.objectiveSense.maximize,
    colCost: [...p.cost],
    colLower: p.cost.map(() => 0),
    colUpper: p.cost.map(() => 1),
    rowLower: p.rows.map(() => -highs.infinity),
    rowUpper: [...p.capacity],
    matrix: { format: 'csc' as const, numRows: p.rows.length, numCols: n, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
  };
  return highs.withModel(data, (model) => {
    model.options.set({ output_flag: false });
    model.run();
    expect(model.getModelStatus()).toBe(7);
    return model.getObjectiveValue();
  });
}

const boundAt = (p: ScaledProblem, y: number[]) => lagrangianBound(p, y, reducedCosts(p, y));

describe('LP prices without the full LP (re-solves at fleet scale)', () => {
  it('weightedQuantile finds the point where the weights, largest points first, reach the target', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ point: fc.double({ min: 0, max: 10, noNaN: true }), weight: fc.double({ min: 0.01, max: 3, noNaN: true }) }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (entries, share) => {
          const total = entries.reduce((a, e) => a + e.weight, 0);
          const target = total * share;
          const sorted = [...entries].sort((a, b) => b.point - a.point);
          let used = 0;
          let expected = 0;
          for (const e of sorted) {
            used += e.weight;
            if (used >= target) {
              expected = e.point;
              break;
            }
          }
          const got = weightedQuantile(Float64Array.from(entries, (e) => e.point), Float64Array.from(entries, (e) => e.weight), entries.length, target);
          // Ties in cumulative weight can round either way at the boundary: the answer is that point or its neighbour.
          const cumulativeAt = (t: number) => sorted.filter((e) => e.point >= t).reduce((a, e) => a + e.weight, 0);
          expect(cumulativeAt(got)).toBeGreaterThanOrEqual(target - 1e-9);
          expect(sorted.filter((e) => e.point > got).reduce((a, e) => a + e.weight, 0)).toBeLessThan(target + 1e-9);
          expect(got).toBeLessThanOrEqual(expected + 1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('coordinate descent gives prices whose bound is above every feasible plan, zero capacities included', () => {
    const small = fc
      .integer({ min: 1, max: 9 })
      .chain((n) =>
        fc.record({
          cost: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
          // Scaled uses are of order 1 (optimize.ts divides by the largest): none below 1e-6 but zero.
          rows: fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }).map((v) => (v < 1e-6 ? 0 : v)), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }),
          share: fc.constantFrom(0, 0.2, 0.5, 1),
        }),
      )
      .map(({ cost, rows, share }): ScaledProblem => ({ cost, rows, capacity: rows.map((row) => row.reduce((a, b) => a + b, 0) * share) }));
    fc.assert(
      fc.property(small, fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }), (p, start) => {
        const y = descendPrices(p, start);
        expect(y.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
        const bound = boundAt(p, y);
        const n = p.cost.length;
        for (let mask = 0; mask < 1 << n; mask++) {
          const x = Array.from({ length: n }, (_, j) => (mask >> j) & 1);
          if (!p.rows.every((row, r) => row.reduce((a, v, j) => a + v * (x[j] as number), 0) <= (p.capacity[r] as number))) continue;
          expect(p.cost.reduce((a, c, j) => a + c * (x[j] as number), 0)).toBeLessThanOrEqual(bound + 1e-9);
        }
        // Descent never raises the bound it started from.
        expect(bound).toBeLessThanOrEqual(boundAt(p, p.rows.map((_, r) => start[r] as number)) + 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('coordinate descent on one row reaches the fractional-knapsack optimum; on three it is a valid bound above the LP', async () => {
    for (const seed of [1, 2, 3]) {
      const one = problemOf(2_000, 1, seed);
      expect(boundAt(one, descendPrices(one, []))).toBeCloseTo(await lpOptimum(one), 7);
      const three = problemOf(2_000, 3, seed);
      const lp = await lpOptimum(three);
      const descended = boundAt(three, descendPrices(three, []));
      expect(descended).toBeGreaterThanOrEqual(lp - 1e-9);
      // Never worse than where it started (zero prices: every profitable site converted).
      expect(descended).toBeLessThanOrEqual(boundAt(three, [0, 0, 0]) + 1e-12);
    }
  });

  it('the LP over the sites near the margin proves the full LP optimum (complementary slackness on every site)', async () => {
    const highs = await loadSolver();
    for (const seed of [4, 5, 6, 7]) {
      const p = problemOf(5_000, 3, seed, 0.15 + seed / 40);
      const answer = restrictedLp(highs, p, descendPrices(p, []));
      expect(answer).not.toBeNull();
      expect(answer!.exact).toBe(true);
      const lp = await lpOptimum(p);
      expect(answer!.bound).toBeCloseTo(lp, 6);
      // Its plan is feasible for the relaxation and worth the bound.
      p.rows.forEach((row, r) => expect(row.reduce((s, a, j) => s + a * (answer!.x[j] as number), 0)).toBeLessThanOrEqual((p.capacity[r] as number) * (1 + 1e-9) + 1e-9));
      expect(p.cost.reduce((s, c, j) => s + c * (answer!.x[j] as number), 0)).toBeCloseTo(lp, 6);
    }
  });
});
