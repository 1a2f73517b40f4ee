import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { optimize, type Candidate, type Limits } from '../../../server/planner/optimize.js';
import { fixByReducedCost, lagrangianBound, objectiveOf, reducedCosts, roundDown, type ScaledProblem } from '../../../server/planner/relaxation.js';

/** Every 0/1 plan of a small problem that fits: the ground truth the relaxation helpers must respect. */
function feasiblePlans(p: ScaledProblem): number[][] {
  const n = p.cost.length;
  const plans: number[][] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    const x = Array.from({ length: n }, (_, j) => (mask >> j) & 1);
    if (p.rows.every((row, r) => row.reduce((s, a, j) => s + a * (x[j] as number), 0) <= (p.capacity[r] as number) + 1e-12)) plans.push(x);
  }
  return plans;
}

const problem = fc
  .integer({ min: 1, max: 9 })
  .chain((n) =>
    fc.record({
      cost: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      rows: fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }),
      capacityShare: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  )
  .map(({ cost, rows, capacityShare }): ScaledProblem => ({ cost, rows, capacity: rows.map((row) => row.reduce((a, b) => a + b, 0) * capacityShare) }));
const prices = fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 });

describe('LP relaxation helpers (whole-site planner)', () => {
  it('the Lagrangian bound is above every feasible plan, for any row prices', () => {
    fc.assert(
      fc.property(problem, prices, (p, y) => {
        const d = reducedCosts(p, y);
        const bound = lagrangianBound(p, y, d);
        for (const x of feasiblePlans(p)) expect(objectiveOf(p, x)).toBeLessThanOrEqual(bound + 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('round-down plans fit, and reduced-cost fixing never excludes a plan better than the incumbent', () => {
    fc.assert(
      fc.property(problem, prices, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 }), (p, y, fractional) => {
        const d = reducedCosts(p, y);
        const bound = lagrangianBound(p, y, d);
        const plans = feasiblePlans(p);
        const rounded = roundDown(p, fractional.map((v) => (v > 0.5 ? 0 : v)), d);
        expect(plans.some((x) => x.every((v, j) => v === rounded[j]))).toBe(true);
        const incumbent = objectiveOf(p, rounded);
        const fixed = fixByReducedCost(d, bound - incumbent);
        for (const x of plans) {
          if (objectiveOf(p, x) <= incumbent + 1e-9) continue;
          fixed.forEach((f, j) => f === null || expect(x[j]).toBe(f));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('optimize, whole sites at scale', () => {
  const limits = (over: Partial<Limits>): Limits => ({ min_mining_mw: 0, whole_sites: true, mip_gap: 0.001, time_limit_s: 30, ...over });
  let seed = 99;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const fleet: Candidate[] = Array.from({ length: 3000 }, () => {
    const mw = 2 + rand() * 100;
    return { gain: (rand() - 0.3) * 2e7 * mw, capex: (4e6 + rand() * 12e6) * mw, gpus: Math.round(mw * 550), mw, eligible: rand() > 0.15 };
  });
  const total = (key: 'capex' | 'gpus' | 'mw'): number => fleet.reduce((a, c) => a + c[key], 0);

  it('answers within the MIP gap with binding budget, GPU and MW limits, never below greedy, and respects them', async () => {
    const l = limits({ capex_budget_usd: total('capex') / 3, max_gpus: total('gpus') / 4, min_mining_mw: total('mw') * 0.4 });
    const r = await optimize(fleet, l);
    expect(r.gap).toBeLessThanOrEqual(l.mip_gap);
    expect(r.objective).toBeGreaterThanOrEqual(r.greedy.objective - 1e-6);
    const used = (key: 'capex' | 'gpus' | 'mw'): number => r.shares.reduce((a, s, i) => a + s * fleet[i]![key], 0);
    expect(used('capex')).toBeLessThanOrEqual(l.capex_budget_usd! * (1 + 1e-9));
    expect(used('gpus')).toBeLessThanOrEqual(l.max_gpus! * (1 + 1e-9));
    expect(total('mw') - used('mw')).toBeGreaterThanOrEqual(l.min_mining_mw * (1 - 1e-9));
    expect(r.shares.every((s, i) => s === 0 || (s === 1 && fleet[i]!.eligible && fleet[i]!.gain > 0))).toBe(true);
  });

  it('a warm start that fits is never lost, and one that does not fit is ignored', async () => {
    const l = limits({ capex_budget_usd: total('capex') / 5, mip_gap: 0.2, time_limit_s: 30 });
    const plain = await optimize(fleet, l);
    const start = plain.shares;
    const warm = await optimize(fleet, { ...l, mip_gap: 0.3 }, { start });
    expect(warm.objective).toBeGreaterThanOrEqual(plain.objective - 1e-6);
    const tooMuch = fleet.map((c) => (c.eligible && c.gain > 0 ? 1 : 0));
    const r = await optimize(fleet, l, { start: tooMuch });
    expect(r.shares.reduce((a, s, i) => a + s * fleet[i]!.capex, 0)).toBeLessThanOrEqual(l.capex_budget_usd! * (1 + 1e-9));
  });
});
