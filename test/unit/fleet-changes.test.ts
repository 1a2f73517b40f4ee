import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/load.js';
import { FleetModel } from '../../agents/sim/simulator.js';
import { FleetState } from '../../server/fleet/state.js';

describe('FleetState.takeChanges', () => {
  it('names every changed site but builds rig views only for the sites asked for, then clears', () => {
    const model = new FleetModel({ sites: 3, rigsPerSite: 4, seed: 2, intervalMs: 5000, faultRate: 0, gpuEvery: 0 });
    const state = new FleetState({ rules: parseConfig({}).alerts.rules, missedIntervals: 3, siteNames: new Map() });
    for (const site of model.sites) state.applySamples('ctl', model.samplesAt(site, 0, 1_700_000_000_000));
    const asked: string[] = [];
    const changes = state.takeChanges((site) => (asked.push(site), site === 'site-02'));
    expect([...changes.keys()].sort()).toEqual(['site-01', 'site-02', 'site-03']);
    expect(asked.sort()).toEqual(['site-01', 'site-02', 'site-03']); // once per site, not per rig
    expect(changes.get('site-01')).toEqual([]);
    expect(changes.get('site-02')!.map((r) => r.rig).sort()).toEqual(state.rigsOf('site-02').map((r) => r.rig));
    expect(changes.get('site-02')![0]).toMatchObject({ status: 'online', status_reasons: [] });
    expect(state.takeChanges().size).toBe(0);
  });

  it('lists a rig once however often it changed, also when it was forgotten and came back before the take', () => {
    const model = new FleetModel({ sites: 1, rigsPerSite: 3, seed: 4, intervalMs: 5000, faultRate: 0, gpuEvery: 0 });
    let now = 1_700_000_000_000;
    const state = new FleetState({ rules: parseConfig({}).alerts.rules, missedIntervals: 3, siteNames: new Map(), now: () => now });
    const site = model.sites[0]!;
    for (let tick = 0; tick < 3; tick++) state.applySamples('ctl', model.samplesAt(site, tick, now + tick * 5000));
    const rigs = (changes: Map<string, { rig: string }[]>): string[] => [...changes.values()].flat().map((r) => r.rig).sort();
    const ids = state.rigsOf(site.id).map((r) => r.rig);
    expect(ids).toHaveLength(3);
    expect(rigs(state.takeChanges())).toEqual(ids);
    // One rig goes offline and is forgotten, then reports again: all before the next take.
    const [gone] = model.samplesAt(site, 3, now + 15_000).filter((s) => s.rig === ids[0]);
    state.applyStatus(site.id, 'ctl', { schema: 1, state: 'offline', ts: now + 16_000, agent: null, firmware: null, reason: 'agent stopped' });
    now += 10 * 60_000;
    expect(state.forget(60_000)).toBe(3);
    state.applySamples('ctl', [gone!]);
    state.applySamples('ctl', model.samplesAt(site, 4, now).filter((s) => s.rig === ids[0]));
    expect(rigs(state.takeChanges())).toEqual([ids[0]]);
    expect(state.takeChanges().size).toBe(0);
  });
});
