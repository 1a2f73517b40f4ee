import { describe, expect, it } from 'vitest';
import { greedy, optimize, type Candidate, type Limits } from '../../../server/planner/optimize.js';

const limits = (over: Partial<Limits>): Limits => ({ min_mining_mw: 0, whole_sites: true, mip_gap: 0, time_limit_s: 10, ...over });
const site = (gain: number, capex: number, gpus = 0, mw = 1, eligible = true): Candidate => ({ gain, capex, gpus, mw, eligible });

/** Best objective over every whole-site subset that meets the limits: the proof of optimality for small cases. */
function bruteForce(candidates: Candidate[], l: Limits): number {
  const fleetMw = candidates.reduce((a, c) => a + c.mw, 0);
  let best = 0;
  for (let mask = 0; mask < 1 << candidates.length; mask++) {
    let gain = 0, capex = 0, gpus = 0, mw = 0, ok = true;
    candidates.forEach((c, i) => {
      if (!(mask & (1 << i))) return;
      if (!c.eligible) ok = false;
      gain += c.gain; capex += c.capex; gpus += c.gpus; mw += c.mw;
    });
    if (!ok || capex > (l.capex_budget_usd ?? Infinity) || gpus > (l.max_gpus ?? Infinity) || fleetMw - mw < l.min_mining_mw) continue;
    best = Math.max(best, gain);
  }
  return best;
}

describe('optimizer', () => {
  it('whole sites: greedy by NPV per capex dollar is provably not optimal when the best ratio blocks the big site', () => {
    // A earns 1.2 per dollar but uses 10 of the 100 budget, so B (gain 100, capex 95) no longer fits: greedy 12.
    const candidates = [site(12, 10), site(100, 95)];
    const l = limits({ capex_budget_usd: 100 });
    expect(greedy(candidates, l)).toEqual({ shares: [1, 0], objective: 12 });
    expect(bruteForce(candidates, l)).toBe(100);
    return optimize(candidates, l).then((r) => {
      expect(r.shares).toEqual([0, 1]);
      expect(r.objective).toBe(100);
      expect(r.gap).toBeLessThanOrEqual(1e-9);
      expect(r.greedy.objective).toBe(12);
    });
  });

  it('fractional shares: greedy is not optimal when GPUs, not capex, bind', async () => {
    // A: 1.0 per dollar but 100 GPUs; B: 0.9 per dollar, 10 GPUs. Budget 20, 100 GPUs.
    // Greedy converts all of A (every GPU): 10. Optimum: all of B (9) + 0.9 of A (90 GPUs, 9) = 18; the LP bound
    // (multiply the GPU row by 0.1 and the capex row by 0: 0.1 × (100 a + 10 b) ≤ 10 gives 10a + b ≤ 10, so
    // 10a + 9b ≤ 10a + b + 8b ≤ 10 + 8 = 18) shows nothing beats it.
    const candidates = [site(10, 10, 100), site(9, 10, 10)];
    const l = limits({ capex_budget_usd: 20, max_gpus: 100, whole_sites: false });
    expect(greedy(candidates, l).objective).toBeCloseTo(10, 9);
    const r = await optimize(candidates, l);
    expect(r.objective).toBeCloseTo(18, 6);
    expect(r.shares[0]).toBeCloseTo(0.9, 6);
    expect(r.shares[1]).toBeCloseTo(1, 6);
    expect(r.status).toBe('optimal');
  });

  it('never converts an ineligible site or one whose conversion loses value, and keeps the minimum mining MW', async () => {
    const candidates = [site(50, 10, 0, 10, false), site(-5, 1, 0, 10), site(30, 10, 0, 10), site(20, 10, 0, 10)];
    const r = await optimize(candidates, limits({ min_mining_mw: 25 }));
    expect(r.shares).toEqual([0, 0, 1, 0]); // 40 MW fleet, 25 must mine: only one 10 MW site may go
    const frac = await optimize(candidates, limits({ min_mining_mw: 25, whole_sites: false }));
    expect(frac.shares[2]).toBeCloseTo(1, 6);
    expect(frac.shares[3]).toBeCloseTo(0.5, 6);
    expect(frac.objective).toBeCloseTo(40, 6);
  });

  it('matches brute force on seeded random fleets with budget, GPU and MW limits', async () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const candidates = Array.from({ length: 10 }, () => site(Math.round(rand() * 100) - 10, Math.round(10 + rand() * 90), Math.round(rand() * 50), Math.round(1 + rand() * 20), rand() > 0.1));
      const l = limits({ capex_budget_usd: 200, max_gpus: 120, min_mining_mw: 30 });
      const r = await optimize(candidates, l);
      expect(r.objective).toBeCloseTo(bruteForce(candidates, l), 6);
      expect(r.objective).toBeGreaterThanOrEqual(r.greedy.objective - 1e-9);
    }
  });

  it('answers with no limits at all and with nothing worth converting', async () => {
    expect((await optimize([site(5, 1), site(7, 1)], limits({}))).objective).toBe(12);
    expect((await optimize([site(-5, 1)], limits({ capex_budget_usd: 10 }))).shares).toEqual([0]);
  });

  it('always answers under a tight time limit: a feasible plan, at least greedy, with a gap in [0, 1]', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const candidates = Array.from({ length: 3000 }, () => site(1e6 * (1 + rand()), 1e7 * (1 + rand()), Math.round(1000 * rand()), 1 + 50 * rand()));
    const totalCapex = candidates.reduce((a, c) => a + c.capex, 0);
    const l = limits({ capex_budget_usd: totalCapex / 3, max_gpus: 400_000, min_mining_mw: 1000, mip_gap: 0, time_limit_s: 0.05 });
    const r = await optimize(candidates, l);
    const used = (key: 'capex' | 'gpus' | 'mw') => r.shares.reduce((a, s, i) => a + s * candidates[i]![key], 0);
    expect(used('capex')).toBeLessThanOrEqual(totalCapex / 3 + 1e-3);
    expect(used('gpus')).toBeLessThanOrEqual(400_000 + 1e-6);
    expect(r.shares.every((s) => s === 0 || s === 1)).toBe(true);
    expect(r.objective).toBeGreaterThanOrEqual(r.greedy.objective);
    expect(r.gap).toBeGreaterThanOrEqual(0);
    expect(r.gap).toBeLessThanOrEqual(1);
    expect(['optimal', 'time_limit']).toContain(r.status);
  });
});
