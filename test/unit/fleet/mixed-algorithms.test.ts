import { describe, expect, it } from 'vitest';
import { RigHealth } from '../../../server/fleet/health.js';
import { parseConfig } from '../../../server/config/load.js';
import { buildAsicSample, parseMinerJson, type MinerReplies } from '../../../agents/cgminer/index.js';
import { AsicSample } from '../../../server/contract/index.js';
import { rigRow } from '../../../server/fleet/rig-table.js';
import { FleetState } from '../../../server/fleet/state.js';
import { loadRecordings } from '../../helpers/fake-miner.js';
import { DEVICES, FAMILY_DEVICES } from '../../agents/recordings.js';

/** A site with a bitcoin miner and a Litecoin (Scrypt) miner: only the bitcoin one counts in its PH/s. */
const now = 1_700_000_000_000;

function sampleOf(files: Record<string, string>, rig: string): AsicSample {
  const replies: MinerReplies = Object.fromEntries(
    Object.entries(loadRecordings(files)).map(([command, bytes]) => [command, parseMinerJson(bytes) as Record<string, unknown>]),
  );
  return buildAsicSample(replies, { site: 'mixed', rig, ts: now, intervalS: 30 });
}

function stateWith(samples: AsicSample[]): FleetState {
  const state = new FleetState({ rules: parseConfig({}).alerts.rules, missedIntervals: 3, siteNames: new Map(), now: () => now });
  state.applySamples('site-controller', samples);
  return state;
}

describe('a mixed site with a Scrypt miner', () => {
  const s19 = sampleOf(DEVICES.antminerStock, 's19-pro');
  const l3 = sampleOf(FAMILY_DEVICES.l3Plus, 'l3-plus');

  it('the agent reports the L3+ as scrypt, in H/s, with no TH/s', () => {
    expect(l3).toMatchObject({ algorithm: 'scrypt', hashrate_5s_ths: null, hashrate_avg_ths: null, algo_hashrate_unit: 'H/s' });
    expect(l3.algo_hashrate_5s).toBeCloseTo(504.56e6, 0);
    expect(s19.algorithm).toBe('sha256');
  });

  it('site and fleet bitcoin totals exclude it; power still counts (the site pays for it)', () => {
    const state = stateWith([s19, l3]);
    const site = state.site('mixed');
    expect(site?.rigs.total).toBe(2);
    expect(site?.hashrate_ths).toBeCloseTo(110.567, 3);
    expect(state.fleet().hashrate_ths).toBeCloseTo(110.567, 3);
    // J/TH over the bitcoin miner alone: 3261.7 W / 110.567 TH/s.
    expect(site?.efficiency_jth).toBeCloseTo(29.5, 1);
    expect(site?.power_kw).toBeCloseTo(((s19.power_w ?? 0) + (l3.power_w ?? 0)) / 1000, 3);
  });

  it('a forged sample labelled scrypt that also claims TH/s is still left out', () => {
    const forged = AsicSample.parse({ ...l3, rig: 'forged', hashrate_5s_ths: 500, hashrate_avg_ths: 500 });
    const state = stateWith([s19, forged]);
    expect(state.site('mixed')?.hashrate_ths).toBeCloseTo(110.567, 3);
  });

  it('the rigs table shows it apart: no TH/s, its own rate and algorithm', () => {
    const state = stateWith([s19, l3]);
    const row = state.rigsOf('mixed').find((r) => r.rig === 'l3-plus');
    expect(row).toBeDefined();
    const record = { sample: l3, lastSeen: now, source: 'site-controller', status: 'online' as const, reasons: [], details: [], statusSince: now, offlineCause: null, health: new RigHealth(parseConfig({}).alerts.rules) };
    expect(rigRow('l3-plus', record)).toMatchObject({ hashrate_ths: null, algorithm: 'scrypt', algo_hashrate_unit: 'H/s' });
    expect(rigRow('s19-pro', { ...record, sample: s19 }).algorithm).toBeUndefined();
  });
});
