import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { AsicSample, GpuSample } from '../../server/contract/index.js';
import { tagValue } from '../../server/store/influx/line-protocol.js';
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
    expect(cqs).toEqual(['rigline_rig_1h_v1', 'rigline_rig_1m_v1', 'rigline_site_1h_v1', 'rigline_site_1m_v1']);

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
});
