import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { TELEMETRY_SUBSCRIPTION, type SampleBatch } from '../../server/contract/index.js';
import { probeCgminer } from '../../agents/cgminer/index.js';
import { parseAgentConfig } from '../../agents/runtime/config.js';
import { startAgent } from '../../agents/runtime/start.js';
import { Spool } from '../../agents/spool/spool.js';
import { DEVICES } from '../agents/recordings.js';
import { loadRecordings, startFakeMiner } from '../helpers/fake-miner.js';
import { startMosquitto } from '../helpers/services.js';

/**
 * `npm run bench -- agent-replay`: how fast the store-and-forward spool fills and drains. Writes a backlog of
 * RECORDS messages × 500 real-shaped ASIC samples (a recorded Antminer S19 Pro sample, one per rig) to the spool,
 * each append fdatasync'd as the agent does, then starts an agent against a real Mosquitto and times the replay
 * until a subscriber has every sample. Figures: append rate, replay rate, and what a day's outage of 500 miners
 * every 10 s (4.32 M samples) would take to drain at that rate.
 */
const RECORDS = Number(process.env.BENCH_REPLAY_RECORDS ?? 200);
const PER_RECORD = 500;

const dir = mkdtempSync(join(tmpdir(), 'rigline-bench-replay-'));
const miner = await startFakeMiner({ replies: loadRecordings(DEVICES.antminerStock) });
const template = await probeCgminer(miner.host, miner.port, { site: 'bench-site', rig: 'r', intervalS: 10 });
await miner.close();
const broker = await startMosquitto();
try {
  const spool = await Spool.open({ dir, maxBytes: 4 * 1024 * 1024 * 1024 });
  let seq = 1;
  const appendStart = performance.now();
  for (let r = 0; r < RECORDS; r++) {
    const samples = Array.from({ length: PER_RECORD }, (_, i) => ({ ...template, rig: `miner-${i}`, ts: template.ts + r * 10_000, seq: seq + i }));
    await spool.append(seq, samples);
    seq += PER_RECORD;
  }
  const appendS = (performance.now() - appendStart) / 1000;
  const { bytes } = spool.stats();
  await spool.close();
  const total = RECORDS * PER_RECORD;
  console.log(`spool append: ${RECORDS} messages × ${PER_RECORD} samples (${(bytes / 1048576).toFixed(0)} MiB) in ${appendS.toFixed(2)} s`);
  console.log(`  ${(RECORDS / appendS).toFixed(0)} fdatasync'd messages/s, ${(total / appendS).toFixed(0)} samples/s, ${(bytes / 1048576 / appendS).toFixed(1)} MiB/s`);

  let received = 0;
  const subscriber = await mqtt.connectAsync(broker.url);
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  subscriber.on('message', (_t, payload) => {
    received += (JSON.parse(payload.toString()) as SampleBatch).samples.length;
    if (received >= total) done();
  });
  await subscriber.subscribeAsync(TELEMETRY_SUBSCRIPTION, { qos: 1 });

  const config = parseAgentConfig({
    site: 'bench-site',
    agent_id: 'bench-controller',
    interval_s: 3600,
    mqtt: { url: broker.url },
    sources: [{ type: 'cgminer', host: '127.0.0.1' }],
    spool: { dir },
  });
  const replayStart = performance.now();
  const agent = await startAgent(config, { sources: [], log: pino({ level: 'warn' }) });
  await all;
  const replayS = (performance.now() - replayStart) / 1000;
  await agent.stop();
  await subscriber.endAsync();
  const rate = total / replayS;
  console.log(`replay: ${total} samples to a subscriber in ${replayS.toFixed(2)} s = ${rate.toFixed(0)} samples/s (max_in_flight 16)`);
  console.log(`  a 24 h outage of 500 miners every 10 s (4.32 M samples) drains in about ${(4_320_000 / rate / 60).toFixed(1)} min`);
} finally {
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
}
