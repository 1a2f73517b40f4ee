import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { issueAgent } from '../../server/auth/agents.js';
import { runCli } from '../../server/auth/cli.js';
import { SCHEMA_VERSION, telemetryTopic, type Sample } from '../../server/contract/index.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

/**
 * A rig agent (credentials limited to some rigs) must not report other rigs of its site by putting them in a
 * controller batch on its own topic: refused by the embedded broker's hook, and by ingest behind Mosquitto (whose
 * ACL cannot look inside payloads). Each refusal is counted under `unauthorized`; a site controller's batches of
 * any rig of its site still go through.
 */
const model = new FleetModel({ sites: 1, rigsPerSite: 4, seed: 9, intervalMs: 1000, faultRate: 0, gpuEvery: 0 });
const site = model.sites[0]!;
const samples = (tick: number): Sample[] => model.samplesAt(site, tick, Date.now() - 60_000 + tick * 1000);
const batch = (list: Sample[]): string => JSON.stringify({ schema: SCHEMA_VERSION, samples: list });
const [own, owned2, neighbour, other] = samples(0) as [Sample, Sample, Sample, Sample];

/** MQTT 5 on Mosquitto (a refused publish gets PUBACK 0x87); the embedded aedes broker speaks 3.1.1 only. */
async function connect(url: string, username: string, password: string, protocolVersion: 4 | 5): Promise<mqtt.MqttClient> {
  return mqtt.connectAsync(url, { clientId: username, username, password, protocolVersion, reconnectPeriod: 0 });
}

const unauthorized = (rigline: Rigline): number => rigline.counters.snapshot().invalid.unauthorized ?? 0;

describe('rig ownership inside batches, embedded broker (authorizePublish sees the payload)', () => {
  const VERSION = 4;
  let rigline: Rigline;
  let url: string;
  const passwords = { rig: '', ctl: '' };

  beforeAll(async () => {
    rigline = await startTestServer({ auth: { anonymous: 'none' } });
    url = `mqtt://127.0.0.1:${rigline.broker!.port}`;
    passwords.rig = issueAgent(rigline.security.store, { username: 'rig-agent', kind: 'agent', site: site.id, rigs: [own.rig, owned2.rig] }).password;
    passwords.ctl = issueAgent(rigline.security.store, { username: 'ctl', kind: 'agent', site: site.id }).password;
  });
  afterAll(async () => rigline?.stop());

  it('refuses and counts a rig agent batch naming a rig it does not own; takes its own rigs and a controller batch', async () => {
    const agent = await connect(url, 'rig-agent', passwords.rig, VERSION);
    await agent.publishAsync(telemetryTopic(site.id, own.rig), batch([own, neighbour]), { qos: 1 });
    await agent.publishAsync(telemetryTopic(site.id, own.rig), batch([own, owned2]), { qos: 1 });
    await agent.endAsync();
    await waitFor(() => (rigline.counters.stored === 2 && unauthorized(rigline) === 1 ? true : undefined), 5000, 'own batch stored, mixed batch refused');
    expect(rigline.state.rig(neighbour.rig)).toBeNull();
    // Refused in the broker: the mixed batch never reached ingest.
    expect(rigline.counters.received).toBe(1);

    const ctl = await connect(url, 'ctl', passwords.ctl, VERSION);
    await ctl.publishAsync(telemetryTopic(site.id, 'ctl'), batch(samples(1)), { qos: 1 });
    await ctl.endAsync();
    await waitFor(() => (rigline.counters.stored === 6 ? true : undefined), 5000, 'controller batch stored');
    expect(rigline.state.rig(neighbour.rig)).not.toBeNull();
    expect(unauthorized(rigline)).toBe(1);
  });
});

describe.skipIf(!hasService('mosquitto', 'mosquitto'))('rig ownership inside batches, real Mosquitto (ACL + ingest)', () => {
  const VERSION = 5;
  let dir: string;
  let broker: Service;
  let rigline: Rigline;
  const lines: string[] = [];
  const cli = async (...args: string[]): Promise<string> => {
    const code = await runCli([...args, '--json', '--file', join(dir, 'credentials.json'), '--password-file', join(dir, 'passwd'), '--acl-file', join(dir, 'acl')], {}, (l) => lines.push(l), (l) => lines.push(l));
    expect(code).toBe(0);
    const json = lines.splice(0).find((l) => l.startsWith('{'));
    return JSON.parse(json as string).password as string;
  };
  const passwords = { rig: '', ctl: '' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rigline-ownership-'));
    chmodSync(dir, 0o755); // Mosquitto drops to its own user before it reads the password file
    const ingest = await cli('agents', 'add', 'ingest-1', '--ingest');
    passwords.rig = await cli('agents', 'add', 'rig-agent', '--site', site.id, '--rig', own.rig);
    passwords.ctl = await cli('agents', 'add', 'ctl', '--site', site.id);
    broker = await startMosquitto({ allowAnonymous: false, extraConfig: [`password_file ${join(dir, 'passwd')}`, `acl_file ${join(dir, 'acl')}`] });
    // The server reads the credentials file the CLI writes: that is how ingest knows which topics are a rig agent's.
    rigline = await startTestServer({
      mqtt: { mode: 'external', url: broker.url, username: 'ingest-1', password: ingest, client_id: 'ingest-ownership-test' },
      auth: { credentials_file: join(dir, 'credentials.json') },
    });
  });
  afterAll(async () => {
    await rigline?.stop();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets Mosquitto take the batch on the agent topic, and ingest refuses and counts the foreign rig', async () => {
    const agent = await connect(broker.url, 'rig-agent', passwords.rig, VERSION);
    // Another rig's topic: Mosquitto's ACL refuses it (MQTT 5 PUBACK 0x87).
    await expect(agent.publishAsync(telemetryTopic(site.id, neighbour.rig), batch([neighbour]), { qos: 1 })).rejects.toThrow(/Not authorized/);
    // Its own topic, with a neighbour inside: Mosquitto cannot see that; ingest refuses the whole message.
    await agent.publishAsync(telemetryTopic(site.id, own.rig), batch([own, neighbour]), { qos: 1 });
    await agent.publishAsync(telemetryTopic(site.id, own.rig), JSON.stringify(own), { qos: 1 });
    await agent.endAsync();
    await waitFor(() => (rigline.counters.stored === 1 && unauthorized(rigline) === 1 ? true : undefined), 5000, 'own sample stored, mixed batch refused');
    expect(rigline.state.rig(neighbour.rig)).toBeNull();

    const ctl = await connect(broker.url, 'ctl', passwords.ctl, VERSION);
    await ctl.publishAsync(telemetryTopic(site.id, 'ctl'), batch([neighbour, other]), { qos: 1 });
    await ctl.endAsync();
    await waitFor(() => (rigline.counters.stored === 3 ? true : undefined), 5000, 'controller batch stored');
    expect(rigline.state.rig(neighbour.rig)).not.toBeNull();
    expect(unauthorized(rigline)).toBe(1);
  });
});
