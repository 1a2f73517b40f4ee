import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../../agents/sim/simulator.js';
import { buildBaseline } from '../../../server/api/plan-baseline.js';
import { parseConfig } from '../../../server/config/load.js';
import type { AsicSample } from '../../../server/contract/index.js';
import { FleetState } from '../../../server/fleet/state.js';
import { MemoryStore } from '../../../server/store/memory.js';

describe('planner baseline uptime', () => {
  const config = parseConfig({});
  const now = Date.UTC(2026, 5, 1);
  const model = new FleetModel({ sites: 1, rigsPerSite: 2, seed: 9, intervalMs: 10_000, faultRate: 0, gpuEvery: 0 });
  const [a, b] = model.samplesAt(model.sites[0]!, 0, now) as [AsicSample, AsicSample];
  // Each rig hashes 100 TH/s; only the first one's nameplate (200 TH/s) is known.
  const rig = (s: AsicSample, nameplate: number | null): AsicSample => ({ ...s, hashrate_5s_ths: 100, hashrate_avg_ths: 100, nameplate_ths: nameplate });

  const baselineOf = async (samples: AsicSample[]) => {
    const state = new FleetState({ rules: config.alerts.rules, missedIntervals: config.ingest.missed_intervals, siteNames: new Map(), now: () => now });
    state.applySamples('ctl', samples);
    return (await buildBaseline(state, new MemoryStore(100), config, 3_600_000, now)).sites[0]!;
  };

  it('is realised hashrate over nameplate when every rig has one', async () => {
    const site = await baselineOf([rig(a, 200), rig(b, 200)]);
    expect(site.measured.uptime).toBe(0.5);
    expect(site.provenance.uptime).toBe('measured');
  });

  it('is assumed, not inflated, when a rig has no known nameplate (unknown is not 0)', async () => {
    const site = await baselineOf([rig(a, 200), rig(b, null)]);
    // Counting the unknown nameplate as 0 gave 200 TH/s over 200 TH/s: a "measured" 100 %.
    expect(site.measured.uptime).toBeNull();
    expect(site.provenance.uptime).toBe('assumed');
  });
});

describe('planner baseline mining MW and data sufficiency (issue #13)', () => {
  const now = Date.UTC(2026, 5, 1);
  const model = new FleetModel({ sites: 1, rigsPerSite: 4, seed: 3, intervalMs: 10_000, faultRate: 0, gpuEvery: 2 });
  const samples = model.samplesAt(model.sites[0]!, 0, now);

  const baselineOf = async (over: Record<string, unknown>, rollups: number) => {
    const config = parseConfig({ planner: over });
    const state = new FleetState({ rules: config.alerts.rules, missedIntervals: config.ingest.missed_intervals, siteNames: new Map(), now: () => now });
    state.applySamples('ctl', samples);
    const store = new MemoryStore(100);
    for (let k = 0; k < rollups; k++) store.writeSiteRollups(now - (k + 1) * 600_000, state.sites());
    return (await buildBaseline(state, store, config, 24 * 3_600_000, now)).sites[0]!;
  };

  it('counts only the ASICs as mining MW: hashrate × J/TH, not the GPU nodes on the same site', async () => {
    const site = await baselineOf({}, 0);
    const asics = samples.filter((s): s is AsicSample => s.kind === 'asic');
    expect(samples.some((s) => s.kind === 'gpu')).toBe(true);
    const asicKw = asics.reduce((sum, s) => sum + (s.power_w ?? 0), 0) / 1000;
    expect(site.measured.asic_power_kw).toBeCloseTo(asicKw, 0);
    expect(site.power_mw * 1000).toBeCloseTo(asicKw, 0);
    expect(site.measured.power_kw!).toBeGreaterThan(site.measured.asic_power_kw! + 0.1); // the GPUs' draw is left out
  });

  it('says how much data is behind "measured" and falls back when it is too little', async () => {
    const thin = await baselineOf({ min_measured_points: 3 }, 2);
    expect(thin.measured).toMatchObject({ window_points: 2, sufficient: false });
    expect(thin.measured.window_covered_s).toBe(2 * 288); // two 288 s buckets of a 24 h window
    expect(thin.provenance).toMatchObject({ uptime: 'assumed', efficiency_jth: 'assumed' });
    expect(thin.efficiency_jth).toBeNull(); // the plan input takes planner.default_efficiency_jth
    const enough = await baselineOf({ min_measured_points: 3 }, 3);
    expect(enough.measured.sufficient).toBe(true);
    expect(enough.provenance.efficiency_jth).toBe('measured');
  });
});

describe('planner baseline prefills treasury and hosted terms from config (issue #13)', () => {
  it('copies config sites[] planner fields and planner.treasury into the plan input', async () => {
    const now = Date.UTC(2026, 5, 1);
    const config = parseConfig({
      sites: [{ id: 'hosted-1', name: 'Hosted', capacity_mw: 80, power_price_usd_per_kwh: 0.058, hosted: true, take_or_pay_share: 0.8, contract_months_left: 18, miner_book_value_usd: 4e7 }],
      planner: { treasury: { btc_held: 6000, sell_btc: 4451, cash_usd: 2.5e8, debt_usd: 6e8, debt_interest_rate: 0.09, repay_debt_usd: 3e8 } },
    });
    const state = new FleetState({ rules: config.alerts.rules, missedIntervals: config.ingest.missed_intervals, siteNames: new Map(), now: () => now });
    const baseline = await buildBaseline(state, new MemoryStore(100), config, 3_600_000, now);
    expect(baseline.sites[0]).toMatchObject({ id: 'hosted-1', ai_eligible: false });
    expect(baseline.input.sites[0]).toMatchObject({ hosted: true, take_or_pay_share: 0.8, contract_months_left: 18, miner_book_value_usd: 4e7, ai_eligible: false });
    expect(baseline.input.treasury).toEqual({ btc_held: 6000, sell_btc: 4451, cash_usd: 2.5e8, debt_usd: 6e8, debt_interest_rate: 0.09, repay_debt_usd: 3e8 });
    // Without planner.treasury the input has none (an all-zero treasury would be a $0 capex budget).
    expect((await buildBaseline(state, new MemoryStore(100), parseConfig({}), 3_600_000, now)).input.treasury).toBeUndefined();
  });
});
