import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Publisher } from '../../agents/publisher/publisher.js';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { FleetRollup, RigView, SiteRollup, telemetryTopic, type Sample } from '../../server/contract/index.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';

/** Independent arithmetic over what the simulator sent: the server must report exactly this. */
function expectedTotals(samples: Sample[], degraded: Set<string>) {
  let hashrate = 0;
  let powerW = 0;
  let gpus = 0;
  let utilSum = 0;
  for (const s of samples) {
    powerW += s.power_w ?? 0;
    if (s.kind === 'asic') hashrate += s.hashrate_5s_ths ?? 0;
    else {
      gpus += s.gpus.length;
      for (const g of s.gpus) utilSum += g.utilization_pct ?? 0;
    }
  }
  const asicPower = samples.filter((s) => s.kind === 'asic').reduce((a, s) => a + (s.power_w ?? 0), 0);
  return {
    rigs: { total: samples.length, online: samples.length - degraded.size, offline: 0, degraded: degraded.size },
    hashrate_ths: hashrate,
    power_kw: powerW / 1000,
    efficiency_jth: asicPower / hashrate,
    gpus: { total: gpus, online: gpus, utilization_pct: utilSum / gpus },
  };
}

describe('walking skeleton over real TCP: simulator → embedded broker → ingest → API', () => {
  let rigline: Rigline;
  let model: FleetModel;
  let runner: SimulatorRunner;
  const ts = Date.now();

  beforeAll(async () => {
    model = new FleetModel({ sites: 3, rigsPerSite: 40, seed: 7, intervalMs: 60_000, faultRate: 0, gpuEvery: 8, startMs: ts });
    // Faults count at once here (no hold time): this test checks the rollup arithmetic; test/unit/health.test.ts the holds.
    const immediate = { overheat: { for_s: 0 }, hashboard_missing: { for_s: 0 }, gpu_error: { for_s: 0 }, rejected_shares: { for_s: 0 } };
    rigline = await startTestServer({ realtime: { min_interval_ms: 100 }, alerts: { rules: immediate } }, new Map(model.sites.map((s) => [s.id, s.name])));
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
  });

  afterAll(async () => {
    await runner?.stop();
    await rigline?.stop();
  });

  it('reports exact fleet and site rollups for a seeded fleet', async () => {
    const faults = { 'site-01-r00003': 'hashboard_lost', 'site-02-r00010': 'overheat', 'site-03-r00020': 'pool_rejects', 'site-02-r00016': 'gpu_xid' } as const;
    for (const [rig, fault] of Object.entries(faults)) model.setFault(rig, fault);
    // Two ticks a minute apart: the reject rate is judged over the interval between a rig's samples.
    expect(await runner.tick(ts - 60_000)).toBe(120);
    expect(await runner.tick(ts)).toBe(120);
    const samples = model.sites.flatMap((site) => model.samplesAt(site, 1, ts));
    expect(samples).toHaveLength(120);
    await waitFor(async () => ((await getJson<{ ingest: { stored: number } }>(rigline, '/api/health')).body.ingest.stored === 240 ? true : undefined));

    const fleet = FleetRollup.parse((await getJson(rigline, '/api/fleet')).body);
    const expected = expectedTotals(samples, new Set(Object.keys(faults)));
    expect(fleet.sites).toBe(3);
    expect(fleet.rigs).toEqual(expected.rigs);
    expect(fleet.hashrate_ths).toBeCloseTo(expected.hashrate_ths, 2);
    expect(fleet.power_kw).toBeCloseTo(expected.power_kw, 2);
    expect(fleet.efficiency_jth).toBeCloseTo(expected.efficiency_jth, 1);
    expect(fleet.gpus.total).toBe(expected.gpus.total);
    expect(fleet.gpus.online).toBe(expected.gpus.online);
    expect(fleet.gpus.utilization_pct).toBeCloseTo(expected.gpus.utilization_pct, 0);

    const sites = SiteRollup.array().parse((await getJson(rigline, '/api/sites')).body);
    expect(sites.map((s) => s.id)).toEqual(['site-01', 'site-02', 'site-03']);
    expect(sites.map((s) => s.name)).toEqual(model.sites.map((s) => s.name));
    for (const site of sites) {
      const own = samples.filter((s) => s.site === site.id);
      const ownFaults = new Set(Object.keys(faults).filter((r) => r.startsWith(site.id)));
      expect(site.rigs).toEqual(expectedTotals(own, ownFaults).rigs);
      expect(site.hashrate_ths).toBeCloseTo(expectedTotals(own, ownFaults).hashrate_ths, 2);
    }
    expect(sites.reduce((a, s) => a + s.hashrate_ths, 0)).toBeCloseTo(fleet.hashrate_ths, 2);

    const rigs = RigView.array().parse((await getJson(rigline, '/api/rigs?site=site-02')).body);
    expect(rigs).toHaveLength(40);
    const hot = rigs.find((r) => r.rig === 'site-02-r00010');
    expect(hot?.status).toBe('degraded');
    expect(hot?.status_reasons.join(' ')).toMatch(/overheating: hashboard \d at \d+\.\d °C \(limit 90 °C\)/);
    expect(hot?.status_details[0]?.since).toBeGreaterThan(0);
    expect(rigs.find((r) => r.rig === 'site-02-r00016')?.status_reasons.join(' ')).toMatch(/Xid 79/);
    const rejecting = RigView.array().parse((await getJson(rigline, '/api/rigs?site=site-03')).body).find((r) => r.rig === 'site-03-r00020');
    expect(rejecting?.status_reasons.join(' ')).toMatch(/rejected shares: (1[5-9]|20)\.\d% of \d+ shares rejected/);
  });

  it('answers API errors as JSON with a stable code', async () => {
    const bad = await getJson<{ error: { code: string } }>(rigline, '/api/rigs?site=NOT_VALID');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_parameter');
    expect((await getJson<{ error: { code: string } }>(rigline, '/api/rigs/nope')).body.error.code).toBe('rig_not_found');
    expect((await getJson<{ error: { code: string } }>(rigline, '/api/nothing')).status).toBe(404);
  });
});

describe('offline detection', () => {
  let rigline: Rigline;
  beforeAll(async () => {
    rigline = await startTestServer({ ingest: { missed_intervals: 3, check_interval_ms: 100 } });
  });
  afterAll(async () => rigline?.stop());

  const sampleFor = (site: string, rig: string, intervalS: number): Sample => ({
    ...new FleetModel({ sites: 1, rigsPerSite: 1, seed: 1, intervalMs: 1000, faultRate: 0, gpuEvery: 0 }).samplesAt(
      new FleetModel({ sites: 1, rigsPerSite: 1, seed: 1, intervalMs: 1000, faultRate: 0, gpuEvery: 0 }).sites[0]!, 0, Date.now(),
    )[0]!,
    site,
    rig,
    interval_s: intervalS,
  });

  const statusOf = async (rig: string) => (await getJson<{ status: string }>(rigline, `/api/rigs/${rig}`)).body.status;

  it('takes a rig offline on its Last Will when the connection drops', async () => {
    const publisher = new Publisher({ url: rigline.mqttUrl, site: 'site-a', source: 'rig-drop', agent: { name: 't', version: '1' } });
    expect(await publisher.waitConnected(5000)).toBe(true);
    await publisher.publishSamples([sampleFor('site-a', 'rig-drop', 60)]);
    await waitFor(async () => ((await statusOf('rig-drop')) === 'online' ? true : undefined));
    publisher.client.stream.destroy(); // abrupt loss, no DISCONNECT: the broker sends the Last Will
    const started = Date.now();
    await waitFor(async () => ((await statusOf('rig-drop')) === 'offline' ? true : undefined), 5000, 'offline on Last Will');
    expect(Date.now() - started).toBeLessThan(5000);
    await publisher.client.endAsync(true);
  });

  it('refuses a rig id owned by another site, online or offline, until an admin moves it', async () => {
    const owner = new Publisher({ url: rigline.mqttUrl, site: 'site-a', source: 'rig-x', agent: { name: 't', version: '1' } });
    const intruder = new Publisher({ url: rigline.mqttUrl, site: 'site-b', source: 'ctl-b', agent: { name: 't', version: '1' } });
    await Promise.all([owner.waitConnected(5000), intruder.waitConnected(5000)]);
    await owner.publishSamples([sampleFor('site-a', 'rig-x', 60)]);
    await waitFor(async () => ((await statusOf('rig-x')) === 'online' ? true : undefined));
    const conflicts = async () => (await getJson<{ ingest: { invalid: Record<string, number> } }>(rigline, '/api/health')).body.ingest.invalid.rig_site_conflict ?? 0;

    await intruder.publishSamples([sampleFor('site-b', 'rig-x', 60), sampleFor('site-b', 'rig-y', 60)]);
    await waitFor(async () => ((await getJson<{ status: number }>(rigline, '/api/rigs/rig-y')).status === 200 ? true : undefined));
    expect(await conflicts()).toBe(1);
    expect((await getJson<{ site: string }>(rigline, '/api/rigs/rig-x')).body.site).toBe('site-a');

    owner.client.stream.destroy(); // the rig's agent goes away (restarts): Last Will, offline
    await waitFor(async () => ((await statusOf('rig-x')) === 'offline' ? true : undefined), 5000, 'offline');
    await intruder.publishSamples([sampleFor('site-b', 'rig-x', 60), sampleFor('site-b', 'rig-y', 60)]);
    await waitFor(async () => ((await conflicts()) === 2 ? true : undefined), 5000, 'second conflict counted');
    expect((await getJson<{ site: string }>(rigline, '/api/rigs/rig-x')).body.site).toBe('site-a');

    // The miner really moved: an admin says so, and site-b's samples are taken from then on.
    const moved = await fetch(`${rigline.httpUrl}/api/admin/rigs/rig-x/site`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ site: 'site-b' }),
    });
    expect(await moved.json()).toEqual({ rig: 'rig-x', site: 'site-b', previous: 'site-a' });
    await intruder.publishSamples([sampleFor('site-b', 'rig-x', 60), sampleFor('site-b', 'rig-y', 60)]);
    await waitFor(async () => ((await getJson<{ site: string }>(rigline, '/api/rigs/rig-x')).body.site === 'site-b' ? true : undefined), 5000, 'moved');
    expect(await conflicts()).toBe(2);
    await owner.client.endAsync(true);
    await intruder.stop();
  });

  it('takes a silent rig offline after the configured number of missed intervals', async () => {
    const publisher = new Publisher({ url: rigline.mqttUrl, site: 'site-a', source: 'rig-quiet', agent: { name: 't', version: '1' } });
    await publisher.waitConnected(5000);
    await publisher.publishSamples([sampleFor('site-a', 'rig-quiet', 0.5)]);
    const sentAt = Date.now();
    await waitFor(async () => ((await statusOf('rig-quiet')) === 'online' ? true : undefined));
    await waitFor(async () => ((await statusOf('rig-quiet')) === 'offline' ? true : undefined), 5000, 'offline after silence');
    const after = Date.now() - sentAt;
    expect(after).toBeGreaterThanOrEqual(1500); // 3 missed intervals of 0.5 s
    expect(after).toBeLessThan(3500); // within the window plus one sweep and polling slack
    await publisher.stop();
  });
});

describe('invalid telemetry is counted by reason and never stops ingest', () => {
  let rigline: Rigline;
  beforeAll(async () => {
    rigline = await startTestServer({ mqtt: { max_payload_bytes: 2048 } });
  });
  afterAll(async () => rigline?.stop());

  it('rejects each kind of bad message and keeps serving', async () => {
    const client = await mqtt.connectAsync(rigline.mqttUrl, { clientId: 'hostile' });
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 3, intervalMs: 1000, faultRate: 0, gpuEvery: 0 });
    const good = model.samplesAt(model.sites[0]!, 0, Date.now())[0]!;
    const topic = telemetryTopic(good.site, good.rig);
    const cases: [string, string, string | Buffer][] = [
      ['bad_json', topic, '{"schema":1,'],
      ['schema', topic, JSON.stringify({ ...good, hashrate_5s_ths: 'fast' })],
      ['topic_mismatch', telemetryTopic(good.site, 'another-rig'), JSON.stringify(good)],
      ['topic_mismatch', telemetryTopic('site-zz', 'ctl'), JSON.stringify({ schema: 1, samples: [good] })],
      ['oversized', topic, Buffer.alloc(4096, 0x20)],
      ['unknown_schema_version', topic, JSON.stringify({ ...good, schema: 2 })],
      ['bad_topic', 'rigline/v1/Bad_Site/x/telemetry', JSON.stringify(good)],
    ];
    for (const [, t, payload] of cases) await client.publishAsync(t, payload, { qos: 1 });
    await client.publishAsync(topic, JSON.stringify(good), { qos: 1 });

    const health = await waitFor(async () => {
      const h = (await getJson<{ ingest: { received: number; stored: number; invalid: Record<string, number> } }>(rigline, '/api/health')).body;
      return h.ingest.received === cases.length + 1 ? h : undefined;
    });
    expect(health.ingest.invalid).toEqual({ bad_json: 1, schema: 1, topic_mismatch: 2, oversized: 1, unknown_schema_version: 1, bad_topic: 1 });
    expect(health.ingest.stored).toBe(1);
    expect((await getJson<{ rigs: { total: number } }>(rigline, '/api/fleet')).body.rigs.total).toBe(1);
    await client.endAsync();
  });
});
