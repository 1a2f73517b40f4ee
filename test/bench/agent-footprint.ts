import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify as toYaml } from 'yaml';
import { TELEMETRY_SUBSCRIPTION, type SampleBatch } from '../../server/contract/index.js';
import { DEVICES } from '../agents/recordings.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';
import { startMosquitto } from '../helpers/services.js';

/**
 * `npm run bench:agent`: the footprint of one rigline-agent process (the real CLI, as a child process) polling
 * MINERS fake miners (recorded Antminer, LuxOS and Whatsminer replies over real TCP) every 10 s and publishing to
 * a real Mosquitto. Samples RSS and CPU time from /proc every second for SECONDS (default 60), and counts what
 * reaches a subscriber. Figures: RSS min/mean/max, CPU % of one core, CPU ms per round and per miner.
 */
const MINERS = Number(process.env.BENCH_AGENT_MINERS ?? 500);
const SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 60);
const INTERVAL_S = 10;
const CLK_TCK = 100; // Linux USER_HZ

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'rigline-bench-agent-'));
const broker = await startMosquitto();
const miners: FakeMiner[] = [];
const families = [DEVICES.antminerStock, DEVICES.luxos, DEVICES.whatsminerV1];
try {
  for (let i = 0; i < MINERS; i++) miners.push(await startFakeMiner({ replies: loadRecordings(families[i % families.length] as Record<string, string>) }));
  const file = join(dir, 'agent.yaml');
  writeFileSync(
    file,
    toYaml({
      site: 'bench-site',
      agent_id: 'bench-controller',
      interval_s: INTERVAL_S,
      timeout_ms: 5000,
      mqtt: { url: broker.url },
      sources: miners.map((m, i) => ({ type: 'cgminer', host: m.host, port: m.port, rig: `miner-${i}` })),
      spool: { dir: join(dir, 'spool') },
      log: { level: 'warn' },
    }),
  );

  const received = new Set<string>();
  let samples = 0;
  const subscriber = await mqtt.connectAsync(broker.url);
  subscriber.on('message', (_t, payload) => {
    const batch = JSON.parse(payload.toString()) as SampleBatch;
    samples += batch.samples.length;
    for (const s of batch.samples) received.add(s.rig);
  });
  await subscriber.subscribeAsync(TELEMETRY_SUBSCRIPTION, { qos: 1 });

  const child = spawn(process.execPath, ['agents/bin/rigline-agent.js', 'run', '--config', file], { stdio: ['ignore', 'inherit', 'inherit'] });
  const pid = child.pid as number;
  const rss: number[] = [];
  const started = performance.now();
  // Skip the start-up (tsx compiling the agent) so the figures are the steady state.
  await new Promise((r) => setTimeout(r, 3000));
  const cpuStart = cpuSeconds(pid);
  const wallStart = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(rssMiB(pid));
  }
  const cpu = cpuSeconds(pid) - cpuStart;
  const wall = (performance.now() - wallStart) / 1000;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await subscriber.endAsync();

  const rounds = wall / INTERVAL_S;
  const mean = rss.reduce((a, b) => a + b, 0) / rss.length;
  console.log(`agent footprint: ${MINERS} fake miners every ${INTERVAL_S} s for ${SECONDS} s (steady state ${wall.toFixed(0)} s)`);
  console.log(`  RSS MiB: min ${Math.min(...rss).toFixed(1)}, mean ${mean.toFixed(1)}, max ${Math.max(...rss).toFixed(1)}`);
  console.log(`  CPU: ${((100 * cpu) / wall).toFixed(2)} % of one core; ${((1000 * cpu) / rounds).toFixed(0)} ms per round, ${((1000 * cpu) / rounds / MINERS).toFixed(2)} ms per miner poll`);
  console.log(`  delivered: ${samples} samples from ${received.size} of ${MINERS} miners (${(samples / MINERS).toFixed(1)} rounds' worth)`);
  if (received.size !== MINERS) process.exitCode = 1;
} finally {
  await Promise.all(miners.map((m) => m.close()));
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
}
