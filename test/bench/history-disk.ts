import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetModel } from '../../agents/sim/simulator.js';
import { parseConfig } from '../../server/config/load.js';
import { rollup } from '../../server/fleet/rollup.js';
import { SqliteStore } from '../../server/store/sqlite/store.js';

/**
 * `npm run bench:history`: the demo fleet (4 sites × 50 rigs, one in 25 a GPU node, a sample every 5 s, the
 * simulator's default fault rate) written into the default SQLite history store over a simulated week on an
 * accelerated clock: site rollups every 10 s, and a commit with maintenance every simulated minute. Prints the disk use and the time to answer a 7-day chart (rig and
 * site, median of 9), and the write rate. BENCH_DAYS and BENCH_RIGS_PER_SITE change the size.
 */
const DAYS = Number(process.env.BENCH_DAYS ?? 7);
const defaults = parseConfig({});
const sim = defaults.sim;
const RIGS_PER_SITE = Number(process.env.BENCH_RIGS_PER_SITE ?? sim.rigs_per_site);
const sqlite = defaults.store.sqlite;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rigline-bench-history-'));
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const start = end - DAYS * 86_400_000;
  const clock = { t: start };
  const model = new FleetModel({ sites: sim.sites, rigsPerSite: RIGS_PER_SITE, seed: sim.seed, intervalMs: sim.interval_ms, faultRate: sim.fault_rate, gpuEvery: sim.gpu_every, startMs: start });
  const store = new SqliteStore({
    dir,
    retention: { rawMs: sqlite.raw_hours * 3_600_000, m1Ms: sqlite.rollup_1m_days * 86_400_000, h1Ms: sqlite.rollup_1h_days * 86_400_000 },
    maxBytes: sqlite.max_mb * 1024 * 1024,
    flushIntervalMs: sqlite.flush_interval_ms,
    maxBufferedSamples: sqlite.max_buffered_samples,
    now: () => clock.t,
  });
  const rigs = sim.sites * RIGS_PER_SITE;
  console.log(`demo fleet: ${sim.sites} sites × ${RIGS_PER_SITE} rigs, a sample every ${sim.interval_ms / 1000} s, ${DAYS} simulated days`);

  const t0 = performance.now();
  let samples = 0;
  // The simulator draws every figure afresh once a simulated minute; ticks in between repeat that minute's figures
  // at their own times, so the clock, not the simulator, sets the pace (the store's work per sample is the same).
  let fresh: ReturnType<FleetModel['samplesAt']>[] = [];
  for (let tick = 0; clock.t < end; tick++, clock.t += sim.interval_ms) {
    if (clock.t % 60_000 === 0 || fresh.length === 0) fresh = model.sites.map((site) => model.samplesAt(site, tick, clock.t));
    const ts = clock.t;
    const batches = fresh.map((batch) => batch.map((sample) => ({ ...sample, ts })));
    for (const batch of batches) store.writeSamples(batch);
    samples += rigs;
    if (clock.t % defaults.store.site_rollup_interval_ms === 0) {
      const sites = model.sites.map((site, i) => ({ id: site.id, name: site.name, ...rollup((batches[i] ?? []).map((sample) => ({ sample, status: 'online' as const }))) }));
      store.writeSiteRollups(clock.t, sites);
    }
    // One commit per simulated minute. The server commits once a wall-clock second (about 40 samples of the demo
    // fleet); on the accelerated clock a commit per tick would measure commit overhead, not the store's size or reads.
    if (clock.t % 60_000 === 0) store.maintain(clock.t);
    if ((clock.t - start) % 21_600_000 === 0 && clock.t > start) {
      console.log(`  ${((clock.t - start) / 86_400_000).toFixed(2)} d: ${mib(store.bytes())} in use, ${((performance.now() - t0) / 1000).toFixed(0)} s elapsed`);
    }
  }
  store.maintain(clock.t + 60_000);
  const writeS = (performance.now() - t0) / 1000;

  const query = async (scope: 'rig' | 'site', id: string): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const q0 = performance.now();
      const points = await store.series({ scope, id, metric: 'hashrate_ths', from: end - 7 * 86_400_000, to: end, stepMs: 2016_000 });
      times.push(performance.now() - q0);
      if (points.filter((p) => p.value !== null).length < points.length * 0.9 * Math.min(1, DAYS / 7)) throw new Error(`7-day ${scope} chart is missing data`);
    }
    return median(times);
  };
  const rigId = model.sites[0]?.rigs[0]?.id as string;
  const rigMs = await query('rig', rigId);
  const siteMs = await query('site', model.sites[0]?.id as string);
  const boardsQ0 = performance.now();
  await store.components(rigId, 'board', 'temp_c', { from: end - 7 * 86_400_000, to: end, stepMs: 2016_000 });
  const boardsMs = performance.now() - boardsQ0;
  const inUse = store.bytes();
  await store.close();
  const onDisk = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  rmSync(dir, { recursive: true, force: true });

  console.log(`samples written: ${samples.toLocaleString('en')} in ${writeS.toFixed(1)} s (${Math.round(samples / writeS).toLocaleString('en')} samples/s)`);
  console.log(`disk use after ${DAYS} days: ${mib(onDisk)} on disk (${mib(inUse)} in use; cap ${sqlite.max_mb} MiB)`);
  console.log(`7-day chart query (median of 9): rig ${rigMs.toFixed(1)} ms, site ${siteMs.toFixed(1)} ms; per-board 7-day chart ${boardsMs.toFixed(1)} ms`);
}

await main();
