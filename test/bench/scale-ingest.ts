import { pino } from 'pino';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import { startRigline, type Rigline } from '../../server/app.js';
import { applyEnv, parseConfig } from '../../server/config/load.js';
import type { ConfigInput } from '../../server/config/schema.js';
import { telemetryTopic } from '../../server/contract/index.js';
import { decodeMessage } from '../../server/ingest/decode.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

/**
 * Per-instance ingest throughput behind real Mosquitto, the figure the README's 250,000-rig topology is sized from.
 * Site controllers publish batches (1,000 samples per message, as the simulator and agents do) at QoS 1 as fast as
 * the broker takes them; the clock runs from the first publish until every sample is in fleet state and the store.
 * Publishers, broker and servers share this machine's cores, so the figures are a floor for a dedicated host.
 */
const SITES = 10;
const RIGS_PER_SITE = 2000;
const TICKS = 10;
const TOTAL = SITES * RIGS_PER_SITE * TICKS;

function config(overrides: ConfigInput): ReturnType<typeof parseConfig> {
  return parseConfig(applyEnv({ server: { host: '127.0.0.1', port: 0 }, log: { level: 'silent' }, auth: { credentials_file: null }, ...overrides } as Record<string, unknown>, {}));
}

async function run(label: string, instances: number, redisUrl?: string): Promise<void> {
  const broker = await startMosquitto();
  const servers: Rigline[] = [];
  for (let i = 0; i < instances; i++) {
    servers.push(
      await startRigline(
        config({
          mqtt: { mode: 'external', url: broker.url, client_id: `bench-${i}`, ...(instances > 1 ? { shared_group: 'rigline' } : {}) },
          ...(redisUrl ? { realtime: { redis_url: redisUrl } } : {}),
        }),
        { log: pino({ level: 'silent' }) },
      ),
    );
  }
  const model = new FleetModel({ sites: SITES, rigsPerSite: RIGS_PER_SITE, seed: 7, intervalMs: 600_000, faultRate: 0, gpuEvery: 0, startMs: Date.now() - 7_200_000 });
  const runner = new SimulatorRunner(model, { url: broker.url });
  await runner.waitConnected(5000);
  const started = process.hrtime.bigint();
  for (let t = 0; t < TICKS; t++) await runner.tick(Date.now() - 3_600_000 + t * 1000);
  const published = process.hrtime.bigint();
  const stored = (): number => servers.reduce((n, s) => n + s.counters.stored, 0);
  const deadline = Date.now() + 120_000;
  while (stored() < TOTAL) {
    if (Date.now() > deadline) throw new Error(`${label}: stored ${stored()} of ${TOTAL}; ${JSON.stringify(servers.map((s) => s.counters.snapshot()))}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const done = process.hrtime.bigint();
  const seconds = Number(done - started) / 1e9;
  const perInstance = servers.map((s) => s.counters.stored);
  console.log(
    `${label}: ${TOTAL} samples in ${seconds.toFixed(2)} s = ${Math.round(TOTAL / seconds)} samples/s total, ` +
      `${Math.round(TOTAL / seconds / instances)} per instance (split ${perInstance.join(' / ')}; publish phase ${(Number(published - started) / 1e9).toFixed(2)} s)`,
  );
  for (const s of servers) {
    if (s.state.rigCount !== SITES * RIGS_PER_SITE) throw new Error(`${label}: an instance holds ${s.state.rigCount} rigs`);
  }
  await runner.stop();
  for (const s of servers) await s.stop();
  await broker.dispose();
}

function decodeOnly(): void {
  const model = new FleetModel({ sites: 1, rigsPerSite: 1000, seed: 7, intervalMs: 5000, faultRate: 0, gpuEvery: 25, startMs: Date.now() - 7_200_000 });
  const site = model.sites[0]!;
  const payload = Buffer.from(JSON.stringify({ schema: 1, samples: model.samplesAt(site, 0, Date.now()) }));
  const topic = telemetryTopic(site.id, 'ctl');
  const rounds = 100;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) if (!decodeMessage(topic, payload, 64e6).ok) throw new Error('decode failed');
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`decode + validate only (one core): ${Math.round((rounds * 1000) / seconds)} samples/s (${(payload.length / 1000).toFixed(0)} bytes per sample)`);
}

decodeOnly();
await run('1 instance (MQTT 3.1.1, persistent session)', 1);
const redis = await startRedis();
await run('2 instances ($share/rigline, Redis peer sync)', 2, redis.url);
await redis.dispose();
