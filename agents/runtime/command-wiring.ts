import type { Logger } from 'pino';
import { commandTopic } from '../../server/contract/index.js';
import type { Publisher } from '../publisher/publisher.js';
import { CommandJournal } from './command-journal.js';
import { CommandRunner, type MinerActionRunner, type MinerTarget } from './commands.js';
import { sourceRig, type AgentConfig } from './config.js';

/** The {agent} of this agent's command topics: its MQTT credential username (its client id, issue 10). */
export function commandAgentName(config: AgentConfig): string {
  return config.mqtt.username ?? config.agent_id;
}

/** Miners this agent may act on: its own cgminer sources, with the secrets from its config. */
export function minerTargets(config: AgentConfig): Map<string, MinerTarget> {
  const targets = new Map<string, MinerTarget>();
  for (const source of config.sources) {
    if (source.type !== 'cgminer') continue;
    const password = source.password ?? config.actions.miner_password;
    targets.set(sourceRig(source), { host: source.host, port: source.port, family: source.family, secrets: password ? { password } : {} });
  }
  return targets;
}

/**
 * Subscribes the agent's MQTT connection to its command topic (again on every connect: the session is clean) and
 * hands each command to a CommandRunner. Subscribed even with actions disabled, so the server hears
 * `actions_disabled` at once instead of waiting for the command to expire.
 */
export function attachCommands(config: AgentConfig, publisher: Publisher, log: Logger, run?: MinerActionRunner): CommandRunner {
  const agent = commandAgentName(config);
  const topic = commandTopic(config.site, agent);
  const runner = new CommandRunner({
    site: config.site,
    agent,
    enabled: config.actions.enabled,
    targets: minerTargets(config),
    journal: new CommandJournal(config.spool.dir, config.actions.remember),
    publish: (t, payload) => publisher.publishRaw(t, payload),
    log,
    timeoutMs: config.actions.timeout_ms,
    run,
  });
  const subscribe = async (): Promise<void> => {
    try {
      const granted = await publisher.client.subscribeAsync(topic, { qos: 1 });
      if (granted.some((g) => g.qos >= 128)) log.warn({ topic }, 'command topic subscription refused: actions cannot reach this agent');
    } catch (err) {
      log.warn({ topic, err: (err as Error).message }, 'command topic subscription failed');
    }
  };
  publisher.beforeBirth = subscribe;
  if (publisher.client.connected) void subscribe();
  publisher.client.on('message', (t, payload) => {
    if (t === topic) void runner.handle(payload);
  });
  return runner;
}
