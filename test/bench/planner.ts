/**
 * Planner benchmark: solve times of the conversion optimizer at fleet scale, and what the optimum earns over the
 * greedy rule. `npm run bench:planner`. Targets (issue #6): 1,000 sites whole-site MILP under 2 s to a 0.1 % gap
 * (with a time limit, so it always answers); 10,000 sites fractional under 5 s.
 */
import type { PlanInput } from '../../server/planner/contract.js';
import { evaluate } from '../../server/planner/evaluate.js';
import { optimize } from '../../server/planner/optimize.js';
import { parsePlanInput, runPlan } from '../../server/planner/plan.js';
import { limitsOf } from '../../server/planner/solve.js';

/** Deterministic LCG so every run benchmarks the same fleet. */
function rng(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function fleet(sites: number, wholeSites: boolean, seed: number): PlanInput {
  const rand = rng(seed);
  const raw = {
    market: { btc_price_usd: 75_000, difficulty: 141.7e12, fees_btc_per_block: 0.02, pool_fee: 0.02, as_of: '2026-02-02', difficulty_growth_per_month: 0.01 },
    sites: Array.from({ length: sites }, (_, i) => ({
      id: `s${i}`,
      power_mw: Math.round((2 + rand() * 98) * 10) / 10,
      power_price_usd_per_kwh: 0.025 + rand() * 0.06,
      uptime: 0.9 + rand() * 0.09,
      efficiency_jth: 15 + rand() * 20,
      ai_eligible: rand() > 0.15,
      // Retrofit cost differs by site (substation headroom, cooling, fibre): $5–13M per MW of IT.
      facility_capex_usd_per_mw_it: Math.round(5e6 + rand() * 8e6),
    })),
    ai: { model: 'gpu_rental', pue: 1.3, it_kw_per_gpu: 1.4, gpu_hour_usd: 2.4, utilization: 0.8, other_opex_usd_per_gpu_hour: 0.25, facility_capex_usd_per_mw_it: 8e6, gpu_capex_usd: 30_000 },
    finance: { horizon_months: 60, discount_rate: 0.12, conversion_months: 9 },
    constraints: { whole_sites: wholeSites, mip_gap: 0.001, time_limit_s: 2 },
    analysis: { scenarios: false, tornado: false },
  };
  const parsed = parsePlanInput(raw);
  // Limits that bind: a third of what converting everything would cost, a quarter of the GPUs, 40 % keeps mining.
  const evaluation = evaluate(parsed);
  const capex = evaluation.candidates.reduce((a, c) => a + c.capex, 0);
  const gpus = evaluation.candidates.reduce((a, c) => a + c.gpus, 0);
  const mw = evaluation.candidates.reduce((a, c) => a + c.mw, 0);
  return { ...parsed, constraints: { ...parsed.constraints, capex_budget_usd: capex / 3, max_gpus: Math.round(gpus / 4), min_mining_mw: mw * 0.4 } };
}

async function run(label: string, sites: number, wholeSites: boolean, targetMs: number, mipGap?: number): Promise<void> {
  const base = fleet(sites, wholeSites, 42);
  const input = mipGap === undefined ? base : { ...base, constraints: { ...base.constraints, mip_gap: mipGap } };
  const t0 = performance.now();
  const evaluation = evaluate(input);
  const t1 = performance.now();
  const result = await optimize(evaluation.candidates, limitsOf(input));
  const t2 = performance.now();
  const gain = result.objective - result.greedy.objective;
  const npv = evaluation.miningNpv + result.objective;
  const greedyNpv = evaluation.miningNpv + result.greedy.objective;
  console.log(
    `${label.padEnd(34)} evaluate ${(t1 - t0).toFixed(0).padStart(5)} ms  solve ${(t2 - t1).toFixed(0).padStart(5)} ms ` +
      `(${mipGap === undefined ? `target < ${targetMs} ms: ${t2 - t1 < targetMs ? 'met' : 'MISSED'}` : `${input.constraints.time_limit_s} s time limit`})  status ${result.status}  gap ${(result.gap * 100).toFixed(3)} %\n` +
      `${''.padEnd(34)} fleet NPV $${(npv / 1e6).toFixed(1)}M, greedy $${(greedyNpv / 1e6).toFixed(1)}M: optimum +$${(gain / 1e6).toFixed(2)}M ` +
      `(+${((100 * gain) / Math.abs(result.greedy.objective || 1)).toFixed(2)} % of greedy's conversion gain); ` +
      `${result.shares.filter((s) => s > 1e-6).length} sites converted`,
  );
}

console.log('planner benchmark (seeded fleets; HiGHS WebAssembly, single thread)');
await optimize([{ gain: 1, capex: 1, gpus: 1, mw: 1, eligible: true }], { min_mining_mw: 0, whole_sites: true, mip_gap: 0, time_limit_s: 1, capex_budget_usd: 1 }); // load the solver
await run('1,000 sites, whole-site MILP', 1_000, true, 2_000);
// The same fleet searched to a zero gap within the 2 s limit: what the 0.1 % tolerance leaves on the table.
await run('1,000 sites, whole-site, gap 0', 1_000, true, 2_000, 0);
await run('10,000 sites, fractional LP', 10_000, false, 5_000);
await run('10,000 sites, whole-site MILP', 10_000, true, 5_000);

// What POST /api/plan costs with the analysis on: main plan + 25 scenario cells + 24 tornado re-solves.
{
  const input = fleet(1_000, true, 42);
  const t0 = performance.now();
  const result = await runPlan({ ...input, analysis: { ...input.analysis, scenarios: true, tornado: true } });
  console.log(
    `${'1,000 sites, full plan + analysis'.padEnd(34)} ${(performance.now() - t0).toFixed(0).padStart(5)} ms for 50 solves ` +
      `(analysis budget ${input.analysis.time_limit_s} s); ${result.tornado?.length} tornado bars, ${result.scenarios?.grids[0]?.npv_usd.flat().length} scenario cells`,
  );
}

// Real fleets are a handful of large sites: there whole-site lumpiness is where greedy leaves money behind.
const fleets = 200;
let worse = 0;
let gainSum = 0;
let gainMax = 0;
let solveMs = 0;
for (let seed = 1; seed <= fleets; seed++) {
  const input = fleet(20, true, seed);
  const evaluation = evaluate(input);
  const result = await optimize(evaluation.candidates, { ...limitsOf(input), mip_gap: 0 });
  solveMs += result.solveMs;
  const gain = result.objective - result.greedy.objective;
  const share = gain / Math.max(1, Math.abs(result.greedy.objective));
  if (gain > 1) worse++;
  gainSum += share;
  gainMax = Math.max(gainMax, share);
}
console.log(
  `${fleets} fleets of 20 sites, whole sites: greedy short of the optimum in ${worse} (${((100 * worse) / fleets).toFixed(0)} %); ` +
    `optimum earns ${((100 * gainSum) / fleets).toFixed(2)} % more conversion NPV on average, up to ${(100 * gainMax).toFixed(2)} %; ` +
    `mean solve ${(solveMs / fleets).toFixed(1)} ms`,
);
