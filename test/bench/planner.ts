/**
 * Planner benchmark: solve times of the conversion optimizer at fleet scale, and what the optimum earns over the
 * greedy rule. `npm run bench:planner`. Fleets: lib/plan-fleet.ts (mixed miner generations, hourly-priced sites,
 * retrofit costs varying by site, binding budget, GPU and MW limits). Targets: issue #6, 1,000 sites whole-site
 * MILP under 2 s to a 0.1 % gap (with a time limit, so it always answers) and 10,000 sites fractional under 5 s;
 * issue #16, a 10,000-site whole-site plan with scenarios and tornado under 20 s in the CLI and within the API's
 * timeout, every re-solve within its share of the analysis budget.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanInput } from '../../server/planner/contract.js';
import { evaluate, gpuHourEquivalent, withGpuHourPrice } from '../../server/planner/evaluate.js';
import { optimize } from '../../server/planner/optimize.js';
import { runPlan } from '../../server/planner/plan.js';
import { PlannerRunner } from '../../server/planner/runner.js';
import { limitsOf, resolve, solve } from '../../server/planner/solve.js';
import { buildPrograms } from '../helpers/build.js';
import { target } from './lib/summary.js';
import { fleet } from './lib/plan-fleet.js';

async function run(label: string, sites: number, wholeSites: boolean, targetMs: number | null, mipGap?: number): Promise<void> {
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
      `(${input.constraints.time_limit_s} s time limit)  status ${result.status}  gap ${(result.gap * 100).toFixed(3)} %\n` +
      `${''.padEnd(34)} fleet NPV $${(npv / 1e6).toFixed(1)}M, greedy $${(greedyNpv / 1e6).toFixed(1)}M: optimum +$${(gain / 1e6).toFixed(2)}M ` +
      `(+${((100 * gain) / Math.abs(result.greedy.objective || 1)).toFixed(2)} % of greedy's conversion gain); ` +
      `${result.shares.filter((s) => s > 1e-6).length} sites converted`,
  );
  if (targetMs !== null) {
    const withinGap = result.gap <= input.constraints.mip_gap + 1e-12;
    target(`${label} < ${targetMs / 1000} s to a ${input.constraints.mip_gap * 100} % gap`, `${((t2 - t1) / 1000).toFixed(2)} s, gap ${(result.gap * 100).toFixed(3)} %`, t2 - t1 < targetMs && withinGap);
  }
}

console.log('planner benchmark (seeded realistic fleets; HiGHS WebAssembly, single thread)');
await optimize([{ gain: 1, capex: 1, gpus: 1, mw: 1, eligible: true }], { min_mining_mw: 0, whole_sites: true, mip_gap: 0, time_limit_s: 1, capex_budget_usd: 1 }); // load the solver
await run('1,000 sites, whole-site MILP', 1_000, true, 2_000);
// The same fleet searched to a zero gap within the 2 s limit: what the 0.1 % tolerance leaves on the table.
await run('1,000 sites, whole-site, gap 0', 1_000, true, null, 0);
await run('10,000 sites, fractional LP', 10_000, false, 5_000);
await run('10,000 sites, whole-site MILP', 10_000, true, 5_000);

/** CPU seconds of this process's finished children (utime + stime of waited-for children, /proc/self/stat). */
function childrenCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, USER_HZ
}

const withAnalysis = (input: PlanInput): PlanInput => ({ ...input, analysis: { ...input.analysis, scenarios: true, tornado: true } });
/** The re-solve share runPlan gives each scenario / tornado solve (plan.ts): the analysis budget over the solves. */
const shareOf = (input: PlanInput): number => Math.min(2, input.constraints.time_limit_s, input.analysis.time_limit_s / (25 + 24));

// Mixed AI models: what POST /api/plan costs with the analysis on (main plan + 25 scenario cells + 24 tornado solves).
for (const model of ['gpu_rental', 'tokens', 'colocation'] as const) {
  const input = withAnalysis(fleet(1_000, true, 42, model));
  const t0 = performance.now();
  const result = await runPlan(input);
  console.log(
    `${`1,000 sites (${model}), plan + analysis`.padEnd(34)} ${(performance.now() - t0).toFixed(0).padStart(5)} ms for 50 solves ` +
      `(analysis budget ${input.analysis.time_limit_s} s); gap ${(result.plan.optimality_gap * 100).toFixed(3)} %, ${result.plan.converted_mw.toFixed(0)} MW converted`,
  );
}

// 10,000 sites, whole sites, scenarios and tornado: through the CLI (a process, as a planner runs it) for each AI
// business model, and through the API's worker thread with the API's timeout.
const loadNow = (): string => `load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;
{
  buildPrograms(); // the CLI runs dist/: never a stale build
  const dir = mkdtempSync(join(tmpdir(), 'rigline-bench-plan-'));
  try {
    for (const model of ['gpu_rental', 'tokens', 'colocation'] as const) {
      const input = withAnalysis(fleet(10_000, true, 42, model));
      const file = join(dir, `fleet-${model}.json`);
      writeFileSync(file, JSON.stringify(input));
      const load = loadNow();
      const childCpu0 = childrenCpuS();
      const t0 = performance.now();
      const cli = spawnSync(process.execPath, ['server/planner/bin/rigline-plan.js', file, '--json'], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
      const cliS = (performance.now() - t0) / 1000;
      const cliCpuS = childrenCpuS() - childCpu0;
      if (cli.status !== 0) throw new Error(`rigline-plan exited ${cli.status}: ${cli.stderr.slice(0, 500)}`);
      const result = JSON.parse(cli.stdout) as Awaited<ReturnType<typeof runPlan>>;
      const gaps = [...(result.scenarios?.grids.flatMap((g) => g.optimality_gap.flat()) ?? []), ...(result.tornado?.flatMap((b) => [b.optimality_gap_low, b.optimality_gap_high]) ?? [])];
      console.log(
        `${`10,000 sites (${model}), CLI plan + analysis`.padEnd(34)} ${cliS.toFixed(1).padStart(5)} s, ${cliCpuS.toFixed(1)} s of CPU (process start included; ${load}); main solve ${result.plan.solver_status}, ` +
          `gap ${(result.plan.optimality_gap * 100).toFixed(3)} %, ${result.plan.converted_mw.toFixed(0)} of ${input.sites.reduce((a, s) => a + s.power_mw, 0).toFixed(0)} MW converted, binding: ${result.plan.binding.join(', ') || 'none'}; ` +
          `${gaps.length} re-solves, worst gap ${(Math.max(0, ...gaps) * 100).toFixed(3)} %; warnings: ${result.warnings.join('; ') || 'none'}`,
      );
      // Wall time is the target; CPU time says how much of it was this plan rather than other work on the machine.
      target(`10,000-site whole-site plan (${model}) + scenarios + tornado, CLI < 20 s`, `${cliS.toFixed(1)} s (${cliCpuS.toFixed(1)} s CPU, ${load})`, cliS < 20);
    }

    const input = withAnalysis(fleet(10_000, true, 42));
    const runner = new PlannerRunner();
    const load = loadNow();
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    const answered = await runner.run(input).then(
      () => true,
      (err: Error) => (console.log(`  API worker: ${err.message}`), false),
    );
    const apiS = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await runner.close();
    const apiCpuS = (cpu.user + cpu.system) / 1e6;
    console.log(`${'10,000 sites, API worker'.padEnd(34)} ${apiS.toFixed(1).padStart(5)} s, ${apiCpuS.toFixed(1)} s of CPU (${load}; the API answers 503 plan_timeout after 120 s)`);
    target('10,000-site plan + analysis within the API timeout (120 s)', `${answered ? '' : 'timed out after '}${apiS.toFixed(1)} s (${apiCpuS.toFixed(1)} s CPU)`, answered && apiS < 120);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Each re-solve against its share: the whole 5 × 5 scenario grid, valued and warm-started from the main plan as
  // runPlan does (resolve: candidates only, the main plan's shares and LP prices).
  const input = withAnalysis(fleet(10_000, true, 42));
  const share = shareOf(input);
  const main = await solve(input, input.market.as_of as string);
  const warm = { shares: main.optimum.shares, prices: main.optimum.prices };
  const gpuHour = gpuHourEquivalent(input.ai) as number;
  const times: number[] = [];
  const cpus: number[] = [];
  let worstGap = 0;
  const load = loadNow();
  for (const btc of [0.6, 0.8, 1, 1.2, 1.4].map((x) => input.market.btc_price_usd * x)) {
    for (const price of [0.6, 0.8, 1, 1.2, 1.4].map((x) => gpuHour * x)) {
      const cell = { ...input, market: { ...input.market, btc_price_usd: btc }, ai: withGpuHourPrice(input.ai, price) };
      const cpu0 = process.cpuUsage();
      const { optimum } = await resolve(cell, input.market.as_of as string, share, warm);
      const cpu = process.cpuUsage(cpu0);
      times.push(optimum.solveMs);
      cpus.push((cpu.user + cpu.system) / 1e3);
      worstGap = Math.max(worstGap, optimum.gap);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
  const worst = Math.max(...times);
  console.log(
    `${'10,000 sites, re-solves'.padEnd(34)} ${times.length} scenario cells: solve median ${median(times).toFixed(0)} ms, max ${worst.toFixed(0)} ms against a ` +
      `${(share * 1000).toFixed(0)} ms share; valuation + solve CPU median ${median(cpus).toFixed(0)} ms, max ${Math.max(...cpus).toFixed(0)} ms; worst gap ${(worstGap * 100).toFixed(3)} % (${load})`,
  );
  target(`10,000-site re-solves within their share (${(share * 1000).toFixed(0)} ms) of the analysis budget`, `max ${worst.toFixed(0)} ms, worst gap ${(worstGap * 100).toFixed(3)} %`, worst <= share * 1000 * 1.1 && worstGap <= input.constraints.mip_gap + 1e-12);
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
