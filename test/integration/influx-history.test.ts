import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import type { AsicSample } from '../../server/contract/index.js';
import type { InfluxStore } from '../../server/store/influx/store.js';
import { influxRows } from '../helpers/influx.js';
import { getJson, startTestServer } from '../helpers/server.js';
import { hasService, startInfluxDb, type Service } from '../helpers/services.js';

const HOUR = 3_600_000;
const RIG = 'site-01-r00001';

interface SeriesBody {
  points: { ts: number; value: number | null }[];
}

/** Known inputs: one sample every 20 s for 3 hours, power varying in a pattern that is not periodic per bucket. */
function knownSamples(base: AsicSample, t0: number): AsicSample[] {
  return Array.from({ length: (3 * HOUR) / 20_000 }, (_, i) => ({ ...base, ts: t0 + i * 20_000, seq: i, power_w: 3000 + ((i * 7) % 37) * 13 }));
}

/** The answer computed from the inputs: mean power in kW per step-aligned bucket over [from, to). */
function expectedMeans(samples: AsicSample[], from: number, to: number, step: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let t = Math.floor(from / step) * step; t < to; t += step) {
    const inBucket = samples.filter((s) => s.ts >= Math.max(t, from) && s.ts < Math.min(t + step, to));
    out.push(inBucket.length ? inBucket.reduce((sum, s) => sum + (s.power_w as number) / 1000, 0) / inBucket.length : null);
  }
  return out;
}

function expectClose(actual: (number | null)[], expected: (number | null)[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    const e = expected[i] ?? null;
    if (e === null) expect(v).toBeNull();
    else expect(v).toBeCloseTo(e, 9);
  });
}

describe.skipIf(!hasService('influxd', 'influxdb'))('history API over InfluxDB 1.x: raw and rollups', () => {
  let influx: Service;
  let rigline: Rigline;
  let store: InfluxStore;
  let samples: AsicSample[];
  const t0 = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
  const series = async (from: number, to: number, stepS: number): Promise<(number | null)[]> => {
    const { status, body } = await getJson<SeriesBody>(rigline, `/api/rigs/${RIG}/series?metric=power_kw&from=${from}&to=${to}&step=${stepS}`);
    expect(status).toBe(200);
    return body.points.map((p) => p.value);
  };

  beforeAll(async () => {
    influx = await startInfluxDb();
    rigline = await startTestServer({
      store: {
        kind: 'influxdb1',
        site_rollup_interval_ms: 3_600_000,
        influxdb: { url: influx.url, database: 'hist', rollup_1m_from_range_ms: HOUR, rollup_1h_from_range_ms: 2 * HOUR, flush_interval_ms: 50, rollup_grace_ms: 1000 },
      },
    });
    store = rigline.store as InfluxStore;
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 9, intervalMs: 20_000, faultRate: 0, gpuEvery: 0 });
    samples = knownSamples(model.samplesAt(model.sites[0]!, 0, t0)[0] as AsicSample, t0);
    rigline.store.writeSamples(samples);
    await store.drain(10_000);
    await store.backfill(t0, t0 + 3 * HOUR);
  });
  afterAll(async () => {
    await rigline?.stop();
    await influx?.dispose();
  });

  it('answers short ranges from raw points', async () => {
    const [from, to] = [t0 + 7 * 60_000 + 5000, t0 + 37 * 60_000];
    expectClose(await series(from, to, 300), expectedMeans(samples, from, to, 300_000));
  });

  it('answers long ranges from the 1-minute and 1-hour rollups with the exact means', async () => {
    const rollup1m = await influxRows(influx, 'hist', `SELECT "power_kw_count" FROM "rollup_1m"."rig" WHERE time >= ${t0}ms AND time < ${t0 + HOUR}ms`);
    expect(rollup1m).toHaveLength(60);
    expect(rollup1m.every((r) => r[1] === 3)).toBe(true);
    expectClose(await series(t0, t0 + 90 * 60_000, 600), expectedMeans(samples, t0, t0 + 90 * 60_000, 600_000));
    expectClose(await series(t0, t0 + 3 * HOUR, 3600), expectedMeans(samples, t0, t0 + 3 * HOUR, HOUR));
    // Buckets past the data are null, not zero, for a rig the server knows (an unknown id is a 404: history-api.test.ts).
    rigline.state.applySamples('test', [samples.at(-1)!]);
    expect(await series(t0 + 3 * HOUR, t0 + 5 * HOUR, 3600)).toEqual([null, null]);
  });

  it('reads the rollup, not raw points, for long ranges (a late raw point shows only after a backfill)', async () => {
    const late: AsicSample = { ...samples[0]!, ts: t0 + HOUR + 1000, power_w: 1_000_000 };
    rigline.store.writeSamples([late]);
    await store.drain(10_000);
    const withLate = [...samples, late];
    expectClose(await series(t0 + HOUR, t0 + HOUR + 30 * 60_000, 600), expectedMeans(withLate, t0 + HOUR, t0 + HOUR + 30 * 60_000, 600_000));
    expectClose(await series(t0, t0 + 3 * HOUR, 3600), expectedMeans(samples, t0, t0 + 3 * HOUR, HOUR));
    await store.backfill(t0 + HOUR, t0 + 2 * HOUR);
    expectClose(await series(t0, t0 + 3 * HOUR, 3600), expectedMeans(withLate, t0, t0 + 3 * HOUR, HOUR));
  });

  it('rolls up live data when the minute ends (the server sums it: no rig continuous query)', async () => {
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 9, intervalMs: 20_000, faultRate: 0, gpuEvery: 0 });
    const now = Date.now();
    const minute = Math.floor(now / 60_000) * 60_000;
    const live = [0, 1, 2].map((i) => ({ ...(model.samplesAt(model.sites[0]!, i, minute)[0] as AsicSample), rig: 'live-rig', ts: minute + i, power_w: 1000 * (i + 1) }));
    rigline.store.writeSamples(live);
    await store.drain(10_000);
    const q = `SELECT "power_kw_sum", "power_kw_count" FROM "rollup_1m"."rig" WHERE "rig" = 'live-rig'`;
    const deadline = minute + 60_000 + 20_000;
    let rows: unknown[][] = [];
    while (Date.now() < deadline && rows.length === 0) {
      await new Promise((r) => setTimeout(r, 1000));
      rows = await influxRows(influx, 'hist', q);
    }
    expect(rows).toEqual([[minute, 6, 3]]);
  }, 120_000);

  it('rolls up by itself points written after their minute was closed', async () => {
    const ts = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
    rigline.store.writeSamples([{ ...samples[0]!, rig: 'late-rig', ts, power_w: 2000 }]);
    await store.drain(10_000);
    await store.backfillLate();
    const rows = await influxRows(influx, 'hist', `SELECT "power_kw_sum", "power_kw_count" FROM "rollup_1m"."rig" WHERE "rig" = 'late-rig'`);
    expect(rows).toEqual([[ts, 2, 1]]);
  });
});
