import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { telemetryTopic } from '../../server/contract/index.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

describe.skipIf(!hasService('mosquitto', 'mosquitto'))('an external broker that is down at start-up', () => {
  let rigline: Rigline | undefined;
  let broker: Service | undefined;
  afterAll(async () => {
    await rigline?.stop();
    await broker?.dispose();
  });

  it('starts and serves the API anyway, then ingests once the broker comes up', async () => {
    broker = await startMosquitto();
    await broker.stop();
    rigline = await startTestServer({ mqtt: { mode: 'external', url: broker.url, connect_wait_ms: 300 } });
    const health = await getJson<{ ingest: { received: number } }>(rigline, '/api/health');
    expect(health.status).toBe(200);
    expect(health.body.ingest.received).toBe(0);

    await broker.start();
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 2, intervalMs: 60_000, faultRate: 0, gpuEvery: 0 });
    const sample = model.samplesAt(model.sites[0]!, 0, Date.now())[0]!;
    const agent = await mqtt.connectAsync(broker.url, { clientId: 'late-agent' });
    // Publish until the server's ingest has (re)connected and subscribed; retained status would hide that race.
    await waitFor(async () => {
      await agent.publishAsync(telemetryTopic(sample.site, sample.rig), JSON.stringify({ ...sample, ts: Date.now() }), { qos: 1 });
      return (await getJson(rigline!, `/api/rigs/${sample.rig}`)).status === 200 ? true : undefined;
    }, 15_000, 'ingest after the broker came up');
    await agent.endAsync();
  });
});
