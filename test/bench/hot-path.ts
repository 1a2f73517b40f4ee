import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startTestServer } from '../helpers/server.js';
import { fleetPayloads, type Payload } from './lib/load.js';
import { target } from './lib/summary.js';

/**
 * `npm run bench:hotpath`: the server's CPU per sample on the ingest hot path, in process, without the services
 * (so it is stable on a busy machine): every message goes through the same `ingest.handle` the MQTT client calls
 * (decode, checks, dedupe, line protocol, write buffer, live state, alert rules), and the write buffer's batches go
 * to a sink process that answers 204 as InfluxDB does. What it leaves out, the MQTT client's packet parsing and
 * socket I/O, is in `npm run bench:ingest`'s figure. Sizes: BENCH_HOT_RIGS (20000), BENCH_HOT_TICKS (20, of which the first 5 warm up and are not counted); BENCH_HOT_MODES (batched,single);
 * BENCH_HOT_TRACE=1 prints each tick's figure (a full garbage collection shows as one tick far above the rest).
 */
const RIGS = Number(process.env.BENCH_HOT_RIGS ?? 20_000);
const TICKS = Number(process.env.BENCH_HOT_TICKS ?? 20);
// The first ticks fill live state (a record per rig) and warm the JIT: steady state is what a running server pays.
const WARMUP = 5;

function startSink(): Promise<{ url: string; child: ChildProcess }> {
  // Writes get 204; queries (the store's schema setup) an empty result, so retention and rollups run as in production.
  const code = `require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => { if (req.url.startsWith('/query')) { res.setHeader('content-type', 'application/json'); res.end('{"results":[{"statement_id":0}]}'); } else { res.statusCode = 204; res.end(); } }); }).listen(0, '127.0.0.1', function () { process.send(this.address().port); });`;
  const child = fork('-e', [code], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve) => child.once('message', (port) => resolve({ url: `http://127.0.0.1:${port as number}`, child })));
}

/** A message's bytes with room for a timestamp of `digits` digits between its parts; stamp() writes one in place. */
function stampable(parts: readonly string[], digits: number): { stamp: (ts: string) => Buffer } {
  const body = Buffer.from(parts.join('0'.repeat(digits)));
  const offsets: number[] = [];
  let at = 0;
  for (const part of parts.slice(0, -1)) {
    at += Buffer.byteLength(part);
    offsets.push(at);
    at += digits;
  }
  return {
    stamp: (ts) => {
      if (ts.length !== digits) throw new Error(`timestamp ${ts} is not ${digits} digits`);
      for (const offset of offsets) body.write(ts, offset, 'latin1');
      return body;
    },
  };
}

async function run(mode: 'batched' | 'single'): Promise<number> {
  const sink = await startSink();
  const rigline = await startTestServer({
    // manage_retention as in production: the server sums each rig's 1-minute rollup as it ingests (minute-rollups.ts).
    store: { kind: 'influxdb1', influxdb: { url: sink.url, database: 'hot', manage_retention: true } },
    sim: { enabled: false },
  });
  const sites = RIGS / 1000;
  const { payloads } = fleetPayloads(sites, 1000, mode);
  // Stamped from now on, as live samples are: the server's open minutes take them (older ones would be backfilled).
  const start = Date.now();
  // Each message's bytes are built once; every tick writes its time into them in place. Building a fresh megabyte
  // string per message here would put the harness's own garbage in the measured process (V8 keeps such strings in
  // its large-object space and runs a full collection for them, which the server's CPU time would then include);
  // the server gets each message as bytes, as mqtt.js hands them over.
  const messages = payloads.map((p) => stampable(p.parts, String(start).length));
  let cpu = 0;
  let samples = 0;
  for (let tick = 0; tick < TICKS; tick++) {
    const ts = String(start + tick * 1000);
    const buffers = messages.map((m, i) => ({ topic: (payloads[i] as Payload).topic, body: m.stamp(ts), samples: (payloads[i] as Payload).samples }));
    let pending = 0;
    const durable = (): void => void pending--;
    const t0 = process.cpuUsage();
    for (const b of buffers) {
      pending++;
      rigline.ingest.handle(b.topic, b.body, durable);
    }
    // Let the write buffer, timers and sink answers run: their CPU is the hot path's too.
    while (pending > 0) await new Promise((r) => setTimeout(r, 5));
    const used = process.cpuUsage(t0);
    if (process.env.BENCH_HOT_TRACE) console.log(`    tick ${tick}: ${((used.user + used.system) / buffers.reduce((n, b) => n + b.samples, 0)).toFixed(1)} µs (user ${(used.user / 1000).toFixed(0)} ms, system ${(used.system / 1000).toFixed(0)} ms)`);
    if (tick >= WARMUP) {
      cpu += used.user + used.system;
      samples += buffers.reduce((n, b) => n + b.samples, 0);
    }
  }
  const stored = rigline.counters.stored;
  await rigline.stop();
  sink.child.kill();
  await once(sink.child, 'exit');
  const us = cpu / samples;
  console.log(`  ${mode.padEnd(8)} ${RIGS} rigs × ${TICKS - WARMUP} ticks: ${us.toFixed(1)} µs CPU per sample (${stored} stored, ${samples} measured)`);
  return us;
}

console.log(`hot path (in process, InfluxDB replaced by a 204 sink):`);
const modes = (process.env.BENCH_HOT_MODES ?? 'batched,single').split(',');
if (modes.includes('batched')) {
  const batched = await run('batched');
  target('server CPU per sample in process, batched ≤ 25 µs (MQTT I/O left out)', `${batched.toFixed(1)} µs`, batched <= 25);
}
if (modes.includes('single')) {
  const single = await run('single');
  target('server CPU per sample in process, one rig per message ≤ 60 µs (MQTT I/O left out)', `${single.toFixed(1)} µs`, single <= 60);
}
