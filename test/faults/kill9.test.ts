import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { telemetryTopic } from '../../server/contract/index.js';
import { influxCount } from '../helpers/influx.js';
import { waitFor } from '../helpers/server.js';
import { freePort, hasService, startInfluxDb, startMosquitto, type Service } from '../helpers/services.js';

/**
 * Finding 9 of issue 10: `kill -9` of the server lost samples it had already acknowledged to the broker. The server
 * runs as its own process (the shipped bin) against real Mosquitto and InfluxDB while an agent publishes 2,000
 * samples/s (20 batches of 100 a second, QoS 1); it is killed with SIGKILL at 5 random moments and started again
 * each time. Every sample the broker acknowledged to the agent must end up in InfluxDB exactly once.
 *
 * The server is bundled once (esbuild, test/artifacts) so that each restart takes a second, not the tens of seconds
 * tsx's on-the-fly compilation takes on a loaded 2-core machine: what is measured is the crash, not the compiler.
 */
const RATE_BATCHES_PER_S = 20;
const RIGS = 100;
const KILLS = 5;
const model = new FleetModel({ sites: 1, rigsPerSite: RIGS, seed: 9, intervalMs: 1000, faultRate: 0, gpuEvery: 0 });
const site = model.sites[0]!;

describe.skipIf(!hasService('mosquitto', 'mosquitto') || !hasService('influxd', 'influxdb'))('kill -9 of the server under load', () => {
  let mosquitto: Service;
  let influx: Service;
  let dir: string;
  let configFile: string;
  let server: ChildProcess | null = null;
  let port = 0;

  const bundle = 'test/artifacts/kill9/rigline-server.mjs';
  beforeAll(async () => {
    [mosquitto, influx] = await Promise.all([startMosquitto(), startInfluxDb()]);
    await build({ entryPoints: ['server/main.ts'], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'error' });
    dir = mkdtempSync(join(tmpdir(), 'rigline-kill9-'));
    configFile = join(dir, 'rigline.yaml');
    writeFileSync(
      configFile,
      [
        `server: { host: 127.0.0.1, port: ${(port = await freePort())}, web_dir: ${join(dir, 'no-web')} }`,
        `mqtt: { mode: external, url: '${mosquitto.url}', client_id: rigline-kill9 }`,
        `store: { kind: influxdb1, influxdb: { url: '${influx.url}', database: kill9, batch_points: 2000, flush_interval_ms: 200 } }`,
        'sim: { enabled: false }',
        'alerts: { enabled: false }',
        'auth: { credentials_file: null, anonymous: viewer }',
        'log: { level: warn }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    await mosquitto?.dispose();
    await influx?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the server process; resolves once it says it is running (ingest connected). */
  const startServer = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bundle, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const onData = (chunk: Buffer): void => {
        out += chunk.toString();
        if (out.includes('rigline is running')) resolve(child);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before it ran: ${out.slice(-2000)}`)));
    });

  const kill = (child: ChildProcess): Promise<void> =>
    new Promise((resolve) => {
      child.removeAllListeners('exit');
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

  it('stores every sample the broker acknowledged: stored = published', { timeout: 480_000 }, async () => {
    server = await startServer();
    const agent = await mqtt.connectAsync(mosquitto.url, { clientId: 'kill9-agent', clean: true });
    const t0 = Date.now() - 60_000;
    let batch = 0;
    let published = 0;
    const acks: Promise<void>[] = [];
    // Paced by the clock, not by timer ticks: a loaded machine delays timers, the rate stays 2,000 samples/s.
    const started = Date.now();
    const timer = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE_BATCHES_PER_S);
      while (batch < due) {
        const i = batch++;
        // One point per sample (no per-board points): InfluxDB on a loaded machine must keep up with 2,000/s.
        const samples = model.samplesAt(site, i, t0 + i).map((sample) => (sample.kind === 'asic' ? { ...sample, boards: [] } : sample));
        acks.push(agent.publishAsync(telemetryTopic(site.id, 'ctl'), JSON.stringify({ schema: 1, samples }), { qos: 1 }).then(() => void (published += samples.length)));
      }
    }, 1000 / RATE_BATCHES_PER_S);

    const moments: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const after = 300 + Math.floor(Math.random() * 2700);
      moments.push(after);
      await new Promise((r) => setTimeout(r, after));
      await kill(server);
      server = await startServer();
    }
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(timer);
    await Promise.all(acks);
    const seconds = (Date.now() - started) / 1000;
    const stored = await waitFor(
      async () => {
        const n = await influxCount(influx, 'kill9', '"raw"."rig"').catch(() => 0);
        return n >= published ? n : undefined;
      },
      180_000,
      'every published sample in InfluxDB',
    ).catch(async () => influxCount(influx, 'kill9', '"raw"."rig"'));
    const health = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.text(), (e: Error) => e.message);
    console.log(`kill -9 at ${KILLS} random moments (${moments.join(', ')} ms after each start), ${(published / seconds).toFixed(0)} samples/s over ${seconds.toFixed(0)} s: published ${published}, stored ${stored}; last server: ${health}`);
    expect(stored).toBe(published);
    expect(published).toBeGreaterThan(KILLS * 1000);
    await agent.endAsync();
    await kill(server);
    server = null;
  });
});
