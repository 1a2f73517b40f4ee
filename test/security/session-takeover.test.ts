import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { issueAgent } from '../../server/auth/agents.js';
import { runCli } from '../../server/auth/cli.js';
import { telemetryTopic, type Sample } from '../../server/contract/index.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

/**
 * Finding 2 and 8 of issue 10: an agent connecting with the server's client id took over the server's persistent
 * session (Mosquitto then discarded the queued telemetry the agent may not read), and nothing bounded message size
 * at the broker. Both brokers: the embedded one refuses and counts; real Mosquitto runs the shipped config's lines.
 */
const model = new FleetModel({ sites: 1, rigsPerSite: 50, seed: 11, intervalMs: 1000, faultRate: 0, gpuEvery: 0 });
const site = model.sites[0]!;
const samplesAt = (i: number): Sample[] => model.samplesAt(site, i, Date.now());

function tryConnect(url: string, options: mqtt.IClientOptions): Promise<{ client: mqtt.MqttClient | null; error: string | null }> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    client.once('connect', () => resolve({ client, error: null }));
    client.once('error', (err) => {
      client.end(true);
      resolve({ client: null, error: err.message });
    });
  });
}

/** Publishes `rounds` batches of the site's 50 rigs while `attack` runs; resolves with the samples published. */
async function publishDuring(publisher: mqtt.MqttClient, rounds: number, attack: (round: number) => Promise<void>): Promise<number> {
  let published = 0;
  for (let round = 0; round < rounds; round++) {
    const samples = samplesAt(round).map((s) => ({ ...s, ts: Date.now() + round }));
    await Promise.all([
      publisher.publishAsync(telemetryTopic(site.id, 'ctl'), JSON.stringify({ schema: 1, samples }), { qos: 1 }),
      attack(round),
    ]);
    published += samples.length;
  }
  return published;
}

describe('the server ingest session on the embedded broker', () => {
  let rigline: Rigline;
  let url: string;
  let agentPassword: string;

  beforeAll(async () => {
    rigline = await startTestServer({ auth: { anonymous: 'none' }, mqtt: { max_payload_bytes: 64 * 1024 } });
    url = `mqtt://127.0.0.1:${rigline.broker!.port}`;
    agentPassword = issueAgent(rigline.security.store, { username: 'ctl-a', kind: 'agent', site: site.id }).password;
  });
  afterAll(async () => rigline?.stop());

  it("refuses and counts an agent using the server's (or anyone else's) client id, and the server loses nothing", async () => {
    const { client: publisher } = await tryConnect(url, { clientId: 'ctl-a', username: 'ctl-a', password: agentPassword });
    expect(publisher).not.toBeNull();
    const attempts: (string | null)[] = [];
    const published = await publishDuring(publisher!, 20, async (round) => {
      const clientId = round % 2 === 0 ? rigline.config.mqtt.client_id : 'someone-else';
      const { client, error } = await tryConnect(url, { clientId, clean: false, username: 'ctl-a', password: agentPassword });
      attempts.push(error);
      await client?.endAsync();
    });
    expect(attempts.every((e) => e !== null && /Identifier rejected/i.test(e))).toBe(true);
    await waitFor(() => (rigline.counters.stored === published ? true : undefined), 10_000, 'every sample stored');
    expect(rigline.counters.invalidCount('client_id_mismatch')).toBe(20);
    await publisher!.endAsync();
  });

  it('closes a connection announcing a message larger than the payload limit before buffering it, counted', async () => {
    const { client } = await tryConnect(url, { clientId: 'ctl-a', username: 'ctl-a', password: agentPassword });
    const before = rigline.counters.invalidCount('oversized');
    const closed = new Promise<void>((resolve) => client!.once('close', () => resolve()));
    client!.publish(telemetryTopic(site.id, 'ctl'), Buffer.alloc(2 * 1024 * 1024, 0x20), { qos: 1 });
    await closed;
    client!.end(true);
    expect(rigline.counters.invalidCount('oversized')).toBe(before + 1);
    // The agent reconnects and goes on.
    const { client: again } = await tryConnect(url, { clientId: 'ctl-a', username: 'ctl-a', password: agentPassword });
    const stored = rigline.counters.stored;
    await again!.publishAsync(telemetryTopic(site.id, 'ctl'), JSON.stringify({ schema: 1, samples: samplesAt(99) }), { qos: 1 });
    await waitFor(() => (rigline.counters.stored === stored + 50 ? true : undefined), 5000, 'stored after the refusal');
    await again!.endAsync();
  });
});

describe.skipIf(!hasService('mosquitto', 'mosquitto'))('the server ingest session on real Mosquitto with the shipped identity lines', () => {
  let dir: string;
  let broker: Service;
  let rigline: Rigline;
  let agentPassword: string;
  let evilPassword: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rigline-takeover-'));
    chmodSync(dir, 0o755);
    const lines: string[] = [];
    const cli = (...args: string[]): Promise<number> =>
      runCli([...args, '--json', '--file', join(dir, 'credentials.json'), '--password-file', join(dir, 'passwd'), '--acl-file', join(dir, 'acl')], {}, (l) => lines.push(l), (l) => lines.push(l));
    const password = (): string => (JSON.parse(lines.find((l) => l.startsWith('{')) as string) as { password: string }).password;
    expect(await cli('agents', 'add', 'ingest-1', '--ingest')).toBe(0);
    const ingestPassword = password();
    lines.length = 0;
    expect(await cli('agents', 'add', 'ctl-a', '--site', site.id)).toBe(0);
    agentPassword = password();
    lines.length = 0;
    // The attacker: an agent login of another site.
    expect(await cli('agents', 'add', 'ctl-evil', '--site', 'site-evil')).toBe(0);
    evilPassword = password();
    const shipped = readFileSync('config/mosquitto.conf', 'utf8');
    const identity = shipped.split('\n').filter((l) => /^(use_username_as_clientid|message_size_limit) /.test(l));
    expect(identity).toEqual(['use_username_as_clientid true', 'message_size_limit 4194304']);
    broker = await startMosquitto({ allowAnonymous: false, extraConfig: [`password_file ${join(dir, 'passwd')}`, `acl_file ${join(dir, 'acl')}`, ...identity] });
    rigline = await startTestServer({ mqtt: { mode: 'external', url: broker.url, username: 'ingest-1', password: ingestPassword, client_id: 'rigline-server' } });
  });
  afterAll(async () => {
    await rigline?.stop();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an agent connecting as 'rigline-server' or as the ingest user's id gets its own session; every sample is stored", async () => {
    const { client: publisher } = await tryConnect(broker.url, { clientId: 'whatever', username: 'ctl-a', password: agentPassword });
    expect(publisher).not.toBeNull();
    const held: mqtt.MqttClient[] = [];
    const published = await publishDuring(publisher!, 20, async (round) => {
      const clientId = round % 2 === 0 ? 'rigline-server' : 'ingest-1';
      const { client } = await tryConnect(broker.url, { clientId, clean: false, username: 'ctl-evil', password: evilPassword });
      if (client) held.push(client);
    });
    await waitFor(() => (rigline.counters.stored === published ? true : undefined), 15_000, 'every sample stored');
    expect(rigline.counters.stored).toBe(published);
    for (const client of held) client.end(true);
    await publisher!.endAsync();
  });

  it('drops a message over message_size_limit at the broker, and the server never sees it', async () => {
    const { client } = await tryConnect(broker.url, { clientId: 'ctl-a', username: 'ctl-a', password: agentPassword });
    const received = rigline.counters.received;
    client!.publish(telemetryTopic(site.id, 'ctl'), Buffer.alloc(4 * 1024 * 1024 + 1, 0x20), { qos: 1 });
    const stored = rigline.counters.stored;
    const { client: next } = await tryConnect(broker.url, { clientId: 'ctl-a', username: 'ctl-a', password: agentPassword });
    await next!.publishAsync(telemetryTopic(site.id, 'ctl'), JSON.stringify({ schema: 1, samples: samplesAt(7) }), { qos: 1 });
    await waitFor(() => (rigline.counters.stored === stored + 50 ? true : undefined), 10_000, 'a good message after the big one');
    expect(rigline.counters.received).toBe(received + 1);
    client!.end(true);
    await next!.endAsync();
  });
});
