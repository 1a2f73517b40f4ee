import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { AlertEngine, type AlertEvent, type FleetView } from '../../server/alerts/engine.js';
import { AlertsConfigSchema } from '../../server/config/alerts-schema.js';
import type { Alert, AsicSample, GpuSample, RigStatus, Sample, SiteRollup } from '../../server/contract/index.js';

/** A fake clock: every rule reads time through it, so minutes pass in microseconds. */
class FakeClock {
  constructor(public t = Date.UTC(2026, 0, 1)) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

const T0 = Date.UTC(2026, 0, 1);
const model = new FleetModel({ sites: 1, rigsPerSite: 4, seed: 3, intervalMs: 5000, faultRate: 0, gpuEvery: 4, startMs: T0 });
const site = model.sites[0]!;
const asicRig = site.rigs[0]!.id;
const gpuRig = site.rigs[3]!.id;

function sampleOf(rig: string, ts: number, seq: number): Sample {
  return model.samplesAt(site, seq, ts).find((s) => s.rig === rig)!;
}

function setup(rules: Record<string, unknown> = {}, capacityKw = new Map<string, number>()) {
  const clock = new FakeClock();
  const config = AlertsConfigSchema.parse({ rules });
  const engine = new AlertEngine({ rules: config.rules, historyLimit: 100, siteCapacityKw: capacityKw, now: clock.now });
  const events: { alert: Alert; event: AlertEvent }[] = [];
  engine.onChange((alert, event) => events.push({ alert, event }));
  return { clock, engine, events };
}

function fleetOf(records: [string, Sample, RigStatus, string[]][], sites: SiteRollup[] = []): FleetView {
  return {
    records: () => records.map(([id, sample, status, reasons]) => [id, { sample, status, reasons }] as [string, { sample: Sample; status: RigStatus; reasons: string[] }]),
    site: (id: string) => sites.find((s) => s.id === id) ?? null,
  };
}

describe('alert rules with a fake clock', () => {
  it('debounces rig offline: nothing before for_s, one alert after, resolved when back', () => {
    const { clock, engine, events } = setup({ rig_offline: { for_s: 120 } });
    const sample = sampleOf(asicRig, T0, 0);
    const offline = fleetOf([[asicRig, sample, 'offline', ['no sample for 15 s']]]);
    engine.evaluate(offline);
    clock.advance(60_000);
    engine.evaluate(offline);
    expect(events).toHaveLength(0);
    // A blip: back online before the debounce ran out, then offline again: the timer starts over.
    engine.evaluate(fleetOf([[asicRig, sample, 'online', []]]));
    clock.advance(1000);
    engine.evaluate(offline);
    clock.advance(119_000);
    engine.evaluate(offline);
    expect(events).toHaveLength(0);
    clock.advance(1000);
    for (let i = 0; i < 10; i++) {
      engine.evaluate(offline);
      clock.advance(1000);
    }
    expect(events.map((e) => e.event)).toEqual(['opened']);
    expect(events[0]!.alert).toMatchObject({ kind: 'rig_offline', rig: asicRig, site: site.id, severity: 'critical', state: 'open' });
    expect(events[0]!.alert.message).toContain('no sample for 15 s');
    engine.evaluate(fleetOf([[asicRig, sample, 'online', []]]));
    expect(events.map((e) => e.event)).toEqual(['opened', 'resolved']);
    expect(engine.list()).toEqual([]);
    expect(engine.list({ state: 'resolved' })[0]).toMatchObject({ state: 'resolved', resolved_by: 'cleared' });
  });

  it('compares hashrate with its own 1-hour median, not a fixed number', () => {
    const { clock, engine, events } = setup({ hashrate_drop: { for_s: 60, clear_s: 0, drop_share: 0.2 } });
    const base = sampleOf(asicRig, T0, 0) as AsicSample;
    const at = (ths: number): AsicSample => ({ ...base, ts: clock.t, hashrate_5s_ths: ths });
    // Forty minutes near 100 TH/s, with one bad minute at 20 TH/s that a mean would feel and a median does not.
    for (let s = 0; s < 40 * 60; s += 5) {
      engine.observe([at(s >= 600 && s < 660 ? 20 : 100 + (s % 3))]);
      clock.advance(5000);
    }
    expect(events).toHaveLength(0);
    // 85 TH/s is 15% down: within the 20% allowed.
    for (let i = 0; i < 30; i++, clock.advance(5000)) engine.observe([at(85)]);
    expect(events).toHaveLength(0);
    // 70 TH/s is 30% down; it must hold for_s (60 s) before the alert opens.
    for (let i = 0; i < 11; i++, clock.advance(5000)) engine.observe([at(70)]);
    expect(events).toHaveLength(0);
    for (let i = 0; i < 3; i++, clock.advance(5000)) engine.observe([at(70)]);
    expect(events.map((e) => e.event)).toEqual(['opened']);
    expect(events[0]!.alert.kind).toBe('hashrate_drop');
    expect(events[0]!.alert.message).toMatch(/70\.0 TH\/s, 3[01]% below its 60-minute median of 10[01]\.\d TH\/s/);
    expect(events[0]!.alert.threshold).toBeCloseTo(80.8, 0);
    engine.observe([at(100)]);
    expect(events.map((e) => e.event)).toEqual(['opened', 'resolved']);
  });

  it('needs a baseline before judging a new rig', () => {
    const { clock, engine, events } = setup({ hashrate_drop: { for_s: 0, min_baseline_s: 900 } });
    const base = sampleOf(asicRig, T0, 0) as AsicSample;
    for (let s = 0; s < 600; s += 5, clock.advance(5000)) engine.observe([{ ...base, hashrate_5s_ths: 100 }]);
    engine.observe([{ ...base, hashrate_5s_ths: 10 }]);
    expect(events).toHaveLength(0);
  });

  it('computes the reject rate from counter deltas, not lifetime totals', () => {
    const { clock, engine, events } = setup({ rejected_shares: { window_s: 600, max_share: 0.05, min_shares: 50, clear_s: 0 } });
    const base = sampleOf(asicRig, T0, 0) as AsicSample;
    const pool = base.pools[0]!;
    let accepted = 1_000_000;
    let rejected = 1000; // 0.1% lifetime
    const observe = () => engine.observe([{ ...base, pools: [{ ...pool, accepted, rejected }] }]);
    for (let i = 0; i < 120; i++, clock.advance(5000)) {
      accepted += 10;
      observe();
    }
    expect(events).toHaveLength(0);
    // Now 2 of every 12 new shares are rejected (17%); lifetime stays under 0.2%. The 10-minute window mixes
    // old and new until the new rate dominates.
    for (let i = 0; i < 60; i++, clock.advance(5000)) {
      accepted += 10;
      rejected += 2;
      observe();
    }
    expect(events.map((e) => e.event)).toEqual(['opened']);
    expect(events[0]!.alert.value).toBeGreaterThan(0.05);
    expect(rejected / (accepted + rejected)).toBeLessThan(0.002);
    // A counter reset (miner reboot) restarts the window instead of producing a negative delta.
    accepted = 0;
    rejected = 0;
    observe();
    for (let i = 0; i < 140; i++, clock.advance(5000)) {
      accepted += 10;
      observe();
    }
    expect(events.map((e) => e.event)).toEqual(['opened', 'resolved']);
  });

  it('raises one alert per open condition however often it is seen, and a new one after it resolves', () => {
    const { clock, engine, events } = setup({ hashboard_missing: { for_s: 0, clear_s: 30 } });
    model.setFault(asicRig, 'hashboard_lost');
    for (let i = 0; i < 50; i++, clock.advance(5000)) engine.observe([sampleOf(asicRig, clock.t, i)]);
    expect(events.map((e) => e.event)).toEqual(['opened']);
    expect(events[0]!.alert.message).toMatch(/hashboard \d lost/);
    // Cleared for less than clear_s, then back: still the same alert.
    model.setFault(asicRig, null);
    for (let i = 0; i < 3; i++, clock.advance(5000)) engine.observe([sampleOf(asicRig, clock.t, i)]);
    model.setFault(asicRig, 'hashboard_lost');
    engine.observe([sampleOf(asicRig, clock.t, 60)]);
    expect(events).toHaveLength(1);
    model.setFault(asicRig, null);
    for (let i = 0; i < 8; i++, clock.advance(5000)) engine.observe([sampleOf(asicRig, clock.t, i)]);
    expect(events.map((e) => e.event)).toEqual(['opened', 'resolved']);
    model.setFault(asicRig, 'hashboard_lost');
    engine.observe([sampleOf(asicRig, clock.t, 99)]);
    expect(events.map((e) => e.event)).toEqual(['opened', 'resolved', 'opened']);
    expect(events[2]!.alert.id).not.toBe(events[0]!.alert.id);
    model.clearFault(asicRig);
  });

  it('flags GPU Xid errors and overheating per device', () => {
    const { clock, engine, events } = setup({ gpu_error: { for_s: 0 }, overheat: { for_s: 0 } });
    model.setFault(gpuRig, 'gpu_xid');
    engine.observe([sampleOf(gpuRig, clock.t, 1)]);
    expect(events.map((e) => e.alert.kind)).toEqual(['gpu_error']);
    expect(events[0]!.alert.message).toBe('GPU 3: Xid 79');
    const hot = sampleOf(gpuRig, clock.t, 2) as GpuSample;
    engine.observe([{ ...hot, gpus: hot.gpus.map((g, i) => (i === 5 ? { ...g, temp_c: 91 } : g)) }]);
    expect(events.map((e) => e.alert.kind)).toEqual(['gpu_error', 'overheat']);
    expect(events[1]!.alert.message).toBe('GPU 5 at 91.0 °C (limit 88 °C)');
    model.clearFault(gpuRig);
  });

  it('alerts on site power above capacity', () => {
    const rollup = (kw: number): SiteRollup => ({
      id: site.id, name: 'Rockdale TX', rigs: { total: 1, online: 1, offline: 0, degraded: 0 }, hashrate_ths: 1, power_kw: kw,
      efficiency_jth: null, gpus: { total: 0, online: 0, utilization_pct: null },
    });
    const { clock, engine, events } = setup({ site_power: { for_s: 60 } }, new Map([[site.id, 1000]]));
    engine.evaluate(fleetOf([], [rollup(990)]));
    engine.evaluate(fleetOf([], [rollup(1050)]));
    clock.advance(59_000);
    engine.evaluate(fleetOf([], [rollup(1050)]));
    expect(events).toHaveLength(0);
    clock.advance(1000);
    engine.evaluate(fleetOf([], [rollup(1050)]));
    expect(events[0]!.alert).toMatchObject({ kind: 'site_power', rig: null, site: site.id, value: 1050, threshold: 1000 });
    expect(events[0]!.alert.message).toContain('105% of capacity');
  });

  it('acknowledges, and a manual resolve stays quiet until the condition clears once', () => {
    const { clock, engine, events } = setup({ overheat: { for_s: 0, clear_s: 0 } });
    model.setFault(asicRig, 'overheat');
    engine.observe([sampleOf(asicRig, clock.t, 1)]);
    const id = events[0]!.alert.id;
    const acked = engine.acknowledge(id, 'ops');
    expect(acked).toMatchObject({ alert: { state: 'acknowledged', acknowledged_by: 'ops', acknowledged_at: clock.t } });
    expect(engine.acknowledge(id, 'ops')).toMatchObject({ alert: { state: 'acknowledged' } });
    expect(events.map((e) => e.event)).toEqual(['opened', 'acknowledged']);
    expect(engine.resolve(id)).toMatchObject({ alert: { state: 'resolved', resolved_by: 'manual' } });
    for (let i = 0; i < 5; i++, clock.advance(5000)) engine.observe([sampleOf(asicRig, clock.t, i)]);
    expect(events.map((e) => e.event)).toEqual(['opened', 'acknowledged', 'resolved']);
    expect(engine.acknowledge(id, null)).toEqual({ error: 'resolved' });
    expect(engine.acknowledge('nope', null)).toEqual({ error: 'not_found' });
    model.setFault(asicRig, null);
    engine.observe([sampleOf(asicRig, clock.t, 7)]);
    model.setFault(asicRig, 'overheat');
    engine.observe([sampleOf(asicRig, clock.t, 8)]);
    expect(events.map((e) => e.event)).toEqual(['opened', 'acknowledged', 'resolved', 'opened']);
    model.clearFault(asicRig);
  });
});
