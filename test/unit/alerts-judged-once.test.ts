import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { AlertEngine } from '../../server/alerts/engine.js';
import { AlertsConfigSchema } from '../../server/config/alerts-schema.js';
import { FleetState } from '../../server/fleet/state.js';

/**
 * The server judges each sample once, in fleet state's rig health, and the alert engine reuses the verdicts
 * (app.ts). An engine fed that way must raise exactly the alerts an engine judging every sample itself raises.
 */
describe('alert rules judged once per sample', () => {
  it('raises, updates and resolves the same alerts as an engine that judges every sample itself', () => {
    let t = Date.UTC(2026, 0, 1);
    const now = (): number => t;
    const rules = AlertsConfigSchema.parse({ rules: { overheat: { for_s: 10 }, hashrate_drop: { for_s: 20 }, rejected_shares: { min_shares: 20 } } }).rules;
    const model = new FleetModel({ sites: 2, rigsPerSite: 40, seed: 11, intervalMs: 5000, faultRate: 0.3, gpuEvery: 6, startMs: t });
    const state = new FleetState({ rules, missedIntervals: 3, siteNames: new Map(), now });
    const reusing = new AlertEngine({ rules, historyLimit: 10_000, siteCapacityKw: new Map(), now });
    const judging = new AlertEngine({ rules, historyLimit: 10_000, siteCapacityKw: new Map(), now });
    const shape = (engine: AlertEngine): string[] => engine.list({ state: 'all' }).map((a) => `${a.kind} ${a.rig} ${a.state} ${a.message} ${a.opened_at} ${a.resolved_at}`).sort();
    for (let seq = 1; seq <= 240; seq++) {
      t += 5000;
      for (const site of model.sites) {
        const samples = model.samplesAt(site, seq, t);
        state.applySamples('controller', samples);
        reusing.observe(samples, (sample) => state.takeConditions(sample));
        judging.observe(samples);
      }
      reusing.evaluate(state);
      judging.evaluate(state);
    }
    const alerts = shape(judging);
    expect(alerts.length).toBeGreaterThan(5);
    expect(new Set(alerts.map((a) => a.split(' ')[0])).size).toBeGreaterThan(2);
    expect(shape(reusing)).toEqual(alerts);
  });

  it('skips a late sample fleet state did not take, instead of judging it out of order', () => {
    const t = Date.UTC(2026, 0, 1);
    const rules = AlertsConfigSchema.parse({}).rules;
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 1, intervalMs: 5000, faultRate: 0, gpuEvery: 0, startMs: t });
    const state = new FleetState({ rules, missedIntervals: 3, siteNames: new Map(), now: () => t });
    const [newer] = model.samplesAt(model.sites[0]!, 2, t);
    const [older] = model.samplesAt(model.sites[0]!, 1, t - 5000);
    state.applySamples('controller', [newer!]);
    state.applySamples('controller', [older!]);
    expect(state.takeConditions(older!)).toBeNull();
    expect(state.takeConditions(newer!)).not.toBeNull();
    expect(state.takeConditions(newer!)).toBeNull(); // handed over once
  });
});
