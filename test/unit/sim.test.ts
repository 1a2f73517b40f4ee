import { describe, expect, it } from 'vitest';
import { Backoff } from '../../agents/publisher/backoff.js';
import { FleetModel } from '../../agents/sim/simulator.js';
import { ambientC } from '../../agents/sim/samples.js';
import { Sample } from '../../server/contract/index.js';

const shape = { sites: 2, rigsPerSite: 30, seed: 99, intervalMs: 5000, faultRate: 0.3, gpuEvery: 10, startMs: 0 };
const ts = Date.UTC(2026, 5, 1, 12);

describe('simulated fleet', () => {
  it('is deterministic from its seed, and another seed gives another fleet', () => {
    const a = new FleetModel(shape);
    const b = new FleetModel(shape);
    const c = new FleetModel({ ...shape, seed: 100 });
    expect(a.samplesAt(a.sites[0]!, 3, ts)).toEqual(b.samplesAt(b.sites[0]!, 3, ts));
    expect(a.samplesAt(a.sites[0]!, 3, ts)).not.toEqual(c.samplesAt(c.sites[0]!, 3, ts));
  });

  it('sends only schema-valid samples with realistic figures per model', () => {
    const model = new FleetModel({ ...shape, faultRate: 0 });
    const samples = model.sites.flatMap((s) => model.samplesAt(s, 0, ts));
    expect(samples).toHaveLength(60);
    for (const sample of samples) {
      Sample.parse(sample);
      if (sample.kind === 'asic') {
        const ratio = (sample.hashrate_5s_ths ?? 0) / (sample.nameplate_ths ?? 1);
        expect(ratio).toBeGreaterThan(0.95);
        expect(ratio).toBeLessThan(1.03);
        const jth = (sample.power_w ?? 0) / (sample.hashrate_5s_ths ?? 1);
        expect(jth).toBeGreaterThan(13);
        expect(jth).toBeLessThan(30);
      } else {
        expect(sample.gpus).toHaveLength(8);
        expect(sample.power_w).toBeCloseTo(sample.gpus.reduce((a, g) => a + (g.power_w ?? 0), 0), 1);
      }
    }
    expect(samples.filter((s) => s.kind === 'gpu')).toHaveLength(6);
  });

  it('injects each kind of fault visibly', () => {
    const model = new FleetModel({ ...shape, faultRate: 0 });
    const site = model.sites[0]!;
    const [asic, gpu] = [site.rigs[0]!, site.rigs[9]!];
    const healthy = model.samplesAt(site, 0, ts).find((s) => s.rig === asic.id)!;
    model.setFault(asic.id, 'overheat');
    const hot = model.samplesAt(site, 0, ts).find((s) => s.rig === asic.id)!;
    expect(hot.kind === 'asic' && Math.max(...hot.boards.map((b) => b.temp_c ?? 0))).toBeGreaterThanOrEqual(88);
    expect(hot.kind === 'asic' && healthy.kind === 'asic' && hot.hashrate_5s_ths! < healthy.hashrate_5s_ths! * 0.75).toBe(true);
    model.setFault(asic.id, 'offline');
    expect(model.samplesAt(site, 0, ts).some((s) => s.rig === asic.id)).toBe(false);
    model.setFault(gpu.id, 'gpu_xid');
    const failed = model.samplesAt(site, 0, ts).find((s) => s.rig === gpu.id)!;
    expect(failed.kind === 'gpu' && failed.gpus.some((g) => g.last_xid === 79)).toBe(true);
    model.clearFault(asic.id);
    expect(model.samplesAt(site, 0, ts).find((s) => s.rig === asic.id)).toEqual(healthy);
  });

  it('schedules random faults at about the configured rate', () => {
    const model = new FleetModel({ ...shape, rigsPerSite: 500, faultRate: 0.1 });
    const rigs = model.sites.flatMap((s) => s.rigs);
    const faulted = rigs.filter((r) => model.faultOf(r.id, ts) !== null).length;
    expect(faulted / rigs.length).toBeGreaterThan(0.07);
    expect(faulted / rigs.length).toBeLessThan(0.13);
  });

  it('follows a day-night ambient cycle', () => {
    const site = new FleetModel(shape).sites[0]!;
    const day = Date.UTC(2026, 5, 1);
    expect(ambientC(site, day + 17 * 3.6e6)).toBeGreaterThan(ambientC(site, day + 5 * 3.6e6));
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially up to the cap and resets after a success', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('jitters within [initial, ceiling]', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    low.next();
    low.next();
    expect(low.next()).toBe(100);
  });
});

describe('simulator runner without a broker', () => {
  it('skips and counts samples rather than queueing them in memory', async () => {
    const { SimulatorRunner } = await import('../../agents/sim/simulator.js');
    const model = new FleetModel({ ...shape, faultRate: 0 });
    const runner = new SimulatorRunner(model, { url: 'mqtt://127.0.0.1:1' });
    expect(await runner.tick(ts)).toBe(0);
    expect(runner.skipped).toBe(60);
    expect(runner.published).toBe(0);
    await runner.stop();
  });
});
