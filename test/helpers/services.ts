import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real services for integration tests (Debian packages), each on a free loopback port with a temporary data
 * directory. Under CI=true a missing binary is an error; elsewhere the suite is skipped with a message that names
 * the package to install.
 */
export function hasService(binary: string, debianPackage: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
  if (found) return true;
  const message = `${binary} not found: install it with 'apt-get install -y ${debianPackage}'`;
  if (process.env.CI === 'true') throw new Error(`${message} (required under CI=true)`);
  console.warn(`skipping tests that need ${binary}: ${message}`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A child service that can be stopped and started again on the same port and data (outage tests). */
export interface Service {
  port: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Removes the data directory too. */
  dispose(): Promise<void>;
}

function managed(command: string, args: string[], port: number, url: string, dir: string, ready: () => Promise<void>): Service {
  let child: ChildProcess | null = null;
  let output = '';
  const service: Service = {
    port,
    url,
    dir,
    async start() {
      output = '';
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      const exited = new Promise<never>((_, reject) =>
        child?.once('exit', (code) => reject(new Error(`${command} exited with ${code}: ${output}`))),
      );
      await Promise.race([ready(), exited]);
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
        setTimeout(() => running.kill('SIGKILL'), 5000).unref();
      });
    },
    async dispose() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return service;
}

/**
 * freePort() finds a port that is free now; a service started in parallel (CI runs test files side by side) may take
 * it before ours binds. Such a start fails with "address in use": it is tried again on fresh ports.
 */
async function onFreshPortIfTaken(start: () => Promise<Service>): Promise<Service> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 3 || !/in use/i.test((err as Error).message)) throw err;
    }
  }
}

export interface MosquittoOptions {
  /** Per-client queue for offline/slow persistent sessions; Mosquitto's default 1000 silently drops. */
  maxQueuedMessages?: number;
  /** Extra lines for mosquitto.conf (password_file, acl_file, listeners…). */
  extraConfig?: string[];
  /** Keep persistent sessions across a restart (written to the data directory). */
  persistence?: boolean;
  /** Seconds between saves of the persistence file (1: the restart tests need what was queued a moment ago). */
  autosaveIntervalS?: number;
  allowAnonymous?: boolean;
}

export function startMosquitto(options: MosquittoOptions = {}): Promise<Service> {
  return onFreshPortIfTaken(() => startMosquittoOnce(options));
}

async function startMosquittoOnce(options: MosquittoOptions = {}): Promise<Service> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rigline-mosquitto-'));
  // Started as root, Mosquitto drops to its own user; it must still be able to write its persistence file here.
  chmodSync(dir, 0o777);
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      `allow_anonymous ${options.allowAnonymous ?? true}`,
      `max_queued_messages ${options.maxQueuedMessages ?? 1_000_000}`,
      // As config/mosquitto.conf: ingest acknowledges after storage, so messages in flight set its throughput.
      'max_inflight_messages 20000',
      `persistence ${options.persistence ?? true}`,
      `persistence_location ${dir}/`,
      `autosave_interval ${options.autosaveIntervalS ?? 1}`,
      'log_dest stderr',
      'log_type error',
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const service = managed('mosquitto', ['-c', conf], port, `mqtt://127.0.0.1:${port}`, dir, () => waitForPort(port));
  await service.start();
  return service;
}

export interface InfluxDbOptions {
  /** Extra lines for the [data] section (e.g. `wal-fsync-delay = "100ms"` in benchmarks). */
  data?: string[];
  /** [coordinator] write-timeout (InfluxDB's default 10s answers 500 "timeout" on a heavily loaded machine). */
  writeTimeout?: string;
}

export function startInfluxDb(options: InfluxDbOptions = {}): Promise<Service> {
  return onFreshPortIfTaken(() => startInfluxDbOnce(options));
}

async function startInfluxDbOnce(options: InfluxDbOptions = {}): Promise<Service> {
  const port = await freePort();
  const rpcPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rigline-influxdb-'));
  const conf = join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
${(options.data ?? []).map((line) => `  ${line}\n`).join('')}${options.writeTimeout ? `[coordinator]\n  write-timeout = "${options.writeTimeout}"\n` : ''}[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = true
  log-enabled = false
  run-interval = "1s"
`,
  );
  const url = `http://127.0.0.1:${port}`;
  const ready = async (): Promise<void> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ok = await fetch(`${url}/ping`).then((r) => r.status === 204, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error('influxd did not answer /ping');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const service = managed('influxd', ['run', '-config', conf], port, url, dir, ready);
  await service.start();
  return service;
}

export function startRedis(): Promise<Service> {
  return onFreshPortIfTaken(() => startRedisOnce());
}

async function startRedisOnce(): Promise<Service> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rigline-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const service = managed('redis-server', args, port, `redis://127.0.0.1:${port}`, dir, () => waitForPort(port));
  await service.start();
  return service;
}
