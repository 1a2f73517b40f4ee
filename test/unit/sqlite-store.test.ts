import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { AsicSample } from '../../server/contract/index.js';
import { sampleMetrics } from '../../server/store/metrics.js';
import { SqliteStore, type SqliteStoreOptions } from '../../server/store/sqlite/store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 3, 1);

const model = new FleetModel({ sites: 1, rigsPerSite: 3, seed: 11, intervalMs: 60_000, faultRate: 0, gpuEvery: 0, startMs: T0 });
const site = model.sites[0]!;
const RIG = site.rigs[0]!.id;

const stores: SqliteStore[] = [];
function open(dir: string, clock: { t: number }, extra: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const store = new SqliteStore({
    dir,
    retention: { rawMs: DAY, m1Ms: 30 * DAY, h1Ms: 365 * DAY },
    maxBytes: 1 << 30,
    flushIntervalMs: 1000,
    maxBufferedSamples: 1_000_000,
    now: () => clock.t,
    ...extra,
  });
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
});

/** Writes one sample per rig per minute from `from` to `to`, running maintenance every hour as the timer would. */
function feed(store: SqliteStore, clock: { t: number }, from: number, to: number): AsicSample[] {
  const mine: AsicSample[] = [];
  for (let t = from, tick = 0; t < to; t += 60_000, tick++) {
    clock.t = t;
    const samples = model.samplesAt(site, tick, t) as AsicSample[];
    store.writeSamples(samples);
    mine.push(samples[0]!);
    if (t % HOUR === 0) store.maintain(t);
  }
  // A few seconds on, as the minute timer would run: the last minute is complete and handed to the rollups.
  clock.t = to + 5000;
  store.maintain(clock.t);
  return mine;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('SQLite history store', () => {
  it('answers raw, 1-minute and 1-hour ranges with the means of what was written, and survives a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigline-sqlite-'));
    const clock = { t: T0 };
    let store = open(dir, clock);
    const written = feed(store, clock, T0, T0 + 3 * DAY);
    const power = (from: number, to: number): number => mean(written.filter((s) => s.ts >= from && s.ts < to).map((s) => sampleMetrics(s).power_kw as number));

    const check = async (s: SqliteStore, from: number, to: number, stepMs: number): Promise<void> => {
      const points = await s.series({ scope: 'rig', id: RIG, metric: 'power_kw', from, to, stepMs });
      expect(points).toHaveLength(Math.ceil((to - from) / stepMs));
      points.forEach((p, i) => expect({ i, v: p.value }).toEqual({ i, v: expect.closeTo(power(p.ts, p.ts + stepMs), 6) }));
    };
    await check(store, T0 + 3 * DAY - HOUR, T0 + 3 * DAY, 120_000); // 1 h chart: raw
    await check(store, T0 + 2 * DAY, T0 + 3 * DAY, 288_000); // 24 h chart: 1-minute means
    await check(store, T0, T0 + 3 * DAY, 3 * HOUR); // longer: 1-hour means

    await store.close();
    stores.length = 0;
    store = open(dir, clock);
    await check(store, T0 + 2 * DAY, T0 + 3 * DAY, 288_000);
    await check(store, T0, T0 + 3 * DAY, 3 * HOUR);
    expect(store.has('rig', RIG)).toBe(true);
    expect(store.has('rig', 'nope')).toBe(false);
    expect(store.coverage()).toMatchObject({ kind: 'sqlite', durable: true, oldest: T0 });

    // Per-hashboard history: one series per board, its hashrate the board's own.
    const boards = await store.components(RIG, 'board', 'hashrate_ths', { from: T0 + 2 * DAY, to: T0 + 3 * DAY, stepMs: HOUR });
    expect(boards.map((b) => b.id)).toEqual(written[0]!.boards.map((b) => `b${b.index}`));
    const board0 = mean(written.filter((s) => s.ts >= T0 + 2 * DAY && s.ts < T0 + 2 * DAY + HOUR).map((s) => s.boards[0]!.hashrate_ths as number));
    expect(boards[0]!.points[0]!.value).toBeCloseTo(board0, 6);
    const fans = await store.components(RIG, 'fan', 'fan_rpm', { from: T0 + 2 * DAY, to: T0 + 3 * DAY, stepMs: HOUR });
    expect(fans).toHaveLength(written[0]!.fans_rpm.length);
  });

  it('keeps raw samples for its retention only; older ranges come from the rollups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigline-sqlite-'));
    const clock = { t: T0 };
    const store = open(dir, clock);
    feed(store, clock, T0, T0 + 2 * DAY + HOUR);
    expect(store.stats().pruned_rows).toBeGreaterThan(0);
    const day1 = await store.series({ scope: 'rig', id: RIG, metric: 'power_kw', from: T0, to: T0 + HOUR, stepMs: 60_000 });
    // Raw samples of day one are gone; its minutes are still there.
    expect(day1.filter((p) => p.value !== null)).toHaveLength(60);
  });

  it('skips and counts a torn write-ahead-log tail after a crash, keeping what was committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigline-sqlite-'));
    const crashed = mkdtempSync(join(tmpdir(), 'rigline-sqlite-crash-'));
    const clock = { t: T0 };
    const store = open(dir, clock);
    feed(store, clock, T0, T0 + 2 * HOUR);
    // A crash: the files as they are on disk while the store runs, then half a frame written when the power went.
    for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(crashed, f));
    expect(existsSync(join(crashed, 'history.db-wal'))).toBe(true);
    appendFileSync(join(crashed, 'history.db-wal'), Buffer.alloc(1500, 0xab));
    const recovered = open(crashed, clock);
    expect(recovered.stats().torn_wal_frames).toBeGreaterThanOrEqual(1);
    expect(recovered.stats().corrupt_files).toBe(0);
    const points = await recovered.series({ scope: 'rig', id: RIG, metric: 'power_kw', from: T0, to: T0 + 2 * HOUR, stepMs: 600_000 });
    expect(points.every((p) => p.value !== null)).toBe(true);
  });

  it('moves a corrupt database aside, counts it and starts again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigline-sqlite-'));
    writeFileSync(join(dir, 'history.db'), Buffer.alloc(8192, 0x5a));
    const clock = { t: T0 };
    const store = open(dir, clock);
    expect(store.stats().corrupt_files).toBe(1);
    expect(readdirSync(dir).some((f) => f.startsWith('history.db.corrupt-'))).toBe(true);
    feed(store, clock, T0, T0 + HOUR);
    expect((await store.series({ scope: 'rig', id: RIG, metric: 'power_kw', from: T0, to: T0 + HOUR, stepMs: 600_000 })).every((p) => p.value !== null)).toBe(true);
  });

  it('stays under its size cap by dropping the oldest data of the finest tier first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigline-sqlite-'));
    const clock = { t: T0 };
    const maxBytes = 300 * 1024;
    const store = open(dir, clock, { maxBytes });
    feed(store, clock, T0, T0 + 20 * HOUR);
    expect(store.stats().capped_rows).toBeGreaterThan(0);
    expect(store.bytes()).toBeLessThanOrEqual(maxBytes);
    // The newest hour is still whole.
    const last = await store.series({ scope: 'rig', id: RIG, metric: 'power_kw', from: T0 + 19 * HOUR, to: T0 + 20 * HOUR, stepMs: 600_000 });
    expect(last.every((p) => p.value !== null)).toBe(true);
  });
});

describe('acknowledgement after storage (issue 10: PUBACK once stored)', () => {
  it('calls onDurable only once the samples are committed, at once when dropped, never on close', async () => {
    const clock = { t: T0 };
    const dir = mkdtempSync(join(tmpdir(), 'rigline-sqlite-ack-'));
    const store = open(dir, clock, { maxBufferedSamples: 3 });
    const acks: string[] = [];
    const samples = model.samplesAt(site, 0, T0);
    store.writeSamples(samples, () => acks.push('first'));
    expect(acks).toEqual([]); // buffered, not yet on disk
    store.writeSamples(samples, () => acks.push('overflow')); // 3 + 3 > 3: dropped, counted, acknowledged
    expect(acks).toEqual(['overflow']);
    expect(store.stats().dropped).toBe(samples.length);
    await store.drain();
    expect(acks).toEqual(['overflow', 'first']);
    expect(await store.series({ scope: 'rig', id: RIG, metric: 'power_kw', from: T0 - 1000, to: T0 + 1000, stepMs: 1000 })).toContainEqual(expect.objectContaining({ ts: T0 }));
    store.writeSamples(samples, () => acks.push('at close'));
    await store.close();
    expect(acks).not.toContain('at close');
  });
});
