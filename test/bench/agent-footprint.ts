import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify as toYaml } from 'yaml';
import { TELEMETRY_SUBSCRIPTION, type SampleBatch } from '../../server/contract/index.js';
import { DEVICES } from '../agents/recordings.js';
import { AGENT_BUNDLE, buildPrograms } from '../helpers/build.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';
import { startMosquitto } from '../helpers/services.js';
import { procSample } from './lib/proc.js';

/**
 * `npm run bench:agent`: the footprint of the BUILT agent (dist/agent/rigline-agent.cjs, what a rig host installs),
 * run with the node flags and environment of the systemd unit (config/rigline-agent.service), against fake miners (recorded Antminer, LuxOS and
 * Whatsminer replies over real TCP) and a real Mosquitto.
 *
 * - start: `rigline-agent --version` wall time, and `run` from spawn to its retained `online` status at the broker
 *   (process start, config, MQTT connect), medians of STARTS runs;
 * - idle: RSS of an agent polling one miner for IDLE_SECONDS, sampled each second once started (3 s);
 * - polling: RSS of an agent polling MINERS miners every 10 s for SECONDS, sampled each second, CPU per round, and
 *   every miner's samples reaching a subscriber. The kernel's high-water mark (start-up included) is printed too.
 * Ends with a table of the targets (issue 16): start < 0.5 s, < 60 MiB idle, < 90 MiB polling 500 miners.
 */
const MINERS = Number(process.env.BENCH_AGENT_MINERS ?? 500);
const SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 60);
const IDLE_SECONDS = Number(process.env.BENCH_AGENT_IDLE_SECONDS ?? 20);
const STARTS = 5;
const INTERVAL_S = 10;

/**
 * The agent runs as the shipped systemd unit runs it: the node flags of its ExecStart and its Environment= lines
 * (config/rigline-agent.service). BENCH_AGENT_NODE_FLAGS replaces the flags for experiments.
 */
function unitSettings(): { flags: string[]; env: Record<string, string> } {
  const unit = readFileSync('config/rigline-agent.service', 'utf8');
  const exec = /^ExecStart=\S*node((?:\s+--\S+)*)\s/m.exec(unit)?.[1] ?? '';
  const env = Object.fromEntries([...unit.matchAll(/^Environment=(\w+)=(\S*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
  return { flags: exec.split(/\s+/).filter(Boolean), env };
}
const UNIT = unitSettings();
const NODE_FLAGS = process.env.BENCH_AGENT_NODE_FLAGS !== undefined ? process.env.BENCH_AGENT_NODE_FLAGS.split(' ').filter(Boolean) : UNIT.flags;
const AGENT_ENV = { ...process.env, ...UNIT.env };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

buildPrograms();
const dir = mkdtempSync(join(tmpdir(), 'rigline-bench-agent-'));
const broker = await startMosquitto();
const miners: FakeMiner[] = [];
const families = [DEVICES.antminerStock, DEVICES.luxos, DEVICES.whatsminerV1];

function writeConfig(name: string, count: number): string {
  const file = join(dir, `${name}.yaml`);
  const sources = miners.slice(0, count).map((m, i) => ({ type: 'cgminer', host: m.host, port: m.port, rig: `miner-${i}` }));
  writeFileSync(
    file,
    toYaml({
      site: 'bench-site',
      agent_id: `bench-${name}`,
      interval_s: INTERVAL_S,
      timeout_ms: 5000,
      mqtt: { url: broker.url },
      sources,
      spool: { dir: join(dir, `spool-${name}`) },
      log: { level: 'warn' },
    }),
  );
  return file;
}

function runAgent(config: string): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, AGENT_BUNDLE, 'run', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'], env: AGENT_ENV });
}

async function stopAgent(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** Seconds from spawn until the agent's retained `online` status reaches a subscriber. */
async function timeToOnline(config: string, agentId: string): Promise<number> {
  const subscriber = await mqtt.connectAsync(broker.url);
  const online = new Promise<number>((resolve) => {
    subscriber.on('message', (topic, payload) => {
      if (payload.length === 0) return; // the cleared retained status below
      if (topic.includes(`/${agentId}/`) && (JSON.parse(payload.toString()) as { state?: string }).state === 'online') resolve(performance.now());
    });
  });
  await subscriber.subscribeAsync('rigline/v1/+/+/status', { qos: 1 });
  // A previous run's retained 'offline' must not be mistaken: clear it first.
  await subscriber.publishAsync(`rigline/v1/bench-site/${agentId}/status`, '', { retain: true, qos: 1 });
  const started = performance.now();
  const child = runAgent(config);
  const at = await online;
  await stopAgent(child);
  await subscriber.endAsync();
  return (at - started) / 1000;
}

/**
 * RSS of an agent running `config` for `seconds`, sampled every second after `settleS` (start-up done): the largest
 * sample (`max`), the mean, the kernel's high-water mark over the whole life (`hwm`, start-up included), CPU seconds.
 */
async function footprint(config: string, seconds: number, settleS: number): Promise<{ max: number; mean: number; hwm: number; cpuS: number; wallS: number }> {
  const child = runAgent(config);
  const pid = child.pid as number;
  const rss: number[] = [];
  const started = performance.now();
  let first = procSample(pid);
  while (performance.now() - started < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    const sample = procSample(pid);
    if (!sample) break;
    first ??= sample;
    if (performance.now() - started >= settleS * 1000) rss.push(sample.rssMiB);
  }
  const last = procSample(pid);
  await stopAgent(child);
  if (!last || rss.length === 0) throw new Error(`the agent exited early (code ${child.exitCode})`);
  const max = Math.max(...rss);
  const mean = rss.reduce((a, b) => a + b, 0) / rss.length;
  return { max, mean, hwm: last.peakRssMiB, cpuS: last.cpuS - (first?.cpuS ?? 0), wallS: (performance.now() - started) / 1000 };
}

const rows: { target: string; value: string; met: boolean }[] = [];
try {
  for (let i = 0; i < MINERS; i++) miners.push(await startFakeMiner({ replies: loadRecordings(families[i % families.length] as Record<string, string>) }));

  // Start-up: wall time, and the CPU time the process spent (user + system, from an exit hook preloaded with -r).
  // CPU time is what a start costs on an idle machine; wall time on a loaded one also counts the wait for a core,
  // so bare `node -e 0` is timed alike for scale.
  const cpuHook = join(dir, 'cpu-at-exit.cjs');
  writeFileSync(cpuHook, "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('cpu-ms ' + (u.user + u.system) / 1000 + '\\n'); });\n");
  const startOf = (args: string[]): { wallS: number; cpuS: number } => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [...NODE_FLAGS, '-r', cpuHook, ...args], { encoding: 'utf8', env: AGENT_ENV });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
    return { wallS: (performance.now() - started) / 1000, cpuS: Number(/cpu-ms ([\d.]+)/.exec(result.stderr)?.[1]) / 1000 };
  };
  const bare = Array.from({ length: STARTS }, () => startOf(['-e', '0']));
  const version = Array.from({ length: STARTS }, () => startOf([AGENT_BUNDLE, '--version']));
  const idleConfig = writeConfig('idle', 1);
  const onlineTimes: number[] = [];
  for (let i = 0; i < STARTS; i++) onlineTimes.push(await timeToOnline(idleConfig, 'bench-idle'));
  const idle = await footprint(idleConfig, IDLE_SECONDS, 3);

  const received = new Set<string>();
  let samples = 0;
  const subscriber = await mqtt.connectAsync(broker.url);
  subscriber.on('message', (_t, payload) => {
    const batch = JSON.parse(payload.toString()) as SampleBatch;
    samples += batch.samples.length;
    for (const s of batch.samples) received.add(s.rig);
  });
  await subscriber.subscribeAsync(TELEMETRY_SUBSCRIPTION, { qos: 1 });
  const busy = await footprint(writeConfig('busy', MINERS), SECONDS, 0);
  await subscriber.endAsync();

  const rounds = busy.wallS / INTERVAL_S;
  const settings = [...NODE_FLAGS, ...Object.entries(UNIT.env).map(([k, v]) => `${k}=${v}`)].join(' ');
  console.log(`agent footprint (built agent ${AGENT_BUNDLE}, node ${process.version}, as the systemd unit runs it: ${settings || 'no flags'})`);
  const versionCpu = median(version.map((v) => v.cpuS));
  console.log(`  start, medians of ${STARTS}: \`rigline-agent --version\` ${median(version.map((v) => v.wallS)).toFixed(2)} s wall, ${versionCpu.toFixed(2)} s CPU; bare \`node -e 0\` ${median(bare.map((v) => v.wallS)).toFixed(2)} s wall, ${median(bare.map((v) => v.cpuS)).toFixed(2)} s CPU`);
  console.log(`  run → retained 'online' at the broker (connect included): median ${median(onlineTimes).toFixed(2)} s wall`);
  console.log(`  idle (1 miner, ${IDLE_SECONDS} s): RSS max ${idle.max.toFixed(1)}, mean ${idle.mean.toFixed(1)} MiB (high-water mark with start-up ${idle.hwm.toFixed(1)})`);
  console.log(`  polling ${MINERS} miners every ${INTERVAL_S} s for ${SECONDS} s: RSS max ${busy.max.toFixed(1)}, mean ${busy.mean.toFixed(1)} MiB (high-water mark ${busy.hwm.toFixed(1)})`);
  console.log(`  CPU: ${((100 * busy.cpuS) / busy.wallS).toFixed(2)} % of one core; ${((1000 * busy.cpuS) / rounds).toFixed(0)} ms per round, ${((1000 * busy.cpuS) / rounds / MINERS).toFixed(2)} ms per miner poll`);
  console.log(`  delivered: ${samples} samples from ${received.size} of ${MINERS} miners (${(samples / MINERS).toFixed(1)} rounds' worth)`);

  rows.push({ target: 'agent start (CPU time to --version) < 0.5 s', value: `${versionCpu.toFixed(2)} s`, met: versionCpu < 0.5 });
  rows.push({ target: 'agent idle RSS < 60 MiB', value: `${idle.max.toFixed(1)} MiB`, met: idle.max < 60 });
  rows.push({ target: `agent RSS polling ${MINERS} miners < 90 MiB`, value: `${busy.max.toFixed(1)} MiB`, met: busy.max < 90 });
  rows.push({ target: `every miner delivered`, value: `${received.size} of ${MINERS}`, met: received.size === MINERS });
  console.log('\n  target                                     measured     met');
  for (const r of rows) console.log(`  ${r.target.padEnd(42)} ${r.value.padEnd(12)} ${r.met ? 'yes' : 'NO'}`);
  if (received.size !== MINERS) process.exitCode = 1;
} finally {
  await Promise.all(miners.map((m) => m.close()));
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
}
