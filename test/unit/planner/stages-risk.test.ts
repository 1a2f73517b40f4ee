import { describe, expect, it } from 'vitest';
import type { StartOption } from '../../../server/planner/evaluate.js';
import type { Candidate, Limits } from '../../../server/planner/optimize.js';
import { parsePlanInput, runPlan } from '../../../server/planner/plan.js';
import { gbmFactors, percentile } from '../../../server/planner/risk.js';
import { solve } from '../../../server/planner/solve.js';
import { cumulativeBudgets, greedyStaged, optimizeStaged, stagedFits } from '../../../server/planner/stages.js';

const MILLI_DIFFICULTY = (86_400 * 1e15 * 3.125) / 2 ** 32 / 0.001;

/** Five 1–3 MW sites whose AI pays at different rates; 4 periods of 6 months with a budget that admits ~1 site each. */
const staged = (over: Record<string, unknown> = {}) => ({
  market: { btc_price_usd: 80_000, difficulty: MILLI_DIFFICULTY, fees_btc_per_block: 0, pool_fee: 0, as_of: '2026-01-01', halving_date: '2027-01-01' },
  sites: [1, 2, 3, 1.5, 2.5].map((mw, i) => ({ id: `s${i}`, power_mw: mw, power_price_usd_per_kwh: 0.04 + 0.01 * i, efficiency_jth: 18 + 4 * i })),
  ai: { model: 'gpu_rental', pue: 1.25, it_kw_per_gpu: 1, gpu_hour_usd: 1.6, utilization: 0.7, other_opex_usd_per_gpu_hour: 0.1, facility_capex_usd_per_mw_it: 3e6, gpu_capex_usd: 12_000 },
  finance: { horizon_months: 48, discount_rate: 0.12, conversion_months: 3 },
  constraints: { whole_sites: true, mip_gap: 0, stages: { period_months: 6, periods: 4, capex_budget_usd_per_period: 25e6 } },
  analysis: { scenarios: false, tornado: false },
  ...over,
});

/** Every assignment of each site to a period or to never (whole sites): the best objective that fits. */
function bruteForce(candidates: Candidate[], options: StartOption[][], limits: Limits, budgets: number[]): number {
  const choices = budgets.length + 1;
  let best = 0;
  for (let code = 0; code < choices ** candidates.length; code++) {
    const periods: (number | null)[] = [];
    let rest = code;
    for (let i = 0; i < candidates.length; i++) {
      const pick = rest % choices;
      rest = Math.floor(rest / choices);
      periods.push(pick === budgets.length || !candidates[i]!.eligible ? null : pick);
    }
    const shares = periods.map((p) => (p === null ? 0 : 1));
    if (!stagedFits(candidates, { shares, periods, objective: 0 }, limits, budgets)) continue;
    best = Math.max(best, periods.reduce((sum: number, p, i) => (p === null ? sum : sum + options[i]![p]!.gain), 0));
  }
  return best;
}

describe('staged conversion', () => {
  it('cumulates budgets: spend through period k ≤ the budgets through k', () => {
    expect(cumulativeBudgets(10, 3)).toEqual([10, 20, 30]);
    expect(cumulativeBudgets([5, 0, 7], 3)).toEqual([5, 5, 12]);
  });

  it('matches brute-force enumeration of every start period on a real five-site plan', async () => {
    const input = parsePlanInput(staged());
    const { evaluation, optimum } = await solve(input, '2026-01-01');
    expect(evaluation.startMonths).toEqual([0, 6, 12, 18]);
    const limits: Limits = { min_mining_mw: 0, whole_sites: true, mip_gap: 0, time_limit_s: 10 };
    const budgets = cumulativeBudgets(25e6, 4);
    const best = bruteForce(evaluation.candidates, evaluation.options, limits, budgets);
    expect(best).toBeGreaterThan(0);
    expect(optimum.objective).toBeCloseTo(best, 2);
    expect(stagedFits(evaluation.candidates, optimum, limits, budgets)).toBe(true);
    // The budget really staggers the plan: not every converting site starts in period 0.
    expect(new Set(optimum.periods.filter((p) => p !== null)).size).toBeGreaterThan(1);
  }, 60_000);

  it('matches brute force on random instances, and never does worse than the greedy rule', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 25; trial++) {
      const n = 5;
      const periods = 3;
      const candidates: Candidate[] = Array.from({ length: n }, () => ({ gain: 0, capex: 1 + Math.floor(rand() * 9), gpus: Math.floor(rand() * 5), mw: 1, eligible: rand() > 0.1 }));
      // A later start usually gains less (later AI), sometimes more (a halving or a price path).
      const options = candidates.map(() => Array.from({ length: periods }, (_, k) => ({ startMonth: 6 * k, gain: Math.round((rand() * 20 - 4) * (1 - 0.2 * k)), revenueWeight: 1 })));
      const budgets = cumulativeBudgets(Array.from({ length: periods }, () => 2 + Math.floor(rand() * 8)), periods);
      const limits: Limits = { min_mining_mw: rand() > 0.7 ? 2 : 0, max_gpus: rand() > 0.5 ? 6 : undefined, whole_sites: true, mip_gap: 0, time_limit_s: 10 };
      const r = await optimizeStaged(candidates, options, limits, budgets);
      expect(r.objective).toBeCloseTo(bruteForce(candidates, options, limits, budgets), 6);
      expect(r.objective).toBeGreaterThanOrEqual(greedyStaged(candidates, options, limits, budgets).objective - 1e-9);
    }
  }, 60_000);

  it('reports start months, the schedule and the greedy comparison through runPlan', async () => {
    const r = await runPlan(staged());
    const schedule = r.plan.schedule;
    expect(schedule.map((e) => e.start_month)).toEqual([0, 6, 12, 18]);
    let cumulative = 0;
    schedule.forEach((e, k) => {
      cumulative += e.capex_usd;
      expect(cumulative).toBeLessThanOrEqual(25e6 * (k + 1) * (1 + 1e-9));
    });
    expect(schedule.reduce((a, e) => a + e.converted_mw, 0)).toBeCloseTo(r.plan.converted_mw, 9);
    for (const s of r.sites) {
      if (s.decision.convert_share > 0) expect(schedule.map((e) => e.start_month)).toContain(s.decision.start_month);
      else expect(s.decision.start_month).toBeNull();
    }
    expect(r.plan.npv_usd).toBeGreaterThanOrEqual(r.plan.greedy_npv_usd - 1e-6);
    expect(r.plan.binding).toContain('stages_budget');
    // Shares: one start period per site still, and at least as much NPV as whole sites.
    const shares = await runPlan(staged({ constraints: { whole_sites: false, mip_gap: 0, stages: { period_months: 6, periods: 4, capex_budget_usd_per_period: 25e6 } } }));
    expect(shares.plan.npv_usd).toBeGreaterThanOrEqual(r.plan.npv_usd - 1e-6);
  });
});

describe('verdicts and binding constraints', () => {
  it('names the binding budget, says what to do, and the flip GPU-hour price really flips the gain', async () => {
    const input = staged({ constraints: { whole_sites: true, capex_budget_usd: 30e6 } });
    const r = await runPlan(input);
    expect(r.plan.binding).toEqual(['capex_budget']);
    const converted = r.sites.find((s) => s.decision.convert_share === 1)!;
    expect(converted.verdict).toMatch(new RegExp(`^Convert ${converted.name}: NPV gain \\$[\\d.,]+M?, pays back in [\\d.]+ months; below \\$([\\d.]+) per GPU-hour it would not\\.$`));
    const blocked = r.sites.find((s) => s.decision.convert_share === 0 && s.npv.gain_usd > 0)!;
    expect(blocked.verdict).toMatch(/^Keep mining s\d: converting would gain \$[\d.,]+M? but the capex budget leaves no room for it\.$/);
    // At the flip price the converted site's gain is zero.
    const flip = Number(/below \$([\d.]+) per GPU-hour/.exec(converted.verdict)![1]);
    const at = await runPlan({ ...input, ai: { ...input.ai, gpu_hour_usd: flip } });
    const gain = at.sites.find((s) => s.id === converted.id)!.npv.gain_usd;
    expect(Math.abs(gain)).toBeLessThan(converted.npv.gain_usd * 0.01); // flip printed to the cent
  });

  it('nothing binds when every paying site converts; a losing site is told the price it would need', async () => {
    const r = await runPlan(staged({ constraints: {}, ai: { ...staged().ai, gpu_hour_usd: 0.3 } }));
    expect(r.plan.binding).toEqual([]);
    expect(r.sites[0]!.verdict).toMatch(/^Keep mining s0: converting would change NPV by −\$[\d.,]+M? and (never pays back|pays back in [\d.]+ months); it would pay from \$[\d.]+ per GPU-hour\.$/);
  });
});

describe('Monte Carlo risk', () => {
  it('driftless GBM factors and linear percentiles (hand-computed)', () => {
    // z = 1 every month, σ = 0.6: each month × exp(0.6 × √(1/12) − 0.36 / 24) = exp(0.173205 − 0.015).
    const f = gbmFactors(3, 0.6, () => 1);
    const step = Math.exp(0.6 * Math.sqrt(1 / 12) - 0.36 / 24);
    expect(f[0]).toBe(1);
    expect(f[1]).toBeCloseTo(step, 12);
    expect(f[2]).toBeCloseTo(step ** 2, 12);
    expect(gbmFactors(4, 0, () => 5)).toEqual([1, 1, 1, 1]);
    // [1, 2, 3, 4, 5]: p10 sits at position 0.4 → 1.4; p50 at 2 → 3; p90 at 3.6 → 4.6.
    expect([0.1, 0.5, 0.9].map((q) => percentile([1, 2, 3, 4, 5], q))).toEqual([1.4, 3, 4.6]);
  });

  it('keeps the expected price at today\'s value (a martingale)', () => {
    let seed = 3;
    const uniform = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) + 1) / (2 ** 31 + 1);
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += gbmFactors(13, 0.6, normal)[12] as number;
    expect(sum / 20_000).toBeCloseTo(1, 1); // standard error ≈ 0.6 / √20,000 = 0.004
  });

  it('is deterministic for a seed, and with zero volatility every percentile is the plan NPV', async () => {
    const mc = (monte_carlo: Record<string, number>) => runPlan(staged({ analysis: { scenarios: false, tornado: false, monte_carlo } }));
    const a = await mc({ runs: 300, seed: 11 });
    const b = await mc({ runs: 300, seed: 11 });
    const c = await mc({ runs: 300, seed: 12 });
    expect(a.risk).toEqual(b.risk);
    expect(c.risk!.npv_p50_usd).not.toBe(a.risk!.npv_p50_usd);
    expect(a.risk!.npv_p10_usd).toBeLessThan(a.risk!.npv_p50_usd);
    expect(a.risk!.npv_p50_usd).toBeLessThan(a.risk!.npv_p90_usd);
    expect(a.risk!.runs).toBe(300);
    expect(a.risk!.npv_samples_usd).toHaveLength(300);
    const zero = await mc({ runs: 50, btc_price_vol_annual: 0, gpu_hour_vol_annual: 0 });
    const npv = zero.plan.npv_usd;
    for (const key of ['npv_p10_usd', 'npv_p50_usd', 'npv_p90_usd'] as const) expect(zero.risk![key]).toBeCloseTo(npv, 4);
    expect(zero.risk!.mining_only_npv_p50_usd).toBeCloseTo(zero.plan.npv_mining_only_usd, 4);
    expect(zero.risk!.prob_plan_beats_mining).toBe(zero.plan.npv_usd > zero.plan.npv_mining_only_usd ? 1 : 0);
  });
});
