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
