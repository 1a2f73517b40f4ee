import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Publisher } from '../../agents/publisher/publisher.js';
import { FleetModel, SIM_AGENT } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import type { InfluxStoreStats } from '../../server/store/influx/store.js';
import { influxCount } from '../helpers/influx.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startInfluxDb, startMosquitto, type Service } from '../helpers/services.js';

/**
 * InfluxDB outage, in the style of faults.test.ts: the real Publisher sends ticks of a small fleet at QoS 1 through
 * real Mosquitto to a server writing to real influxd; influxd is stopped for ~15 s mid-run and started again. The
 * server buffers what it cannot write (store.influxdb.max_buffered_samples) and retries. "Stored" is counted in
 * InfluxDB itself (rig points in the raw retention policy; a point is keyed by rig and time, so a redelivered sample
 * overwrites rather than adds), not by the server's own counters.
 */
const model = new FleetModel({ sites: 1, rigsPerSite: 50, seed: 7, intervalMs: 600_000, faultRate: 0, gpuEvery: 10, startMs: Date.now() - 7_200_000 });
const site = model.sites[0]!;
const OUTAGE_MS = 15_000;

describe.skipIf(!(hasService('mosquitto', 'mosquitto') && hasService('influxd', 'influxdb')))('fault: InfluxDB outage (real Mosquitto + influxd)', () => {
  let broker: Service;
  let influx: Service;
  let server: Rigline;
  let agent: Publisher;
  const db = 'faults';

  beforeAll(async () => {
    [broker, influx] = await Promise.all([startMosquitto({ persistence: true }), startInfluxDb()]);
    server = await startTestServer({
      mqtt: { mode: 'external', url: broker.url, client_id: 'rigline-faults-influx' },
      store: {
        kind: 'influxdb1',
        site_rollup_interval_ms: 3_600_000,
        influxdb: { url: influx.url, database: db, flush_interval_ms: 100, max_buffered_samples: 100_000, retry: { initial_ms: 200, max_ms: 1000 } },
      },
    });
    agent = new Publisher({ url: broker.url, site: site.id, source: 'ctl', agent: SIM_AGENT, backoff: { initialMs: 100, maxMs: 500 } });
    expect(await agent.waitConnected(5000)).toBe(true);
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await Promise.all([broker?.dispose(), influx?.dispose()]);
  });

  it('influxdb outage', { timeout: 90_000 }, async () => {
    let sent = 0;
    let tick = 0;
    const t0 = Date.now() - 3_600_000;
    const publish = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const samples = model.samplesAt(site, tick, t0 + tick * 1000);
        tick++;
        sent += samples.length;
        await agent.publishSamples(samples);
      }
    };
    const storedInInflux = (): Promise<number> => influxCount(influx, db, '"raw"."rig"');
    const stats = (): InfluxStoreStats => server.store.stats() as InfluxStoreStats;

    await publish(10);
    await waitFor(async () => ((await storedInInflux()) === sent ? true : undefined), 15_000, 'first ticks in InfluxDB');

    await influx.stop();
    const outageStart = Date.now();
    while (Date.now() - outageStart < OUTAGE_MS) {
      await publish(1);
      await new Promise((r) => setTimeout(r, 500));
    }
    await waitFor(() => (server.counters.stored >= sent ? true : undefined), 10_000, 'ingested during the outage');
    // Nothing written while influxd is down: the server holds it and keeps retrying.
    expect(stats().buffered).toBeGreaterThan(0);
    expect(stats().retries).toBeGreaterThan(0);

    await influx.start();
    await publish(10);
    const stored = await waitFor(async () => {
      const n = await storedInInflux();
      return n >= sent ? n : undefined;
    }, 30_000, 'every sample in InfluxDB after the outage');
    const rejected = Object.values(server.counters.snapshot().invalid).reduce((a, b) => a + b, 0);
    console.log(`fault influxdb outage: sent ${sent}, stored ${stored}, rejected ${rejected}, lost ${sent - stored}`);
    expect(stored).toBe(sent);
    expect(rejected).toBe(0);
    // InfluxDB shows a write before the server has handled its 204: the buffer empties just after, so wait for it.
    await waitFor(() => (stats().buffered === 0 ? true : undefined), 10_000, 'the write buffer empty');
  });
});
