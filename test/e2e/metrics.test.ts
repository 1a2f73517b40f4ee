import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import type { SiteRollup } from '../../server/contract/index.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';

const TOKEN = 'test-metrics-token-0123456789abcdef';

async function scrape(url: string, token?: string): Promise<{ status: number; type: string | null; families: Map<string, PromFamily>; text: string }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  const families = res.status === 200 ? new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])) : new Map<string, PromFamily>();
  return { status: res.status, type: res.headers.get('content-type'), families, text };
}

function value(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

/**
 * One series of a labelled histogram (`name_count`, `name_sum`): the parser folds histograms into buckets and keeps
 * sum and count only for unlabelled ones, so those lines are parsed on their own, as untyped samples.
 */
function histogramSeries(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  const [family] = parsePrometheusTextFormat(`${lines.join('\n')}\n`);
  return (family?.metrics ?? []).map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
}

describe('Prometheus /metrics behind a token and on a listener of its own', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;
  const ts = Date.now();

  beforeAll(async () => {
    const model = new FleetModel({ sites: 2, rigsPerSite: 6, seed: 11, intervalMs: 60_000, faultRate: 0, gpuEvery: 3, startMs: ts });
    rigline = await startTestServer({ metrics: { token: TOKEN, port: 0 } }, new Map(model.sites.map((s) => [s.id, s.name])));
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
    expect(await runner.tick(ts)).toBe(12);
    // One malformed message, refused and counted as bad_json.
    const client = await mqtt.connectAsync(rigline.mqttUrl);
    await client.publishAsync('rigline/v1/site-01/broken/telemetry', '{not json', { qos: 1 });
    await client.endAsync();
    await waitFor(async () => {
      const { body } = await getJson<{ ingest: { stored: number; invalid: Record<string, number> } }>(rigline, '/api/health');
      return body.ingest.stored === 12 && body.ingest.invalid.bad_json === 1 ? true : undefined;
    });
  });

  afterAll(async () => {
    await runner?.stop();
    await rigline?.stop();
  });

  it('refuses a scrape on the main port without the token or with a wrong one', async () => {
    const url = `${rigline.httpUrl}/metrics`;
    for (const token of [undefined, 'wrong-token-wrong-token-wrong-token']) {
      const { status, text } = await scrape(url, token);
      expect(status).toBe(401);
      expect(JSON.parse(text)).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    }
  });

  it('exposes ingest, store, per-site fleet, alert, plan and HTTP figures that match the API', async () => {
    await getJson(rigline, '/api/fleet');
    const plan = await fetch(`${rigline.httpUrl}/api/plan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: readFileSync('config/scenario.example.json'),
    });
    expect(plan.status).toBe(200);
    const sites = (await getJson<SiteRollup[]>(rigline, '/api/sites')).body;

    const { status, type, families, text } = await scrape(`${rigline.httpUrl}/metrics`, TOKEN);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);

    expect(families.get('rigline_ingest_messages_received_total')?.type).toBe('COUNTER');
    expect(value(families, 'rigline_ingest_messages_received_total')).toBeGreaterThanOrEqual(3); // 2 site batches + the bad one
    expect(value(families, 'rigline_ingest_samples_stored_total')).toBe(12);
    expect(value(families, 'rigline_ingest_rejected_total', { reason: 'bad_json' })).toBe(1);

    expect(value(families, 'rigline_store_buffered_samples', { store: 'memory' })).toBe(0);
    expect(value(families, 'rigline_store_written_samples_total', { store: 'memory' })).toBe(12);
    expect(value(families, 'rigline_store_dropped_samples_total', { store: 'memory' })).toBe(0);

    expect(sites).toHaveLength(2);
    for (const site of sites) {
      expect(value(families, 'rigline_site_rigs', { site: site.id, status: 'online' })).toBe(site.rigs.online);
      expect(value(families, 'rigline_site_rigs', { site: site.id, status: 'offline' })).toBe(site.rigs.offline);
      expect(value(families, 'rigline_site_hashrate_ths', { site: site.id })).toBeCloseTo(site.hashrate_ths, 6);
      expect(value(families, 'rigline_site_power_kw', { site: site.id })).toBeCloseTo(site.power_kw, 6);
      expect(value(families, 'rigline_site_gpus', { site: site.id, state: 'total' })).toBe(site.gpus.total);
    }
    expect(families.get('rigline_alerts')?.type).toBe('GAUGE');

    expect(families.get('rigline_plan_duration_seconds')?.type).toBe('HISTOGRAM');
    const planCounts = histogramSeries(text, 'rigline_plan_duration_seconds_count');
    expect(planCounts).toEqual([{ labels: { outcome: 'ok' }, value: 1 }]);
    expect(histogramSeries(text, 'rigline_plan_duration_seconds_sum')[0]?.value).toBeGreaterThan(0);

    expect(families.get('rigline_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    const http = histogramSeries(text, 'rigline_http_request_duration_seconds_count');
    const fleet = http.find((m) => m.labels.route === '/api/fleet' && m.labels.method === 'GET' && m.labels.status_code === '200');
    expect(fleet?.value).toBeGreaterThanOrEqual(1);
    expect(http.find((m) => m.labels.route === '/api/plan' && m.labels.method === 'POST')?.value).toBe(1);
    // Routes are patterns, never raw paths: no label carries a site id.
    expect(http.some((m) => m.labels.route?.includes('site-01'))).toBe(false);

    expect(value(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts each sample once across scrapes', async () => {
    const first = await scrape(`${rigline.httpUrl}/metrics`, TOKEN);
    const second = await scrape(`${rigline.httpUrl}/metrics`, TOKEN);
    expect(value(second.families, 'rigline_ingest_samples_stored_total')).toBe(value(first.families, 'rigline_ingest_samples_stored_total'));
    expect(value(second.families, 'rigline_ingest_rejected_total', { reason: 'bad_json' })).toBe(1);
  });

  it('serves the same figures on metrics.port, where the token still applies when set', async () => {
    expect(rigline.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await scrape(rigline.metricsUrl as string)).status).toBe(401);
    const { status, families } = await scrape(rigline.metricsUrl as string, TOKEN);
    expect(status).toBe(200);
    expect(value(families, 'rigline_ingest_samples_stored_total')).toBe(12);
    expect((await fetch(new URL('/api/fleet', rigline.metricsUrl as string))).status).toBe(404);
  });
});

describe('metrics configuration', () => {
  it('a listener of its own needs no token; the main port then answers /metrics with 404, not the app shell', async () => {
    const rigline = await startTestServer({ metrics: { port: 0 } });
    try {
      const own = await scrape(rigline.metricsUrl as string);
      expect(own.status).toBe(200);
      expect(own.families.has('rigline_ingest_samples_stored_total')).toBe(true);
      const main = await fetch(`${rigline.httpUrl}/metrics`);
      expect(main.status).toBe(404);
      expect(((await main.json()) as { error: { code: string } }).error.code).toBe('not_found');
    } finally {
      await rigline.stop();
    }
  });

  it('without metrics.token or metrics.port nothing is served', async () => {
    const rigline = await startTestServer();
    try {
      expect(rigline.metricsUrl).toBeNull();
      expect((await fetch(`${rigline.httpUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    } finally {
      await rigline.stop();
    }
  });
});
