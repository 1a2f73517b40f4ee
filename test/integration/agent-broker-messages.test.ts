import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../server/broker/embedded.js';
import { redact } from '../../agents/runtime/broker-log.js';
import { waitFor } from '../helpers/server.js';

/**
 * The agent process says at once why it cannot reach its broker, instead of "agent started" and then silence:
 * a refused login and a port where no broker listens each give a clear line, and the agent keeps retrying.
 */
const BIN = 'agents/bin/rigline-agent.js';
const dir = mkdtempSync(join(tmpdir(), 'rigline-agent-broker-'));
const children: ChildProcess[] = [];
let broker: EmbeddedBroker | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await broker?.close();
  broker = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A loopback port with nothing listening: bound once to learn a free number, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function runAgent(name: string, mqttYaml: string, minerPort: number): { stderr: () => string } {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'site: site-msg',
      `agent_id: ${name}`,
      'interval_s: 5',
      `mqtt: ${mqttYaml}`,
      'sources:',
      `  - { type: cgminer, rig: miner-1, host: 127.0.0.1, port: ${minerPort} }`,
      `spool: { dir: "${join(dir, `spool-${name}`)}" }`,
      'log: { level: info }',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { stderr: () => stderr };
}

/** The pino lines the agent wrote so far, parsed. */
interface LogLine {
  level: number;
  time: number;
  msg: string;
  reason?: string;
  retry_in_ms?: number;
}
const lines = (stderr: string): LogLine[] =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

describe('agent broker messages', () => {
  it('a refused MQTT login is logged at once with its reason, then retried', async () => {
    broker = await startEmbeddedBroker('127.0.0.1', 0, {
      authenticate: (_client, _user, _password, done) => done(Object.assign(new Error('bad credentials'), { returnCode: 4 }), false),
    });
    const agent = runAgent('refused', `{ url: "mqtt://127.0.0.1:${broker.port}", username: u, password: wrong, reconnect: { initial_ms: 200, max_ms: 1000 } }`, await closedPort());
    const line = await waitFor(() => lines(agent.stderr()).find((l) => /cannot connect to the MQTT broker/.test(l.msg)), 15_000, 'the broker line');
    expect(line.msg).toMatch(/^cannot connect to the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+: the broker refused the login: bad user name or password; retrying in \d+/);
    expect(line.msg).not.toContain('wrong');
    expect(line.level).toBe(40);
    // It came right after start-up (pino's own timestamps; the bound is generous), not after 15-25 s of silence.
    const started = lines(agent.stderr()).find((l) => l.msg === 'agent started');
    expect(line.time - (started?.time ?? Number.NaN)).toBeLessThan(5000);
  }, 30_000);

  it('an unreachable broker is logged at once with its reason', async () => {
    const agent = runAgent('nobroker', `{ url: "mqtt://127.0.0.1:${await closedPort()}", reconnect: { initial_ms: 200, max_ms: 1000 } }`, await closedPort());
    const line = await waitFor(() => lines(agent.stderr()).find((l) => /cannot connect to the MQTT broker/.test(l.msg)), 15_000, 'the broker line');
    expect(line.msg).toMatch(/^cannot connect to the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+: no broker listening there \(connection refused\); retrying in \d+/);
    expect(line.reason).toBe('no broker listening there (connection refused)');
    expect(line.retry_in_ms).toBeGreaterThanOrEqual(200);
  }, 30_000);

  it('redacts credentials in broker URLs', () => {
    expect(redact('mqtt://user:secret@broker.local:1883')).toBe('mqtt://***@broker.local:1883');
    expect(redact('mqtts://broker.local:8883')).toBe('mqtts://broker.local:8883');
  });
});
