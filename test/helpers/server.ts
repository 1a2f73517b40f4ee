import { pino } from 'pino';
import { startRigline, type Rigline } from '../../server/app.js';
import { applyEnv, parseConfig } from '../../server/config/load.js';
import type { ConfigInput } from '../../server/config/schema.js';

/**
 * Starts a real server on free loopback ports (HTTP and embedded MQTT), quiet, with the given overrides.
 * Feature tests run without login (anonymous admin, no rate limit worth hitting, credentials in memory) and get an
 * `mqttUrl` that carries the server's own demo-agent credentials, since the embedded broker refuses anonymous
 * clients. Security tests pass their own `auth` section and build plain URLs from `broker.port`.
 */
export async function startTestServer(overrides: ConfigInput = {}, siteNames?: Map<string, string>): Promise<Rigline> {
  const base: ConfigInput = {
    ...overrides,
    server: { host: '127.0.0.1', port: 0, ...overrides.server },
    mqtt: { ...overrides.mqtt, embedded: { host: '127.0.0.1', port: 0, ...overrides.mqtt?.embedded } },
    log: { level: 'silent' },
    auth: {
      credentials_file: null,
      anonymous: 'admin',
      ...overrides.auth,
      rate_limit: { login_per_minute: 100_000, login_per_address_per_minute: 1_000_000, api_per_minute: 10_000_000, ...overrides.auth?.rate_limit },
    },
  };
  const config = parseConfig(applyEnv(structuredClone(base) as Record<string, unknown>, {}));
  const rigline = await startRigline(config, { log: pino({ level: 'silent' }), siteNames });
  if (!rigline.localAgent) return rigline;
  const { username, password } = rigline.localAgent;
  const url = new URL(rigline.mqttUrl);
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  return { ...rigline, mqttUrl: url.toString().replace(/\/$/, '') };
}

export async function getJson<T = unknown>(rigline: Rigline, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${rigline.httpUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls until `check` returns a value (not undefined) or the timeout passes. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
