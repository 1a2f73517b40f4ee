import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { TELEMETRY_SUBSCRIPTION, type Sample } from '../../server/contract/index.js';
import type { Rigline } from '../../server/app.js';
import type { Agent } from '../../agents/runtime/agent.js';
import { parseAgentConfig } from '../../agents/runtime/config.js';
import { startAgent } from '../../agents/runtime/start.js';
import { fakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const OUTAGE_MS = 30_000;

interface Seen {
  count: number;
  historical: boolean;
  ts: number;
}

/**
 * Store-and-forward end to end: the broker (real Mosquitto) is down for 30 s while the agent polls every 200 ms,
 * and the agent is restarted once in the middle of the outage. Once the broker is back, every sample must reach a
 * subscriber and the server, the outage's samples flagged historical, and the server must count each exactly once.
 */
describe.skipIf(!hasService('mosquitto', 'mosquitto'))('agent store-and-forward across a broker outage and an agent restart', () => {
  let broker: Service | undefined;
  let server: Rigline | undefined;
  let subscriber: MqttClient | undefined;
  const agents: Agent[] = [];
  const spoolDir = mkdtempSync(join(tmpdir(), 'rigline-agent-outage-'));

  afterAll(async () => {
    for (const agent of agents) await agent.stop().catch(() => undefined);
    await subscriber?.endAsync();
    await server?.stop();
    await broker?.dispose();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('delivers every sample exactly once, replayed ones flagged historical', async () => {
    broker = await startMosquitto();
    server = await startTestServer({ mqtt: { mode: 'external', url: broker.url } });
    const seen = new Map<string, Seen>();
    subscriber = mqtt.connect(broker.url, { clientId: 'outage-counter', clean: false, reconnectPeriod: 200 });
    subscriber.on('message', (_topic, payload) => {
      const message = JSON.parse(payload.toString()) as { samples: Sample[] };
      for (const s of message.samples) {
        const key = `${s.rig}:${s.seq}`;
        const entry = seen.get(key);
        if (entry) entry.count++;
        else seen.set(key, { count: 1, historical: s.historical === true, ts: s.ts });
      }
    });
    await new Promise<void>((resolve) => subscriber?.once('connect', () => resolve()));
    await subscriber.subscribeAsync(TELEMETRY_SUBSCRIPTION, { qos: 1 });

    const config = parseAgentConfig({
      site: 'site-outage',
      agent_id: 'gpu-agent',
      interval_s: 0.2,
      timeout_ms: 1000,
      batch_window_ms: 150,
      mqtt: { url: broker.url, reconnect: { initial_ms: 100, max_ms: 400 }, ack_timeout_ms: 2000 },
      sources: [
        { type: 'nvidia-smi', rig: 'gpu-a', path: fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/a10g.xml'), host_model_file: '' },
        { type: 'nvidia-smi', rig: 'gpu-b', path: fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/tesla-t4.xml'), host_model_file: '' },
      ],
      spool: { dir: spoolDir, max_mb: 64 },
    });
    const log = pino({ level: 'silent' });

    const first = await startAgent(config, { log });
    agents.push(first);
    await waitFor(() => (seen.size >= 10 ? true : undefined), 10_000, 'live samples before the outage');

    await broker.stop();
    const outageStart = Date.now(); // once Mosquitto has really gone (its shutdown can take a moment)
    await sleep(OUTAGE_MS / 2);
    await first.stop('restart during outage');
    const firstStats = first.stats();
    expect(firstStats.spool.records).toBeGreaterThan(0);
    expect(readdirSync(spoolDir).some((f) => f.startsWith('seg-'))).toBe(true);

    const second = await startAgent(config, { log });
    agents.push(second);
    expect(second.stats().spool.records).toBe(firstStats.spool.records); // the backlog survived the restart
    await sleep(OUTAGE_MS / 2);
    const outageEnd = Date.now();
    await broker.start();

    await waitFor(() => (second.stats().replayed > 0 && second.stats().backlog === 0 ? true : undefined), 60_000, 'spool replayed');
    const liveAfter = (): boolean => [...seen.values()].some((s) => s.ts > outageEnd && !s.historical);
    await waitFor(() => (liveAfter() ? true : undefined), 10_000, 'live samples after the outage');
    await second.stop();
    const secondStats = second.stats();
    const total = firstStats.samples + secondStats.samples;
    expect(secondStats.spool.droppedSamples).toBe(0);

    await waitFor(() => (seen.size === total ? true : undefined), 30_000, `all ${total} samples at the subscriber (have ${seen.size})`);
    const duringOutage = [...seen.values()].filter((s) => s.ts > outageStart + 500 && s.ts < outageEnd);
    // Two sources every 200 ms; a loaded machine may lose some rounds, and the restart costs a few.
    expect(duringOutage.length).toBeGreaterThan((OUTAGE_MS / 200) * 2 * 0.5);
    expect(duringOutage.every((s) => s.historical)).toBe(true);
    expect(liveAfter()).toBe(true);
    expect([...seen.values()].some((s) => s.ts < outageStart && !s.historical)).toBe(true);

    // The server counts each (rig, seq) once: anything the broker delivered twice was recognised as a duplicate.
    const deliveredTwice = [...seen.values()].reduce((sum, s) => sum + s.count - 1, 0);
    const rigline = server;
    const health = await waitFor(async () => {
      const { body } = await getJson<{ ingest: { stored: number; invalid: Record<string, number> } }>(rigline, '/api/health');
      return body.ingest.stored + (body.ingest.invalid.duplicate ?? 0) >= total + deliveredTwice ? body : undefined;
    }, 30_000, 'server ingest caught up');
    expect(health.ingest.stored).toBe(total);
    expect(health.ingest.invalid.duplicate ?? 0).toBe(deliveredTwice);
  }, 180_000);
});
