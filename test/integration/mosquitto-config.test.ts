import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasService, waitForPort } from '../helpers/services.js';

/**
 * The shipped config/mosquitto.conf, run by the real broker (port, data directory and credentials changed): a stalled
 * persistent QoS 1 subscriber gets every message once it returns, far beyond Mosquitto's default queue of 1000.
 */
describe.skipIf(!hasService('mosquitto', 'mosquitto'))('config/mosquitto.conf', () => {
  let child: ChildProcess;
  let dir: string;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'rigline-mosquitto-conf-'));
    chmodSync(dir, 0o777);
    const shipped = readFileSync('config/mosquitto.conf', 'utf8');
    expect(shipped).toMatch(/^max_queued_messages 1000000$/m);
    // Credentials are not what this test is about: the auth files are dropped, everything else is as shipped.
    const conf = shipped
      .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`)
      .replace(/^persistence_location .*$/m, `persistence_location ${dir}/`)
      .replace(/^allow_anonymous false$/m, 'allow_anonymous true')
      // Ids bound to usernames need usernames (test/security/session-takeover.test.ts runs that part).
      .replace(/^use_username_as_clientid true$/m, '')
      .replace(/^(password_file|acl_file) .*$/gm, '');
    writeFileSync(join(dir, 'mosquitto.conf'), conf);
    child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    url = `mqtt://127.0.0.1:${port}`;
    await waitForPort(port);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('queues 20,000 QoS 1 messages for a stalled persistent subscriber and delivers every one', async () => {
    const sub = await mqtt.connectAsync(url, { clientId: 'rigline-server', clean: false });
    await sub.subscribeAsync('rigline/v1/+/+/telemetry', { qos: 1 });
    await sub.endAsync(); // the server is away: restarting, or stalled

    const pub = await mqtt.connectAsync(url, { clientId: 'agent', clean: true });
    const total = 20_000;
    await Promise.all(Array.from({ length: total }, (_, i) => pub.publishAsync('rigline/v1/s/r/telemetry', String(i), { qos: 1 })));
    await pub.endAsync();

    const seen = new Set<string>();
    const back = mqtt.connect(url, { clientId: 'rigline-server', clean: false });
    await new Promise<void>((resolve) => {
      back.on('message', (_t, payload) => {
        seen.add(payload.toString());
        if (seen.size === total) resolve();
      });
    });
    await back.endAsync();
    expect(seen.size).toBe(total);
  }, 60_000);
});
