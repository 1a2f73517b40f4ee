import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY_SUBSCRIPTION, type SampleBatch } from '../../server/contract/index.js';
import type { Agent } from '../../agents/runtime/agent.js';
import { parseAgentConfig, type AgentConfigInput } from '../../agents/runtime/config.js';
import { startAgent } from '../../agents/runtime/start.js';
import { fakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';
import { waitFor } from '../helpers/server.js';
import { freePort, hasService, startMosquitto, waitForPort, type Service } from '../helpers/services.js';

/** A throwaway CA and a server certificate for 127.0.0.1, made with the openssl CLI. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=rigline test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  // Mosquitto started as root drops to its own user, which must still read the key.
  for (const file of readdirSync(dir)) chmodSync(join(dir, file), 0o644);
  chmodSync(dir, 0o755);
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

describe.skipIf(!hasService('mosquitto', 'mosquitto') || !hasService('openssl', 'openssl'))('agent over MQTT with TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigline-agent-tls-'));
  let broker: Service;
  let tlsUrl: string;
  let subscriber: MqttClient;
  const agents: Agent[] = [];
  const rigs = new Set<string>();

  beforeAll(async () => {
    const certs = makeCertificates(dir);
    const tlsPort = await freePort();
    broker = await startMosquitto({
      extraConfig: [`listener ${tlsPort} 127.0.0.1`, `cafile ${certs.ca}`, `certfile ${certs.cert}`, `keyfile ${certs.key}`],
    });
    await waitForPort(tlsPort);
    tlsUrl = `mqtts://127.0.0.1:${tlsPort}`;
    subscriber = await mqtt.connectAsync(broker.url);
    subscriber.on('message', (_t, payload) => {
      for (const s of (JSON.parse(payload.toString()) as SampleBatch).samples) rigs.add(s.rig);
    });
    await subscriber.subscribeAsync(TELEMETRY_SUBSCRIPTION, { qos: 1 });
  });

  afterAll(async () => {
    for (const agent of agents) await agent.stop().catch(() => undefined);
    await subscriber?.endAsync();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (rig: string, tls: NonNullable<AgentConfigInput['mqtt']>['tls']) =>
    parseAgentConfig({
      site: 'site-tls',
      agent_id: rig,
      interval_s: 0.3,
      mqtt: { url: tlsUrl, tls, reconnect: { initial_ms: 100, max_ms: 300 } },
      sources: [{ type: 'nvidia-smi', rig, path: fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/tesla-t4.xml'), host_model_file: '' }],
      spool: { dir: join(dir, `spool-${rig}`) },
    });

  it('publishes over mqtts:// when it trusts the broker’s CA', async () => {
    const agent = await startAgent(config('trusting', { ca: join(dir, 'ca.pem') }), { log: pino({ level: 'silent' }) });
    agents.push(agent);
    await waitFor(() => (rigs.has('trusting') ? true : undefined), 15_000, 'samples over TLS');
  });

  it('refuses a broker whose certificate it cannot verify, and keeps the samples in the spool', async () => {
    const agent = await startAgent(config('untrusting', {}), { log: pino({ level: 'silent' }) });
    agents.push(agent);
    await waitFor(() => (agent.stats().backlog >= 3 ? true : undefined), 15_000, 'samples spooled');
    expect(rigs.has('untrusting')).toBe(false);
    expect(agent.stats().publishedLive).toBe(0);
  });
});
