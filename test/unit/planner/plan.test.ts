import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAYS_PER_MONTH } from '../../../server/planner/market.js';
import { PlanInputError, runPlan } from '../../../server/planner/plan.js';

const input = () => ({
  market: { btc_price_usd: 100_000, difficulty: 1e14, fees_btc_per_block: 0, pool_fee: 0, as_of: '2026-01-01', halving_date: '2026-03-02' },
  sites: [{ id: 'a', power_mw: 1, power_price_usd_per_kwh: 0, efficiency_jth: 20 }],
  ai: { model: 'gpu_rental', pue: 1.25, it_kw_per_gpu: 1, gpu_hour_usd: 2, utilization: 0.5, other_opex_usd_per_gpu_hour: 0, facility_capex_usd_per_mw_it: 1e6, gpu_capex_usd: 10_000 },
  finance: { horizon_months: 4, discount_rate: 0, conversion_months: 1 },
  analysis: { scenarios: false, tornado: false },
});

describe('runPlan', () => {
  it('prices a halving inside the horizon into both NPVs (hand-computed)', async () => {
    const r = await runPlan(input());
    // 50 PH/s × $62.85/PH/day (3.125 BTC, no fees) before the halving; half after. Halving at 1.97125 months.
    const hp = ((86_400 * 1e15) / (1e14 * 2 ** 32)) * 3.125 * 100_000;
    const h = 60 / DAYS_PER_MONTH;
    const months = [hp, hp * (h - 1) + (hp / 2) * (2 - h), hp / 2, hp / 2];
    const mining = months.reduce((a, v) => a + 50 * v * DAYS_PER_MONTH, 0);
    expect(r.market.hashprice_usd_per_ph_day).toBeCloseTo(hp, 9);
    expect(r.market.halving_month).toBeCloseTo(h, 9);
    const s = r.sites[0]!;
    expect(s.npv.mining_usd).toBeCloseTo(mining, 4);
    // AI: 0.8 MW IT, 800 GPUs × 24 × $2 × 0.5 = $19,200/day, no opex; capex 0.8e6 + 8e6. Month 0 still mines.
    expect(s.ai.ebitda_usd_per_day).toBeCloseTo(19_200, 6);
    expect(s.npv.converted_usd).toBeCloseTo(-8.8e6 + 50 * months[0]! * DAYS_PER_MONTH + 3 * 19_200 * DAYS_PER_MONTH, 4);
    expect(s.decision.convert_share).toBe(0); // 1.75 M of EBITDA does not repay 8.8 M in 3 months
    expect(r.plan.npv_usd).toBeCloseTo(mining, 4);
  });

  it('reports the contract fields and converts when it pays', async () => {
    const plan = input();
    plan.finance.horizon_months = 120;
    plan.analysis = { scenarios: true, tornado: true };
    const r = await runPlan(plan);
    const s = r.sites[0]!;
    for (const key of ['hashrate_phs', 'btc_per_day', 'revenue_usd_per_day', 'power_cost_usd_per_day', 'margin_usd_per_day', 'breakeven_power_usd_per_kwh', 'breakeven_btc_price_usd']) {
      expect(s.mining).toHaveProperty(key);
    }
    for (const key of ['it_mw', 'gpus', 'revenue_usd_per_day', 'opex_usd_per_day', 'ebitda_usd_per_day', 'capex_usd', 'payback_months']) expect(s.ai).toHaveProperty(key);
    for (const key of ['converted_mw', 'capex_usd', 'npv_usd', 'optimality_gap', 'greedy_npv_usd']) expect(r.plan).toHaveProperty(key);
    expect(s.decision.convert_share).toBe(1);
    expect(r.plan.converted_mw).toBe(1);
    expect(r.plan.npv_usd).toBeCloseTo(s.npv.converted_usd, 6);
    expect(r.scenarios?.grids[0]?.converted_mw).toHaveLength(5);
    // The grid's centre cell is today's plan.
    expect(r.scenarios?.grids[0]?.npv_usd[2]?.[2]).toBeCloseTo(r.plan.npv_usd, 4);
    const gpuBar = r.tornado?.find((b) => b.input === 'ai.gpu_hour_usd');
    expect(gpuBar && gpuBar.npv_high_usd > gpuBar.npv_low_usd).toBe(true);
  });

  it('names the field in every validation error', async () => {
    const bad = input() as Record<string, unknown>;
    bad.sites = [{ id: 'a', power_mw: -1, power_price_usd_per_kwh: 0.05 }, { id: 'a', power_mw: 1, power_price_usd_per_kwh: 0.05 }];
    bad.ai = { ...(bad.ai as object), model: 'tokens' };
    const err = await runPlan(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanInputError);
    const problems = (err as PlanInputError).problems.join('\n');
    expect(problems).toMatch(/^sites\.0\.power_mw: /m);
    expect(problems).toMatch(/^sites\.1\.id: duplicate site id 'a'/m);
    expect(problems).toMatch(/^ai\.tokens_per_s_per_gpu: required when model is 'tokens'/m);
  });

  it('requires an efficiency for every site when no telemetry can supply it', async () => {
    const plan = input();
    delete (plan.sites[0] as { efficiency_jth?: number }).efficiency_jth;
    await expect(runPlan(plan)).rejects.toThrow(/sites\.0\.efficiency_jth: required/);
  });
});

describe('rigline-plan CLI', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['server/planner/bin/rigline-plan.js', ...args], { encoding: 'utf8' });

  it('prints the plan for the example scenario as tables and as JSON', () => {
    const text = cli('config/scenario.example.json');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^Hashprice \$/);
    expect(text.stdout).toMatch(/Plan: convert [\d.]+ MW/);
    expect(text.stdout).toMatch(/Greedy \(NPV per capex dollar first\)/);
    const json = cli('config/scenario.example.json', '--json');
    expect(json.status).toBe(0);
    const result = JSON.parse(json.stdout) as { sites: { id: string }[]; plan: { npv_usd: number } };
    const scenario = JSON.parse(readFileSync('config/scenario.example.json', 'utf8')) as { sites: { id: string }[] };
    expect(result.sites.map((s) => s.id)).toEqual(scenario.sites.map((s) => s.id));
    expect(Number.isFinite(result.plan.npv_usd)).toBe(true);
  });

  it('exits 1 naming the field on bad input, 2 on bad usage', () => {
    const bad = cli('test/unit/planner/missing.json');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/missing\.json: ENOENT/);
    expect(cli().status).toBe(2);
  });
});
