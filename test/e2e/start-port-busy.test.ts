import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BUNDLE } from '../helpers/build.js';

const run = (env: Record<string, string>): Promise<{ code: number | null; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_BUNDLE], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });

describe('npm start (the built server) on a port another program holds', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    port = (blocker.address() as AddressInfo).port;
  });
  afterAll(() => blocker?.close());

  it('says which port is taken and how to move it, and exits 1 without a stack trace', { timeout: 60_000 }, async () => {
    const { code, stderr } = await run({ PORT: String(port), MQTT_PORT: '0', SIM_SITES: '1', SIM_RIGS_PER_SITE: '1' });
    expect(code).toBe(1);
    expect(stderr).toContain(`:${port}: the port is already in use; set PORT (HTTP) or MQTT_PORT`);
    expect(stderr).not.toContain('    at ');
  });
});
