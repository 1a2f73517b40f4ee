import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { Publisher } from '../publisher/publisher.js';
import type { AgentTransport } from './agent.js';
import type { AgentConfig } from './config.js';

export const AGENT_NAME = 'rigline-agent';
export const AGENT_VERSION = '0.1.0';

function tlsOptions(tls: AgentConfig['mqtt']['tls']): Partial<IClientOptions> {
  if (!tls) return {};
  const read = (file: string | undefined): Buffer | undefined => (file ? readFileSync(file) : undefined);
  return { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key), rejectUnauthorized: tls.reject_unauthorized };
}

/** The shared publisher (QoS 1, birth and Last Will, backoff) as the agent's transport. */
export function publisherTransport(config: AgentConfig): AgentTransport & { publisher: Publisher } {
  const publisher = new Publisher({
    url: config.mqtt.url,
    site: config.site,
    source: config.agent_id,
    // The broker binds a credential to its own client id (Mosquitto use_username_as_clientid; the embedded broker
    // refuses any other): with a username, that is the id.
    clientId: config.mqtt.client_id ?? config.mqtt.username ?? `rigline-agent-${config.site}-${config.agent_id}`,
    username: config.mqtt.username,
    password: config.mqtt.password,
    agent: { name: AGENT_NAME, version: AGENT_VERSION },
    commands: { agent: config.mqtt.username ?? config.agent_id, enabled: config.actions.enabled },
    backoff: { initialMs: config.mqtt.reconnect.initial_ms, maxMs: config.mqtt.reconnect.max_ms },
    // mqtt-packet otherwise fills a cache of 65,536 two-byte Buffers on the first publish (~8 MiB of heap): the
    // agent publishes a few messages a second and keeps its resident set small instead (issue 16).
    extra: { ...tlsOptions(config.mqtt.tls), writeCache: false },
  });
  return {
    publisher,
    get connected() {
      return publisher.connected;
    },
    publishRaw: (topic, payload) => publisher.publishRaw(topic, payload),
    onConnect: (listener) => void publisher.client.on('connect', listener),
    stop: (reason) => publisher.stop(reason),
  };
}
