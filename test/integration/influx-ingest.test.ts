import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import type { ConfigInput } from '../../server/config/schema.js';
import type { InfluxStoreStats } from '../../server/store/influx/store.js';
import { influxCount, influxRows } from '../helpers/influx.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startInfluxDb, startMosquitto, type Service } from '../helpers/services.js';

const available = hasService('mosquitto', 'mosquitto') && hasService('influxd', 'influxdb');

/** Full path: simulator agents (the real Publisher) → Mosquitto → rigline → InfluxDB → history API. */
describe.skipIf(!available)('ingest into InfluxDB through real Mosquitto', () => {
  let mosquitto: Service;
  let influx: Service;
  let rigline: Rigline | null = null;
  let sim: SimulatorRunner | null = null;
  let db = '';
  let dbIndex = 0;
  const model = new FleetModel({ sites: 2, rigsPerSite: 100, seed: 11, intervalMs: 1000, faultRate: 0, gpuEvery: 25 });
  const t0 = Math.floor(Date.now() / 1000) * 1000;
  let tick = 0;

  const server = (maxBuffered: number): Promise<Rigline> =>
    startTestServer({
      mqtt: { mode: 'external', url: mosquitto.url, client_id: `rigline-test-${db}` },
      store: {
        kind: 'influxdb1',
        site_rollup_interval_ms: 3_600_000,
        influxdb: { url: influx.url, database: db, flush_interval_ms: 100, max_buffered_samples: maxBuffered, retry: { initial_ms: 200, max_ms: 1000 } },
      },
    } satisfies ConfigInput);
  const stats = (): InfluxStoreStats => (rigline as Rigline).store.stats() as InfluxStoreStats;
  /** Publishes one tick for every rig, one simulated second apart, and waits until the server has ingested it. */
  const publishTicks = async (n: number): Promise<number> => {
    let published = 0;
    for (let i = 0; i < n; i++) published += await (sim as SimulatorRunner).tick(t0 + tick++ * 1000);
    return published;
  };
  const ingested = (count: number): Promise<true> =>
    waitFor(() => ((rigline as Rigline).counters.stored >= count ? true : undefined), 20_000, `${count} samples ingested`);
  const stored = async (): Promise<number> => influxCount(influx, db, '"raw"."rig"');

  beforeAll(async () => {
    [mosquitto, influx] = await Promise.all([startMosquitto(), startInfluxDb()]);
  });
  afterAll(async () => {
    await mosquitto?.dispose();
    await influx?.dispose();
  });
  beforeEach(async () => {
    db = `ingest${dbIndex++}`;
    tick = 0;
    rigline = await server(100_000);
    sim = new SimulatorRunner(model, { url: mosquitto.url });
    expect(await sim.waitConnected(10_000)).toBe(true);
  });
  afterEach(async () => {
    await sim?.stop();
    await rigline?.stop();
  });

  it('keeps every sample through a 20 s InfluxDB outage and serves them in the history API', async () => {
    let published = await publishTicks(3);
    await ingested(published);
    await waitFor(async () => ((await stored()) === published ? true : undefined), 10_000, 'first samples stored');

    await influx.stop();
    const outageStart = Date.now();
    while (Date.now() - outageStart < 20_000) {
      published += await publishTicks(1);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await ingested(published);
    expect(stats().buffered).toBeGreaterThan(0);
    expect(stats().retries).toBeGreaterThan(0);
    await influx.start();
    published += await publishTicks(2);

    await waitFor(() => (stats().buffered === 0 ? true : undefined), 30_000, 'buffer drained');
    expect(await stored()).toBe(published);
    const { body: health } = await getJson<{ store: InfluxStoreStats }>(rigline as Rigline, '/api/health');
    expect(health.store).toMatchObject({ kind: 'influxdb', dropped: 0, written: published, buffered: 0, rejected: 0 });

    // Every tick of one rig, outage included, comes back from the history API with the value the agent sent.
    const rig = model.sites[1]!.rigs[6]!;
    const { body } = await getJson<{ points: { ts: number; value: number | null }[] }>(
      rigline as Rigline,
      `/api/rigs/${rig.id}/series?metric=power_kw&from=${t0}&to=${t0 + tick * 1000}&step=1`,
    );
    const expected = Array.from({ length: tick }, (_, i) => {
      const sample = model.samplesAt(model.sites[1]!, i, t0 + i * 1000).find((s) => s.rig === rig.id);
      return { ts: t0 + i * 1000, value: (sample?.power_w as number) / 1000 };
    });
    expect(body.points).toEqual(expected);
  }, 90_000);

  it('reports exactly how many samples an undersized buffer dropped', async () => {
    await rigline?.stop();
    rigline = await server(500);
    let published = await publishTicks(2);
    await ingested(published);
    await waitFor(() => (stats().buffered === 0 && stats().written === published ? true : undefined), 10_000, 'drained');
    const before = published;

    await influx.stop();
    const during = await publishTicks(10); // 2000 samples for 500 places
    published += during;
    await ingested(published);
    expect(stats()).toMatchObject({ buffered: 500, dropped: during - 500 });
    await influx.start();
    await waitFor(() => (stats().buffered === 0 ? true : undefined), 30_000, 'buffer drained');

    expect(await stored()).toBe(before + 500);
    const { body } = await getJson<{ store: InfluxStoreStats }>(rigline as Rigline, '/api/health');
    expect(body.store).toMatchObject({ dropped: during - 500, written: before + 500, buffered: 0, buffered_peak: 500 });
  }, 90_000);

  it('loses nothing queued in Mosquitto while the server restarts', async () => {
    const before = await publishTicks(2);
    await ingested(before);
    await rigline?.stop(); // graceful: drains the buffer; the persistent session stays in Mosquitto
    rigline = null;
    const queued = await publishTicks(5);
    rigline = await server(100_000);
    await waitFor(() => ((rigline as Rigline).counters.stored === queued ? true : undefined), 20_000, 'queued samples');
    await waitFor(() => (stats().buffered === 0 ? true : undefined), 10_000, 'drained');
    expect(await stored()).toBe(before + queued);
    // Each of the 200 rigs has all 7 ticks, once.
    const [minRow] = await influxRows(influx, db, `SELECT min("n"), max("n") FROM (SELECT count("interval_s") AS "n" FROM "raw"."rig" GROUP BY "rig")`);
    expect(minRow?.slice(1)).toEqual([7, 7]);
  }, 60_000);
});
