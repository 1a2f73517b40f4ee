import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentStatus, AsicSample, GpuSample, SampleBatch, statusTopic, telemetryTopic } from '../../server/contract/index.js';
import { loadAgentConfig } from '../../agents/runtime/config.js';
import { DEVICES } from '../agents/recordings.js';
import { loadRecordings, startFakeMiner } from '../helpers/fake-miner.js';
import { fakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';
import { waitFor } from '../helpers/server.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

const BIN = 'agents/bin/rigline-agent.js';
/** Runs the CLI as a child process; async so in-process fake miners keep answering meanwhile. */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
const dir = mkdtempSync(join(tmpdir(), 'rigline-agent-cli-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rigline-agent CLI', () => {
  it('probe --nvidia-smi --json prints a contract GPU sample', async () => {
    const result = await cli('probe', '--nvidia-smi', '--json', '--path', fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/rtx-3080-v13.xml'));
    expect(result.status).toBe(0);
    const sample = GpuSample.parse(JSON.parse(result.stdout));
    expect(sample.gpus[0]).toMatchObject({ name: 'NVIDIA GeForce RTX 3080', utilization_pct: 65, power_w: 139.62 });
  });

  it('probe --nvidia-smi says why when nvidia-smi fails', async () => {
    const result = await cli('probe', '--nvidia-smi', '--path', fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/tesla-t4.xml', { exitCode: 9 }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/exited with 9: NVIDIA-SMI has failed/);
  });

  it('prints one line per config problem and exits 1', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'site: Bad Site\nagent_id: a\ninterval_s: -1\nsources: []\n');
    const result = await cli('run', '--config', file);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'site: must match [a-z0-9-], 1 to 64 characters',
      'interval_s: Too small: expected number to be >=0.1',
      'sources: list at least one source',
    ]);
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await cli('frobnicate')).status).toBe(2);
    expect((await cli('probe')).status).toBe(2);
    expect((await cli('scan', '10.0.0.0/24', '--write', join(dir, 'x.yaml'))).stderr).toMatch(/--write needs --site/);
  });

  it('exit codes are the same across subcommands: bad CIDR, port or address is usage (2)', async () => {
    const [cidr, port, address] = await Promise.all([
      cli('scan', '10.0.0.300/24'),
      cli('scan', '10.0.0.0/24', '--port', '70000'),
      cli('probe', '10.0.0.17:99999'),
    ]);
    expect([cidr.status, port.status, address.status]).toEqual([2, 2, 2]);
    expect(cidr.stderr).toMatch(/^scan: '10\.0\.0\.300' is not an IPv4 address/);
    expect(port.stderr).toMatch(/^--port must be a TCP port, got 70000/);
    expect(address.stderr).toMatch(/^probe: port 99999 is out of range/);
  }, 60_000);

  it('probe HOST:PORT reads a miner (fake miner serving recorded replies) and prints it', async () => {
    const miner = await startFakeMiner({ replies: loadRecordings(DEVICES.antminerStock) });
    try {
      const json = await cli('probe', `${miner.host}:${miner.port}`, '--json');
      expect(json.status).toBe(0);
      const sample = AsicSample.parse(JSON.parse(json.stdout));
      expect(sample.family).toBe('antminer');
      const text = await cli('probe', `${miner.host}:${miner.port}`);
      expect(text.stdout).toMatch(/hashrate .* TH\/s/);
    } finally {
      await miner.close();
    }
  });

  it('scan --write saves a config the agent accepts', async () => {
    const miner = await startFakeMiner({ host: '127.0.9.3', replies: loadRecordings(DEVICES.luxos) });
    try {
      const file = join(dir, 'scanned.yaml');
      const result = await cli(
        'scan', '127.0.9.0/29', '--port', String(miner.port), '--site', 'site-scan', '--write', file, '--agent-id', 'ctrl-1',
        '--mqtt-url', 'mqtts://broker.example:8883', '--mqtt-username', 'site-scan-agent',
      );
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/127\.0\.9\.3:\d+ +luxos/);
      const config = loadAgentConfig(file, {});
      expect(config).toMatchObject({ site: 'site-scan', agent_id: 'ctrl-1', sources: [{ type: 'cgminer', host: '127.0.9.3', port: miner.port }] });
      // A complete config: the broker it is to publish to is in the file, the password is not.
      expect(config.mqtt).toMatchObject({ url: 'mqtts://broker.example:8883', username: 'site-scan-agent', reconnect: { initial_ms: 500, max_ms: 30_000 } });
      expect(config.mqtt.password).toBeUndefined();
      expect(readFileSync(file, 'utf8')).toMatch(/^# rigline-agent config written by/);
    } finally {
      await miner.close();
    }
  });
});

describe.skipIf(!hasService('mosquitto', 'mosquitto'))('rigline-agent run', () => {
  let broker: Service | undefined;
  afterAll(async () => broker?.dispose());

  it('publishes, and on SIGTERM says offline with a reason and exits 0', async () => {
    broker = await startMosquitto();
    const file = join(dir, 'agent.yaml');
    writeFileSync(
      file,
      [
        'site: site-cli',
        'agent_id: gpu-box',
        'interval_s: 0.3',
        `mqtt: { url: "${broker.url}", reconnect: { initial_ms: 100, max_ms: 500 } }`,
        'sources:',
        `  - { type: nvidia-smi, rig: gpu-box, path: "${fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/a10g.xml')}", host_model_file: "" }`,
        `spool: { dir: "${join(dir, 'spool')}" }`,
        'log: { level: warn }',
      ].join('\n'),
    );
    const client = await mqtt.connectAsync(broker.url);
    const batches: SampleBatch[] = [];
    const statuses: AgentStatus[] = [];
    client.on('message', (topic, payload) => {
      const json: unknown = JSON.parse(payload.toString());
      if (topic === telemetryTopic('site-cli', 'gpu-box')) batches.push(SampleBatch.parse(json));
      if (topic === statusTopic('site-cli', 'gpu-box')) statuses.push(AgentStatus.parse(json));
    });
    await client.subscribeAsync(['rigline/v1/site-cli/+/+'], { qos: 1 });

    const child = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => (batches.length >= 2 ? true : undefined), 20_000, `telemetry from the agent process (${stderr})`);
    expect(batches[0]?.samples[0]).toMatchObject({ rig: 'gpu-box', kind: 'gpu', power_w: 25.58 });
    expect(statuses.some((s) => s.state === 'online' && s.agent?.name === 'rigline-agent')).toBe(true);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // It waited for the broker's acknowledgements: nothing is left to replay.
    expect(readdirSync(join(dir, 'spool')).filter((f) => f.startsWith('seg-'))).toEqual([]);
    await waitFor(() => (statuses.some((s) => s.state === 'offline') ? true : undefined), 5000, 'offline status');
    expect(statuses.at(-1)).toMatchObject({ state: 'offline', reason: 'SIGTERM received' });
    await client.endAsync();
  }, 60_000);
});
