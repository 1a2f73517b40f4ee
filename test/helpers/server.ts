import { pino } from 'pino';
import { startRigline, type Rigline } from '../../server/app.js';
import { applyEnv, parseConfig } from '../../server/config/load.js';
import type { ConfigInput } from '../../server/config/schema.js';

/** Starts a real server on free loopback ports (HTTP and embedded MQTT), quiet, with the given overrides. */
export async function startTestServer(overrides: ConfigInput = {}, siteNames?: Map<string, string>): Promise<Rigline> {
  const base: ConfigInput = {
    ...overrides,
    server: { host: '127.0.0.1', port: 0, ...overrides.server },
    mqtt: { ...overrides.mqtt, embedded: { host: '127.0.0.1', port: 0, ...overrides.mqtt?.embedded } },
    log: { level: 'silent' },
  };
  const config = parseConfig(applyEnv(structuredClone(base) as Record<string, unknown>, {}));
  return startRigline(config, { log: pino({ level: 'silent' }), siteNames });
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
