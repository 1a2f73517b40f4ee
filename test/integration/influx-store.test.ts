import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { AsicSample, GpuSample, Sample } from '../../server/contract/index.js';
import { tagValue } from '../../server/store/influx/line-protocol.js';
import { encodeSample } from '../../server/store/influx/schema.js';
import { sampleMetrics } from '../../server/store/metrics.js';
import { InfluxStore, type InfluxStoreOptions } from '../../server/store/influx/store.js';
import { influxCount, influxRows } from '../helpers/influx.js';
import { hasService, startInfluxDb, type Service } from '../helpers/services.js';

const HOUR = 3_600_000;

export function storeOptions(influx: Service, database: string, extra: Partial<InfluxStoreOptions> = {}): InfluxStoreOptions {
  return {
    api: 'v1',
    url: influx.url,
    database,
    manageRetention: true,
    retention: { raw: '30d', rollup_1m: '90d', rollup_1h: 'INF' },
    rollup1mFromRangeMs: HOUR,
    rollup1hFromRangeMs: 2 * HOUR,
    batchPoints: 5000,
    flushIntervalMs: 50,
    maxBufferedSamples: 100_000,
    concurrency: 2,
    retry: { initialMs: 100, maxMs: 1000 },
    timeoutMs: 5000,
    log: pino({ level: 'silent' }),
    ...extra,
  };
}

describe.skipIf(!hasService('influxd', 'influxdb'))('InfluxDB store against real InfluxDB 1.x', () => {
  let influx: Service;
  beforeAll(async () => {
    influx = await startInfluxDb();
  });
  afterAll(async () => influx?.dispose());

  it('creates retention policies and continuous queries idempotently', async () => {
    for (let i = 0; i < 2; i++) {
      const store = new InfluxStore(storeOptions(influx, 'setup'));
      await store.start();
      await store.close();
    }
    const rps = await influxRows(influx, 'setup', 'SHOW RETENTION POLICIES ON "setup"');
    const byName = new Map(rps.map((r) => [r[0], r]));
    expect(byName.get('raw')?.[1]).toBe('720h0m0s');
    expect(byName.get('raw')?.[4]).toBe(true); // the default
    expect(byName.get('rollup_1m')?.[1]).toBe('2160h0m0s');
    expect(byName.get('rollup_1h')?.[1]).toBe('0s'); // INF
    const res = await fetch(`${influx.url}/query?q=${encodeURIComponent('SHOW CONTINUOUS QUERIES')}`);
    const body = (await res.json()) as { results: { series: { name: string; values?: string[][] }[] }[] };
    const cqs = body.results[0]?.series.find((s) => s.name === 'setup')?.values?.map((v) => v[0]).sort();
    // The server sums the rigs' 1-minute rollups itself: no rig 1-minute CQ (minute-rollups.ts says why).
    expect(cqs).toEqual(['rigline_rig_1h_v2', 'rigline_site_1h_v2', 'rigline_site_1m_v2']);
    // Instances that split ingest need the CQ; switching back drops it again.
    const cqsAfter = async (by: 'server' | 'continuous_query'): Promise<string[]> => {
      const s = new InfluxStore(storeOptions(influx, 'setup', { minuteRollupsBy: by }));
      await s.start();
      await s.close();
      const r = await fetch(`${influx.url}/query?q=${encodeURIComponent('SHOW CONTINUOUS QUERIES')}`);
      const b = (await r.json()) as { results: { series: { name: string; values?: string[][] }[] }[] };
      return (b.results[0]?.series.find((x) => x.name === 'setup')?.values?.map((v) => v[0] as string) ?? []).sort();
    };
    expect(await cqsAfter('continuous_query')).toEqual(['rigline_rig_1h_v2', 'rigline_rig_1m_v2', 'rigline_site_1h_v2', 'rigline_site_1m_v2']);
    expect(await cqsAfter('server')).toEqual(['rigline_rig_1h_v2', 'rigline_site_1h_v2', 'rigline_site_1m_v2']);

    // A changed retention is applied on the next start.
    const store = new InfluxStore(storeOptions(influx, 'setup', { retention: { raw: '14d', rollup_1m: '90d', rollup_1h: 'INF' } }));
    await store.start();
    await store.close();
    const after = await influxRows(influx, 'setup', 'SHOW RETENTION POLICIES ON "setup"');
    expect(after.find((r) => r[0] === 'raw')?.[1]).toBe('336h0m0s');
  });

  it('stores hostile tag and field values exactly as documented', async () => {
    const store = new InfluxStore(storeOptions(influx, 'hostile'));
    await store.start();
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 1, intervalMs: 10_000, faultRate: 0, gpuEvery: 0 });
    const hostile = [
      'Antminer S19, "XP" = hyd',
      'a\\b\\,c\\',
      'tab\tnew\nline\r\u0000 end',
      ' spaced  out ',
      '=,= ,',
      'quote " and \\" slash',
      'ünïcödé 😀 🚀',
      'x'.repeat(300),
    ];
    const base = model.samplesAt(model.sites[0]!, 0, Date.now())[0] as AsicSample;
    const t0 = Date.now() - 60_000;
    const samples = hostile.map(
      (text, i): AsicSample => ({
        ...base,
        rig: `hostile-${i}`,
        ts: t0 + i,
        model: text,
        firmware: text,
        status_text: text,
        errors: [text, 'second'],
        pools: [{ ...base.pools[0]!, url: text, user: text }],
      }),
    );
    store.writeSamples(samples);
    await store.close();
    expect(store.stats()).toMatchObject({ written: hostile.length, dropped: 0, rejected: 0 });
    const rows = await influxRows(influx, 'hostile', 'SELECT "model", "firmware", "status_text", "errors", "rig" FROM "rig" ORDER BY time');
    expect(rows.map((r) => r.slice(1))).toEqual(
      hostile.map((text, i) => [tagValue(text), tagValue(text), text, `${text}\nsecond`, `hostile-${i}`]),
    );
    const pools = await influxRows(influx, 'hostile', 'SELECT "url", "user" FROM "pool" ORDER BY time');
    expect(pools.map((r) => r.slice(1))).toEqual(hostile.map((text) => [text, text]));
  });

  it('writes rig, board, pool, GPU and site points with the documented tags', async () => {
    const store = new InfluxStore(storeOptions(influx, 'schema'));
    await store.start();
    const model = new FleetModel({ sites: 1, rigsPerSite: 2, seed: 3, intervalMs: 10_000, faultRate: 0, gpuEvery: 2 });
    const [asic, gpu] = model.samplesAt(model.sites[0]!, 0, Date.now() - 1000) as [AsicSample, GpuSample];
    store.writeSamples([asic, gpu]);
    store.writeSiteRollups(Date.now(), [
      { id: 'site-01', name: 'Rockdale TX', rigs: { total: 2, online: 2, offline: 0, degraded: 0 }, hashrate_ths: 200, power_kw: 6.5, efficiency_jth: 21, gpus: { total: 8, online: 8, utilization_pct: 70 } },
    ]);
    await store.close();
    expect(await influxCount(influx, 'schema', '"rig"')).toBe(2);
    expect(await influxCount(influx, 'schema', '"board"', 'temp_c')).toBe(asic.boards.length);
    expect(await influxCount(influx, 'schema', '"pool"', 'accepted')).toBe(asic.pools.length);
    expect(await influxCount(influx, 'schema', '"gpu"', 'utilization_pct')).toBe(gpu.gpus.length);
    expect(await influxCount(influx, 'schema', '"site"', 'power_kw')).toBe(1);
    const tagKeys = async (m: string): Promise<string[]> =>
      (await influxRows(influx, 'schema', `SHOW TAG KEYS FROM "${m}"`)).map((r) => String(r[0])).sort();
    expect(await tagKeys('rig')).toEqual(['firmware', 'kind', 'model', 'rig', 'site']);
    expect(await tagKeys('board')).toEqual(['board', 'model', 'rig', 'site']);
    expect(await tagKeys('gpu')).toEqual(['gpu', 'model', 'rig', 'site']);
    expect(await tagKeys('pool')).toEqual(['pool', 'rig', 'site']);
    expect(await tagKeys('site')).toEqual(['site']);
    const [row] = await influxRows(influx, 'schema', `SELECT "uuid", "last_xid" FROM "gpu" WHERE "gpu" = '3'`);
    expect(row?.[1]).toBe(gpu.gpus[3]?.uuid);
  });

  it('writes the same 1-minute rollups the continuous query computes from raw points, and resumes after a restart', async () => {
    const MIN = 60_000;
    // A clock the test moves: the store starts in minute T, sees samples for T and T+1, closes both at T+2.
    const T = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;
    let now = T + 1000;
    const options = storeOptions(influx, 'minutes', { rollupGraceMs: 0, clock: () => now });
    const store = new InfluxStore(options);
    await store.start();
    // The simulator schedules faults by time window, and T moves with the clock: the first seed whose fleet has, in
    // these two minutes, both rig-minutes with values and faults (offline rigs send nothing; others report no
    // figures) is the fixture, so what it covers does not depend on when the test runs.
    const fixture = (seed: number): Sample[] => {
      const model = new FleetModel({ sites: 1, rigsPerSite: 6, seed, intervalMs: 10_000, faultRate: 0.2, gpuEvery: 3 });
      return [0, 1, 2, 3, 4, 5, 6, 7].flatMap((tick) => model.samplesAt(model.sites[0]!, tick, T + 1000 + tick * 14_000));
    };
    const hasValues = (x: Sample): boolean => Object.values(sampleMetrics(x)).some((v) => v !== null);
    let seed = 5;
    while (seed < 105 && !(new Set(fixture(seed).filter(hasValues).map((x) => `${x.rig}@${Math.floor(x.ts / MIN)}`)).size > 6 && fixture(seed).length < 6 * 8)) seed++;
    const samples = fixture(seed);
    store.writeSamples(samples);
    await store.drain(5000);
    now = T + 2 * MIN;
    store.closeMinutes(now); // both minutes end: their rollups, then the progress point, are queued
    await store.rollupBuffer!.drain(5000);
    const q = `SELECT * FROM "rollup_1m"."rig" WHERE time >= ${T}ms AND time < ${T + 2 * MIN}ms ORDER BY time`;
    const byServer = await influxRows(influx, 'minutes', q);
    // One row per rig and minute that had a chartable value (an offline rig's samples have none).
    const withValues = new Set(samples.filter(hasValues).map((x) => `${x.rig}@${Math.floor(x.ts / MIN)}`));
    expect(withValues.size).toBeGreaterThan(6);
    expect(samples.length).toBeLessThan(6 * 8); // some rig was offline
    expect(byServer).toHaveLength(withValues.size);
    const progress = await influxRows(influx, 'minutes', 'SELECT "through_ms" FROM "rollup_1m"."rollup_progress"');
    expect(progress.at(-1)?.[1]).toBe(T + 2 * MIN);
    // /api/health shows them: every rig-minute point and the progress point written, no rig left open.
    expect(store.stats().minute_rollups).toMatchObject({ rigs_open: 0, points_written: withValues.size + 1, writes_dropped: 0, last_error: null });
    // The same range recomputed by InfluxDB from the raw points (the CQ's statement) gives the same rows.
    await store.backfill(T, T + 2 * MIN);
    const byInflux = await influxRows(influx, 'minutes', q);
    expect(byInflux).toHaveLength(byServer.length);
    byInflux.forEach((row, i) => row.forEach((v, j) => (typeof v === 'number' ? expect(byServer[i]?.[j]).toBeCloseTo(v, 9) : expect(byServer[i]?.[j]).toEqual(v))));
    await store.close();

    // The previous run wrote a raw point after its last progress point and died before closing that minute.
    const rig = samples[0]!;
    const unclosed = { ...rig, ts: T + 2 * MIN + 5000, power_w: 4321 };
    const write = await fetch(`${influx.url}/write?db=minutes&rp=raw&precision=ms`, { method: 'POST', body: encodeSample(unclosed).lines });
    expect(write.status).toBe(204);
    // A new run resumes from the progress point: minutes after it are recomputed once the minute it started in closes.
    now = T + 2 * MIN + 30_000;
    const restarted = new InfluxStore(options);
    await restarted.start();
    const minuteQ = `SELECT "power_kw_sum", "power_kw_count" FROM "rollup_1m"."rig" WHERE "rig" = '${rig.rig}' AND time = ${T + 2 * MIN}ms`;
    await restarted.backfillLate(T + 2 * MIN + 50_000);
    expect(await influxRows(influx, 'minutes', minuteQ)).toEqual([]);
    await restarted.backfillLate(T + 3 * MIN + 5000);
    expect(await influxRows(influx, 'minutes', minuteQ)).toEqual([[T + 2 * MIN, 4.321, 1]]);
    await restarted.close();
  });
});
