import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY_SUBSCRIPTION, type RigView, type SampleBatch } from '../../server/contract/index.js';
import type { Rigline } from '../../server/app.js';
import type { Agent } from '../../agents/runtime/agent.js';
import { parseAgentConfig } from '../../agents/runtime/config.js';
import { startAgent } from '../../agents/runtime/start.js';
import { DEVICES } from '../agents/recordings.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';
import { fakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

describe.skipIf(!hasService('mosquitto', 'mosquitto'))('agent → Mosquitto → rigline server', () => {
  let broker: Service;
  let server: Rigline;
  let agent: Agent;
  let miner: FakeMiner;
  let subscriber: MqttClient;
  const batches: SampleBatch[] = [];
  const spoolDir = mkdtempSync(join(tmpdir(), 'rigline-agent-spool-'));

  beforeAll(async () => {
    broker = await startMosquitto();
    server = await startTestServer({ mqtt: { mode: 'external', url: broker.url } });
    miner = await startFakeMiner({ replies: loadRecordings(DEVICES.antminerStock) });
    subscriber = await mqtt.connectAsync(broker.url);
    subscriber.on('message', (_topic, payload) => batches.push(JSON.parse(payload.toString()) as SampleBatch));
    await subscriber.subscribeAsync(TELEMETRY_SUBSCRIPTION, { qos: 1 });
    const config = parseAgentConfig({
      site: 'site-gpu',
      agent_id: 'gpu-host-01',
      interval_s: 0.5,
      timeout_ms: 3000,
      batch_window_ms: 800,
      mqtt: { url: broker.url, reconnect: { initial_ms: 100, max_ms: 500 } },
      sources: [
        { type: 'nvidia-smi', rig: 'a100-node', path: fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/a100-sxm4-v12.xml'), host_model_file: '' },
        { type: 'nvidia-smi', rig: 't4-node', path: fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/tesla-t4.xml'), host_model_file: '' },
        { type: 'cgminer', host: miner.host, port: miner.port, rig: 's19-pro-01' },
        { type: 'nvidia-smi', rig: 'slow-node', path: fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/a10g.xml', { delayS: 2 }), host_model_file: '' },
        { type: 'nvidia-smi', rig: 'broken-node', path: fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/tesla-t4.xml', { exitCode: 9 }), host_model_file: '' },
      ],
      spool: { dir: spoolDir },
    });
    agent = await startAgent(config, { log: pino({ level: 'silent' }) });
  });

  afterAll(async () => {
    await agent?.stop();
    await subscriber?.endAsync();
    await server?.stop();
    await miner?.close();
    await broker?.dispose();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('publishes what nvidia-smi and the miner report, and the server shows it live', async () => {
    const rigs = await waitFor(async () => {
      const { body } = await getJson<RigView[]>(server, '/api/rigs?site=site-gpu');
      return body.length === 4 ? body : undefined;
    }, 15_000, 'three GPU rigs and a miner');
    const s19 = rigs.find((r) => r.rig === 's19-pro-01');
    expect(s19).toMatchObject({ kind: 'asic', family: 'antminer', status: expect.stringMatching(/online|degraded/) });
    expect(s19?.kind === 'asic' && s19.hashrate_avg_ths).toBeGreaterThan(50);
    const a100 = rigs.find((r) => r.rig === 'a100-node');
    const t4 = rigs.find((r) => r.rig === 't4-node');
    expect(a100).toMatchObject({ kind: 'gpu', status: 'online', power_w: 67.03, power_source: 'measured', driver_version: '535.54.03' });
    expect(a100?.kind === 'gpu' && a100.gpus.filter((g) => g.mig)).toHaveLength(4);
    expect(t4).toMatchObject({ kind: 'gpu', power_w: 26.78 });
    expect(t4?.kind === 'gpu' && t4.gpus[0]).toMatchObject({ name: 'Tesla T4', memory_used_mib: 1032, ecc_uncorrected: 0 });
    // MIG instances are listed but not counted as GPUs of their own.
    const { body: fleet } = await getJson<{ gpus: { total: number } }>(server, '/api/fleet');
    expect(fleet.gpus.total).toBe(3);
    // The failing source publishes nothing and does not hold the others back.
    expect(rigs.some((r) => r.rig === 'broken-node')).toBe(false);
    expect(agent.stats().sourceFailures).toBeGreaterThan(0);
    expect(agent.stats().failingSources).toBeGreaterThanOrEqual(1);
  });

  it('does not hold fast sources back for a slow one: its answer follows in a later message', async () => {
    const rigsOf = (b: SampleBatch): string[] => b.samples.map((s) => s.rig);
    await waitFor(() => (batches.filter((b) => rigsOf(b).includes('slow-node')).length >= 2 ? true : undefined), 20_000, 'slow samples');
    const slow = batches.filter((b) => rigsOf(b).includes('slow-node'));
    const fast = batches.filter((b) => rigsOf(b).includes('t4-node'));
    // Rounds whose fast answers went out without waiting for the slow source (timing on a loaded machine may merge
    // an occasional round, so this asks for most, not all).
    expect(fast.filter((b) => !rigsOf(b).includes('slow-node')).length).toBeGreaterThanOrEqual(fast.length / 2);
    // A source still busy is skipped, not queued: fewer slow samples than rounds.
    expect(slow.length).toBeLessThan(fast.length);
  });

  it('numbers samples and leaves nothing in the spool while the broker acknowledges', async () => {
    await waitFor(() => (agent.stats().publishedLive >= 6 ? true : undefined), 10_000, 'six live samples');
    const { body } = await getJson<{ status: string; ingest: { stored: number; invalid: Record<string, number> } }>(server, '/api/health');
    expect(body.ingest.stored).toBeGreaterThanOrEqual(6);
    expect(body.ingest.invalid.schema ?? 0).toBe(0);
    expect(body.ingest.invalid.topic_mismatch ?? 0).toBe(0);
    await waitFor(() => (agent.stats().spool.records <= 2 ? true : undefined), 5000, 'spool drained');
  });
});
