import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { issueAgent } from '../../server/auth/agents.js';
import { runCli } from '../../server/auth/cli.js';
import { telemetryTopic, type Sample } from '../../server/contract/index.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

const model = new FleetModel({ sites: 2, rigsPerSite: 3, seed: 5, intervalMs: 1000, faultRate: 0, gpuEvery: 0 });
const sampleOf = (siteIndex: number, rigIndex: number): Sample => {
  const site = model.sites[siteIndex]!;
  return model.samplesAt(site, 0, Date.now())[rigIndex]!;
};

interface Health {
  ingest: { received: number; stored: number; invalid: Record<string, number> };
}

/** Connects and resolves with the CONNACK outcome instead of retrying. */
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

describe('agent identity on the embedded broker', () => {
  let rigline: Rigline;
  let plainUrl: string;
  let password: string;
  let rigAgentPassword: string;

  beforeAll(async () => {
    rigline = await startTestServer({ auth: { anonymous: 'none' } });
    plainUrl = `mqtt://127.0.0.1:${rigline.broker!.port}`;
    const store = rigline.security.store;
    password = issueAgent(store, { username: 'ctl-site-01', kind: 'agent', site: model.sites[0]!.id }).password;
    rigAgentPassword = issueAgent(store, { username: 'rig-agent', kind: 'agent', site: model.sites[0]!.id, rigs: [sampleOf(0, 0).rig] }).password;
  });
  afterAll(async () => rigline?.stop());

  const health = async (): Promise<Health> => {
    const res = await fetch(`${rigline.httpUrl}/api/health`, { headers: { authorization: `Bearer ${adminToken()}` } });
    return (await res.json()) as Health;
  };
  let cachedToken: string | null = null;
  const adminToken = (): string => {
    if (!cachedToken) {
      rigline.security.store.putUser({ username: 'root', role: 'admin', hash: '$7$1$AAAAAAAAAAAAAAAA$' + 'A'.repeat(86) + '==', created: new Date().toISOString() });
      cachedToken = rigline.security.identity.issueToken(rigline.security.identity.person('root')!, 'admin', 'test').token;
    }
    return cachedToken;
  };

  it('refuses anonymous and wrong-password clients, and counts them', async () => {
    expect((await tryConnect(plainUrl, { clientId: 'anon' })).error).toMatch(/Bad username or password|Not authorized/i);
    expect((await tryConnect(plainUrl, { clientId: 'wrong', username: 'ctl-site-01', password: 'nope' })).error).toMatch(/Bad username or password/i);
    expect((await tryConnect(plainUrl, { clientId: 'nobody', username: 'nobody', password })).error).toMatch(/Bad username or password/i);
    expect((await health()).ingest.invalid.unauthenticated).toBe(3);
  });

  it('stores its own site, refuses and counts a publish to another site, and refuses subscriptions', async () => {
    const { client } = await tryConnect(plainUrl, { clientId: 'ctl-site-01', username: 'ctl-site-01', password });
    expect(client).not.toBeNull();
    const own = sampleOf(0, 1);
    await client!.publishAsync(telemetryTopic(own.site, own.rig), JSON.stringify(own), { qos: 1 });
    await waitFor(async () => ((await health()).ingest.stored === 1 ? true : undefined), 5000, 'own sample stored');

    // SUBACK 0x80 (refused); mqtt.js turns it into an error.
    await expect(client!.subscribeAsync('rigline/v1/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);

    // Refused like Mosquitto does it: acknowledged (so the agent does not resend it forever) and dropped.
    const spoofed = sampleOf(1, 0);
    await client!.publishAsync(telemetryTopic(spoofed.site, spoofed.rig), JSON.stringify(spoofed), { qos: 1 });
    expect(client!.connected).toBe(true);
    await client!.endAsync();
    const h = await waitFor(async () => {
      const value = await health();
      return value.ingest.invalid.unauthorized === 1 ? value : undefined;
    });
    expect(h.ingest.invalid.unauthorized_subscribe).toBe(1);
    expect(h.ingest.stored).toBe(1);
    expect(rigline.state.rig(spoofed.rig)).toBeNull();
  });

  it('limits a rig agent to its own rigs', async () => {
    const { client } = await tryConnect(plainUrl, { clientId: 'rig-agent', username: 'rig-agent', password: rigAgentPassword });
    const own = sampleOf(0, 0);
    const neighbour = sampleOf(0, 2);
    await client!.publishAsync(telemetryTopic(own.site, own.rig), JSON.stringify(own), { qos: 1 });
    await client!.publishAsync(telemetryTopic(neighbour.site, neighbour.rig), JSON.stringify(neighbour), { qos: 1 });
    await client!.endAsync();
    const h = await waitFor(async () => {
      const value = await health();
      return value.ingest.invalid.unauthorized === 2 && value.ingest.stored === 2 ? value : undefined;
    });
    expect(h.ingest.stored).toBe(2);
    expect(rigline.state.rig(neighbour.rig)).toBeNull();
  });

  it('disconnects a revoked agent and refuses it afterwards', async () => {
    const { client } = await tryConnect(plainUrl, { clientId: 'ctl-site-01', username: 'ctl-site-01', password });
    const closed = new Promise<void>((resolve) => client!.once('close', () => resolve()));
    rigline.security.store.revokeAgent('ctl-site-01');
    await closed;
    client!.end(true);
    expect((await tryConnect(plainUrl, { clientId: 'ctl-site-01', username: 'ctl-site-01', password })).error).toMatch(/Bad username or password/i);
  });
});

describe.skipIf(!hasService('mosquitto', 'mosquitto'))('agent identity on real Mosquitto, files written by the CLI', () => {
  let dir: string;
  let broker: Service;
  let rigline: Rigline;
  const lines: string[] = [];
  const cli = async (...args: string[]): Promise<number> =>
    runCli([...args, '--file', join(dir, 'credentials.json'), '--password-file', join(dir, 'passwd'), '--acl-file', join(dir, 'acl')], {}, (l) => lines.push(l), (l) => lines.push(l));
  const passwordFrom = (): string => JSON.parse(lines.pop() as string).password as string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rigline-agents-'));
    chmodSync(dir, 0o755); // Mosquitto drops to its own user before it reads the password file
    expect(await cli('agents', 'add', 'ingest-1', '--ingest', '--json')).toBe(0);
    lines.pop();
    const ingestPassword = passwordFrom();
    expect(await cli('agents', 'add', 'ctl-site-01', '--site', model.sites[0]!.id, '--json')).toBe(0);
    broker = await startMosquitto({
      allowAnonymous: false,
      extraConfig: [`password_file ${join(dir, 'passwd')}`, `acl_file ${join(dir, 'acl')}`],
    });
    rigline = await startTestServer({
      mqtt: { mode: 'external', url: broker.url, username: 'ingest-1', password: ingestPassword, client_id: 'ingest-auth-test' },
    });
  });
  afterAll(async () => {
    await rigline?.stop();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the agent publish only under its site and refuses anonymous clients', async () => {
    lines.length = 0;
    expect(await cli('agents', 'add', 'ctl-site-01', '--site', model.sites[0]!.id, '--json')).toBe(0);
    lines.pop();
    const password = passwordFrom();
    // Rotating the password rewrote the files; a restart makes Mosquitto read them (SIGHUP does the same in production).
    await broker.stop();
    await broker.start();
    expect((await tryConnect(broker.url, { clientId: 'anon' })).error).toMatch(/Not authorized/i);
    expect((await tryConnect(broker.url, { clientId: 'x', username: 'ctl-site-01', password: 'wrong' })).error).toMatch(/Not authorized/i);

    const { client } = await tryConnect(broker.url, { clientId: 'ctl-site-01', username: 'ctl-site-01', password, protocolVersion: 5 });
    expect(client).not.toBeNull();
    const own = sampleOf(0, 1);
    const spoofed = sampleOf(1, 0);
    await client!.publishAsync(telemetryTopic(own.site, own.rig), JSON.stringify(own), { qos: 1 });
    // MQTT 5 tells the publisher: PUBACK reason 0x87 Not authorized (MQTT 5.0 §3.4.2.1).
    await expect(client!.publishAsync(telemetryTopic(spoofed.site, spoofed.rig), JSON.stringify(spoofed), { qos: 1 })).rejects.toThrow(/Not authorized/);
    // Mosquitto grants the SUBACK but checks `read` access per message: the agent receives nothing, not even its own.
    const overheard: string[] = [];
    client!.on('message', (topic) => overheard.push(topic));
    await client!.subscribeAsync('rigline/v1/#', { qos: 1 });
    await client!.publishAsync(telemetryTopic(own.site, own.rig), JSON.stringify({ ...own, ts: own.ts + 1000 }), { qos: 1 });

    const h = await waitFor(async () => {
      const body = (await getJson<Health>(rigline, '/api/health')).body;
      return body.ingest.stored === 2 ? body : undefined;
    });
    expect(h.ingest.received).toBe(2);
    expect(rigline.state.rig(spoofed.rig)).toBeNull();
    expect(overheard).toEqual([]);
    await client!.endAsync();

    lines.length = 0;
    expect(await cli('agents', 'revoke', 'ctl-site-01')).toBe(0);
    await broker.stop();
    await broker.start();
    expect((await tryConnect(broker.url, { clientId: 'ctl-site-01', username: 'ctl-site-01', password })).error).toMatch(/Not authorized/i);
  });
});
