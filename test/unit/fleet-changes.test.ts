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
});
