import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { parseConfig } from '../../server/config/load.js';
import { createStore } from '../../server/store/factory.js';
import { encodeSample } from '../../server/store/influx/schema.js';
import type { InfluxStore, InfluxStoreStats } from '../../server/store/influx/store.js';
import { waitFor } from '../helpers/server.js';
import { hasService, startInfluxDb } from '../helpers/services.js';

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: string;
}

/**
 * No InfluxDB 2.x server installs here (Debian ships 1.6.7), so the 2.x adapter is checked against an HTTP server
 * that records every request and answers as InfluxDB 2.x does: 204 for a write, the v1-compatible JSON for /query.
 */
describe('InfluxDB 2.x adapter (org, bucket, token)', () => {
  let server: Server;
  let url = '';
  const received: Received[] = [];
  let answers: number[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
        const parsed = new URL(req.url ?? '/', 'http://x');
        received.push({ method: req.method ?? '', path: parsed.pathname, query: Object.fromEntries(parsed.searchParams), authorization: req.headers.authorization, body });
        if (parsed.pathname === '/query') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ results: [{ statement_id: 0, series: [{ name: 'rig', columns: ['time', 'v'], values: [[1_700_000_040_000, 3.25]] }] }] }));
          return;
        }
        const status = answers.shift() ?? 204;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 204 ? undefined : JSON.stringify({ code: 'invalid', message: `status ${status}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    received.length = 0;
    answers = [];
  });

  const store = async (): Promise<InfluxStore> => {
    const config = parseConfig({
      store: {
        kind: 'influxdb2',
        influxdb: { url, org: 'acme mining', bucket: 'rigline/raw', token: 's3cr=t', flush_interval_ms: 20, retry: { initial_ms: 50, max_ms: 100 } },
      },
    });
    return (await createStore(config.store, pino({ level: 'silent' }))) as InfluxStore;
  };
  const model = new FleetModel({ sites: 1, rigsPerSite: 4, seed: 2, intervalMs: 10_000, faultRate: 0, gpuEvery: 4 });
  const samples = model.samplesAt(model.sites[0]!, 0, 1_700_000_000_000);

  it('writes line protocol to /api/v2/write with org, bucket, precision and the token', async () => {
    const s = await store();
    s.writeSamples(samples);
    await s.close();
    const writes = received.filter((r) => r.path === '/api/v2/write');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      method: 'POST',
      query: { org: 'acme mining', bucket: 'rigline/raw', precision: 'ms' },
      authorization: 'Token s3cr=t',
    });
    expect(writes[0]?.body.split('\n')).toEqual(samples.flatMap((x) => encodeSample(x).lines.split('\n')));
    expect(s.stats()).toMatchObject({ kind: 'influxdb', api: 'v2', written: 4, dropped: 0, retries: 0 });
  });

  it('retries a 503 after a backoff and counts a 400 as rejected without retrying', async () => {
    answers = [503, 204, 400];
    const s = await store();
    s.writeSamples(samples.slice(0, 2));
    await waitFor(() => (s.stats().written === 2 ? true : undefined), 5000, 'retried write');
    s.writeSamples(samples.slice(2));
    await s.close();
    const stats = s.stats() as InfluxStoreStats;
    expect(stats).toMatchObject({ written: 2, rejected: 2, retries: 1, dropped: 0 });
    expect(stats.last_error).toContain('400');
    expect(received.filter((r) => r.path === '/api/v2/write')).toHaveLength(3);
  });

  it('queries through the v1-compatible /query with the token and no retention policy', async () => {
    const s = await store();
    const points = await s.series({ scope: 'rig', id: 'site-01-r00001', metric: 'power_kw', from: 1_699_999_980_000, to: 1_700_000_100_000, stepMs: 60_000 });
    await s.close();
    expect(points).toEqual([
      { ts: 1_699_999_980_000, value: null },
      { ts: 1_700_000_040_000, value: 3.25 },
    ]);
    const [query] = received.filter((r) => r.path === '/query');
    expect(query?.authorization).toBe('Token s3cr=t');
    expect(query?.query.db).toBe('rigline');
    expect(query?.query.q).toBe(
      `SELECT mean("power_kw") AS "v" FROM "rig" WHERE "rig" = $id AND time >= 1699999980000ms AND time < 1700000100000ms GROUP BY time(60000ms) fill(none)`,
    );
    expect(JSON.parse(query?.query.params ?? '{}')).toEqual({ id: 'site-01-r00001' });
  });
});

describe.skipIf(!hasService('influxd', 'influxdb'))('InfluxDB 1.6.7 and the 2.x write API', () => {
  const samples = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 1, intervalMs: 1000, faultRate: 0, gpuEvery: 0 }).samplesAt(
    new FleetModel({ sites: 1, rigsPerSite: 1, seed: 1, intervalMs: 1000, faultRate: 0, gpuEvery: 0 }).sites[0]!,
    0,
    Date.now(),
  );
  it('answers 404 on /api/v2/write: the store keeps the samples and retries, reporting the error', async () => {
    const influx = await startInfluxDb();
    try {
      const config = parseConfig({ store: { kind: 'influxdb2', influxdb: { url: influx.url, org: 'o', bucket: 'b', token: 't', flush_interval_ms: 20, timeout_ms: 500 } } });
      const s = (await createStore(config.store, pino({ level: 'silent' }))) as InfluxStore;
      s.writeSamples(samples.slice(0, 1));
      await waitFor(() => (s.stats().retries > 0 ? true : undefined), 5000, 'a failed write');
      expect(s.stats()).toMatchObject({ buffered: 1, written: 0 });
      expect((s.stats() as InfluxStoreStats).last_error).toContain('404');
      await s.close();
      expect(s.stats()).toMatchObject({ buffered: 0, dropped: 1 });
    } finally {
      await influx.dispose();
    }
  });
});
