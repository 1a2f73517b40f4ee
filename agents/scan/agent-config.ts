import type { ScannedAgentConfig } from './config.js';

/** The broker an agent uses when nothing else is said: the server's embedded broker on the same host. */
export const DEFAULT_MQTT_URL = 'mqtt://127.0.0.1:1883';

/**
 * The whole agent config `scan --write` saves: identity, polling, the broker (URL, user, reconnect backoff) and the
 * sources found, with the defaults spelt out so an operator sees every setting that matters in one file. The
 * password stays out of the file (MQTT_PASSWORD in the environment).
 */
export function scannedConfig(
  suggested: ScannedAgentConfig,
  options: { agentId: string; mqttUrl: string; mqttUsername?: string },
): Record<string, unknown> {
  return {
    site: suggested.site,
    agent_id: options.agentId,
    interval_s: 10,
    timeout_ms: 5000,
    mqtt: {
      url: options.mqttUrl,
      ...(options.mqttUsername ? { username: options.mqttUsername } : {}),
      reconnect: { initial_ms: 500, max_ms: 30_000 },
    },
    sources: suggested.sources,
  };
}
