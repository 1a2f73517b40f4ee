import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parseConfig } from '../../server/config/load.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Sample } from '../../server/contract/index.js';
import { FleetState } from '../../server/fleet/state.js';
import { Counters } from '../../server/ingest/counters.js';
import { SeqDedupe } from '../../server/ingest/dedupe.js';
import { IngestPipeline, type PipelineLimits } from '../../server/ingest/pipeline.js';
import { RigSites } from '../../server/ingest/rig-sites.js';
import { runCli } from '../../server/auth/cli.js';
import { waitFor } from '../helpers/server.js';
import { MemoryStore } from '../../server/store/memory.js';

const NOW = 1_800_000_000_000;
const template = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 3, intervalMs: 10_000, faultRate: 0, gpuEvery: 0 });
const sample = (site: string, rig: string, ts: number, extra: Partial<Sample> = {}): Sample =>
  ({ ...template.samplesAt(template.sites[0]!, 0, ts)[0]!, site, rig, ts, interval_s: 10, ...extra }) as Sample;

const DEFAULTS: PipelineLimits = { maxFutureSkewMs: 30_000, maxAgeMs: 7 * 86_400_000, maxRigsPerAgent: 100, maxRigsPerSite: 100 };

function setup(limits: Partial<PipelineLimits> = {}, file: string | null = null) {
  let now = NOW;
  const counters = new Counters();
  const state = new FleetState({ missedIntervals: 3, siteNames: new Map(), rules: parseConfig({}).alerts.rules, now: () => now });
  const store = new MemoryStore(100);
  const rigSites = new RigSites(file);
  const pipeline = new IngestPipeline({
    limits: { ...DEFAULTS, ...limits },
    counters,
    state,
    store,
    dedupe: new SeqDedupe(),
    rigSites,
    agentRefusal: () => null,
    log: pino({ level: 'silent' }),
    now: () => now,
  });
  const batch = (site: string, source: string, samples: Sample[]) => pipeline.accept({ ok: true, kind: 'telemetry', site, source, samples });
  return { counters, state, store, rigSites, pipeline, batch, tick: (ms: number) => (now += ms) };
}

describe('ingest pipeline: time checks', () => {
  it('refuses a sample stamped beyond the skew as clock_skew: not stored, not applied, and honest samples still count', () => {
    const { batch, counters, state, store } = setup();
    batch('site-a', 'rig-1', [sample('site-a', 'rig-1', NOW + 3_600_000, { power_w: 1 })]);
    expect(counters.invalidCount('clock_skew')).toBe(1);
    expect(state.rig('rig-1')).toBeNull();
    expect(store.stats().written).toBe(0);
    batch('site-a', 'rig-1', [sample('site-a', 'rig-1', NOW)]);
    expect(state.rig('rig-1')?.ts).toBe(NOW);
    // A year-2100 stamp cannot freeze the rig either.
    batch('site-a', 'rig-1', [sample('site-a', 'rig-1', Date.UTC(2100, 0, 1))]);
    batch('site-a', 'rig-1', [sample('site-a', 'rig-1', NOW + 1000)]);
    expect(state.rig('rig-1')?.ts).toBe(NOW + 1000);
    expect(counters.invalidCount('clock_skew')).toBe(2);
    expect(counters.stored).toBe(2);
  });

  it('takes a sample just inside the skew, and refuses one older than raw retention as too_old', () => {
    const { batch, counters } = setup();
    batch('site-a', 'rig-1', [sample('site-a', 'rig-1', NOW + 29_000)]);
    batch('site-a', 'rig-2', [sample('site-a', 'rig-2', NOW - 8 * 86_400_000, { historical: true, seq: 1 })]);
    expect(counters.stored).toBe(1);
    expect(counters.invalidCount('too_old')).toBe(1);
  });
});

describe('ingest pipeline: rig ownership and bounds', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('refuses another site naming a rig whether the rig is online or offline, and keeps the owner across restarts', () => {
    dir = mkdtempSync(join(tmpdir(), 'rigline-rigsites-'));
    const file = join(dir, 'rig-sites.jsonl');
    const first = setup({}, file);
    first.batch('site-b', 'ctl-b', [sample('site-b', 'rig-1', NOW)]);
    first.batch('site-a', 'ctl-a', [sample('site-a', 'rig-1', NOW)]);
    expect(first.counters.invalidCount('rig_site_conflict')).toBe(1);
    first.tick(60 * 60_000);
    first.state.sweep();
    expect(first.state.rig('rig-1')?.status).toBe('offline');
    first.batch('site-a', 'ctl-a', [sample('site-a', 'rig-1', NOW + 60 * 60_000)]);
    expect(first.counters.invalidCount('rig_site_conflict')).toBe(2);
    expect(first.state.rig('rig-1')?.site).toBe('site-b');

    // A restart reads the owner back.
    const second = setup({}, file);
    second.batch('site-a', 'ctl-a', [sample('site-a', 'rig-1', NOW)]);
    expect(second.counters.invalidCount('rig_site_conflict')).toBe(1);
    expect(second.state.rig('rig-1')).toBeNull();

    // An admin's move is appended and wins on the next start too.
    expect(second.rigSites.move('rig-1', 'site-a', 'root')).toBe('site-b');
    second.batch('site-a', 'ctl-a', [sample('site-a', 'rig-1', NOW)]);
    expect(second.state.rig('rig-1')?.site).toBe('site-a');
    expect(new RigSites(file).siteOf('rig-1')).toBe('site-a');
    expect(readFileSync(file, 'utf8')).toMatch(/"by":"root"/);
  });

  it('moves a rig from the CLI, and a running server picks the move up', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rigline-rigsites-'));
    const file = join(dir, 'rig-sites.jsonl');
    const running = setup({}, file);
    running.rigSites.watch();
    running.batch('site-b', 'ctl-b', [sample('site-b', 'rig-9', NOW)]);
    const lines: string[] = [];
    expect(await runCli(['rigs', 'move', 'rig-9', '--site', 'site-a', '--file', file], {}, (l) => lines.push(l), (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/rig rig-9 moved from site-b to site-a/);
    await waitFor(() => (running.rigSites.siteOf('rig-9') === 'site-a' ? true : undefined), 10_000, 'move picked up');
    running.rigSites.close();
  });

  it('caps distinct rig ids per agent and per site (rig_limit), and varying the source does not get around it', () => {
    const { batch, counters, state } = setup({ maxRigsPerAgent: 3, maxRigsPerSite: 5 });
    batch('site-a', 'ctl-1', ['r1', 'r2', 'r3', 'r4'].map((rig) => sample('site-a', rig, NOW)));
    expect(counters.invalidCount('rig_limit')).toBe(1);
    // Known rigs keep flowing.
    batch('site-a', 'ctl-1', ['r1', 'r2', 'r3'].map((rig) => sample('site-a', rig, NOW + 1)));
    expect(counters.invalidCount('rig_limit')).toBe(1);
    for (let i = 0; i < 10; i++) batch('site-a', `src-${i}`, [sample('site-a', `x${i}`, NOW)]);
    expect(state.siteRigCount('site-a')).toBe(5);
    expect(counters.invalidCount('rig_limit')).toBe(1 + 8);
  });

  it('forgets rigs offline for longer than forget_after from live state', () => {
    const { batch, state, tick } = setup();
    batch('site-a', 'rig-1', [sample('site-a', 'rig-1', NOW)]);
    tick(60_000);
    state.sweep();
    expect(state.forget(7 * 86_400_000)).toBe(0);
    tick(7 * 86_400_000);
    expect(state.forget(7 * 86_400_000)).toBe(1);
    expect(state.rig('rig-1')).toBeNull();
    expect(state.site('site-a')).toBeNull();
  });
});
