import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../../server/planner/plan.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['server/planner/bin/rigline-plan.js', ...args], { encoding: 'utf8' });
const pivot = () => JSON.parse(readFileSync('config/scenario.pivot.json', 'utf8')) as Record<string, Record<string, unknown>>;

describe('config/scenario.pivot.json: sell BTC, repay debt, convert in stages (issue #13)', () => {
  it('exercises treasury, hosted sites, lifetimes, stages and risk', async () => {
    const input = pivot();
    expect(input.treasury).toBeDefined();
    expect((input.sites as unknown as { hosted?: boolean }[]).filter((s) => s.hosted)).toHaveLength(4);
    expect(input.finance).toMatchObject({ replace_gpus: true, terminal_value: 'book' });
    expect(input.constraints!.stages).toBeDefined();
    const r = await runPlan(input);
    // 4,451 BTC × $74,000 = $329.374M; $60M cash + that − $250M repaid = $139.374M for capex.
    expect(r.treasury!.proceeds_usd).toBeCloseTo(329_374_000, 0);
    expect(r.treasury!.capex_available_usd).toBeCloseTo(139_374_000, 0);
    expect(r.plan.capex_usd).toBeLessThanOrEqual(139_374_000);
    // The stages stagger the plan: conversions start in more than one period.
    expect(r.plan.schedule.filter((e) => e.converted_mw > 0).length).toBeGreaterThan(1);
    expect(r.fleet.all_in_cost_per_btc_usd!).toBeGreaterThan(r.market.btc_price_usd); // the story: cost above price
    expect(r.risk!.runs).toBe(1000);
  }, 120_000);

  it('the CLI text shows the verdicts, the fleet cost per BTC, BTC per day and the treasury', () => {
    const out = cli('config/scenario.pivot.json');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^What to do:\n {2}Convert [\d.]+ MW \(\d+ %\) of Georgia \(owned\) starting in month 0: NPV gain/m);
    expect(out.stdout).toMatch(/Keep mining Texas \(hosted\): a hosted site is not eligible for AI/);
    expect(out.stdout).toMatch(/^Binding: stages_budget/m);
    expect(out.stdout).toMatch(/^Fleet: [\d.]+ BTC\/day \([\d,.]+ BTC\/year\) at BTC \$74,000; cash cost \$[\d,]+\/BTC, all-in cost \$[\d,]+\/BTC/m);
    expect(out.stdout).toMatch(/^Treasury: sell for \$329\.4M, debt after \$250\.0M \(saves \$22\.5M\/year in interest\), 3,049 BTC held after, \$139\.4M available for capex/m);
    expect(out.stdout).toMatch(/^Schedule:/m);
    expect(out.stdout).toMatch(/^Risk \(1000 Monte Carlo runs\): plan NPV p10/m);
  }, 120_000);

  it('an input that would overflow exits 1 naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigline-plan-'));
    try {
      const file = join(dir, 'overflow.json');
      const input = pivot();
      input.market!.difficulty = 1e-300;
      writeFileSync(file, JSON.stringify(input));
      const out = cli(file);
      expect(out.status).toBe(1);
      expect(out.stderr).toMatch(/overflow\.json: market\.difficulty: /);
      expect(out.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
