/**
 * Planner decision benchmark (issue #13): the staged MILP (every site × every period, cumulative budgets) and the
 * Monte Carlo risk at fleet scale, on seeded fleets. Prints its figures; targets are in the README's planner section.
 */
import { parsePlanInput, runPlan } from '../../server/planner/plan.js';
import { solve } from '../../server/planner/solve.js';

function rng(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function fleet(sites: number, wholeSites: boolean, seed: number, extra: Record<string, unknown> = {}) {
  const rand = rng(seed);
  return {
    market: { btc_price_usd: 75_000, difficulty: 141.7e12, fees_btc_per_block: 0.02, pool_fee: 0.02, as_of: '2026-02-02', difficulty_growth_per_month: 0.01 },
    sites: Array.from({ length: sites }, (_, i) => ({
      id: `s${i}`,
      power_mw: Math.round((2 + rand() * 98) * 10) / 10,
      power_price_usd_per_kwh: 0.025 + rand() * 0.06,
      uptime: 0.9 + rand() * 0.09,
      efficiency_jth: 15 + rand() * 20,
      ai_eligible: rand() > 0.15,
      facility_capex_usd_per_mw_it: Math.round(5e6 + rand() * 8e6),
      hosted: rand() > 0.7,
      take_or_pay_share: 0.6,
      contract_months_left: 18,
    })),
    ai: { model: 'gpu_rental', pue: 1.3, it_kw_per_gpu: 1.4, gpu_hour_usd: 3, utilization: 0.8, other_opex_usd_per_gpu_hour: 0.25, facility_capex_usd_per_mw_it: 8e6, gpu_capex_usd: 30_000, price_decline_per_year: 0.1, ramp_months: 6 },
    finance: { horizon_months: 60, discount_rate: 0.12, conversion_months: 9, replace_gpus: true, terminal_value: 'book' },
    constraints: { whole_sites: wholeSites, mip_gap: 0.001, time_limit_s: 10, stages: { period_months: 6, periods: 6, capex_budget_usd_per_period: sites * 20e6 } },
    analysis: { scenarios: false, tornado: false },
    ...extra,
  };
}

console.log('planner decision benchmark (seeded fleets; HiGHS WebAssembly, single thread)');
await solve(parsePlanInput(fleet(3, true, 1)), '2026-02-02'); // load the solver
for (const [sites, whole] of [[100, true], [1000, true], [1000, false]] as const) {
  const input = parsePlanInput(fleet(sites, whole, 42));
  const t0 = performance.now();
  const { evaluation, optimum } = await solve(input, '2026-02-02');
  const ms = performance.now() - t0;
  const mw = optimum.shares.reduce((a, share, i) => a + share * evaluation.candidates[i]!.mw, 0);
  const periods = new Set(optimum.periods.filter((p) => p !== null)).size;
  console.log(
    `${`${sites.toLocaleString('en-US')} sites × 6 stages, ${whole ? 'whole sites' : 'shares'}`.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms  ` +
      `${mw.toFixed(0)} MW in ${periods} periods, ${optimum.status}, gap ${(optimum.gap * 100).toFixed(3)} %, over greedy $${((optimum.objective - optimum.greedy.objective) / 1e6).toFixed(1)}M`,
  );
}
for (const sites of [1000, 10_000]) {
  const input = fleet(sites, false, 7, { constraints: { whole_sites: false, capex_budget_usd: sites * 5e6 }, analysis: { scenarios: false, tornado: false, monte_carlo: { runs: 1000 } } });
  const t0 = performance.now();
  const plain = await runPlan({ ...input, analysis: { scenarios: false, tornado: false } });
  const t1 = performance.now();
  const result = await runPlan(input);
  const t2 = performance.now();
  console.log(
    `${`${sites.toLocaleString('en-US')} sites, Monte Carlo 1,000 runs`.padEnd(36)} ${(t2 - t1 - (t1 - t0)).toFixed(0).padStart(6)} ms over the plan's ${(t1 - t0).toFixed(0)} ms  ` +
      `p10/p50/p90 $${[result.risk!.npv_p10_usd, result.risk!.npv_p50_usd, result.risk!.npv_p90_usd].map((v) => (v / 1e9).toFixed(2)).join('/')}B (plan $${(plain.plan.npv_usd / 1e9).toFixed(2)}B)`,
  );
}
