import { TOPIC_ROOT } from '../contract/index.js';
import type { AgentRecord } from './store.js';
import { commandPublishFilters, commandSubscribeFilters } from './command-acl.js';

/**
 * Who may do what on the broker. One rule set, rendered twice: checked here by the embedded broker's hooks and
 * written as a Mosquitto `acl_file` (mosquitto-files.ts), so both brokers enforce the same thing.
 *
 *  - agent with a site: publishes `rigline/v1/{site}/{source}/telemetry|status`; `source` limited to its rigs when
 *    it has a rig list. Subscribes to nothing.
 *  - ingest (a server instance): subscribes to rigline telemetry and status (also as `$share/{group}/...`),
 *    publishes nothing.
 *  - local (the in-process demo simulator): publishes for any site, like an agent without a site restriction.
 */
export type MqttPrincipal =
  | { kind: 'agent'; username: string; site: string; rigs: readonly string[] | null }
  | { kind: 'ingest'; username: string }
  | { kind: 'local'; username: string };

export function principalOf(record: AgentRecord): MqttPrincipal | null {
  if (record.revoked) return null;
  if (record.kind === 'ingest') return { kind: 'ingest', username: record.username };
  if (!record.site) return null;
  return { kind: 'agent', username: record.username, site: record.site, rigs: record.rigs };
}

/**
 * MQTT topic filter matching (`+` one level, `#` the rest; MQTT 3.1.1 §4.7), as ACL patterns are applied. One
 * deliberate narrowing: `+` does not match an empty level or one starting with `$`, because aedes's router never
 * delivers such topics to a `+` subscription; refusing them here means they are counted instead of vanishing.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    const level = t[i];
    if (level === undefined) return false;
    if (f[i] === '+' ? level === '' || level.startsWith('$') : f[i] !== level) return false;
  }
  return f.length === t.length;
}

/** Topic filters a principal may publish to: the same patterns go into Mosquitto's acl_file. */
export function publishFilters(principal: MqttPrincipal): string[] {
  if (principal.kind === 'ingest') return commandPublishFilters(principal);
  const site = principal.kind === 'agent' ? principal.site : '+';
  const sources = principal.kind === 'agent' && principal.rigs ? principal.rigs : ['+'];
  const telemetry = sources.flatMap((source) => [`${TOPIC_ROOT}/${site}/${source}/telemetry`, `${TOPIC_ROOT}/${site}/${source}/status`]);
  return [...telemetry, ...commandPublishFilters(principal)];
}

export function canPublish(principal: MqttPrincipal, topic: string): boolean {
  return publishFilters(principal).some((filter) => topicMatches(filter, topic));
}

const INGEST_FILTERS = [`${TOPIC_ROOT}/+/+/telemetry`, `${TOPIC_ROOT}/+/+/status`];

/** Strips an MQTT 5 shared-subscription prefix (`$share/{group}/{filter}`, MQTT 5.0 §4.8.2). */
export function unshared(filter: string): string {
  if (!filter.startsWith('$share/')) return filter;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(slash + 1) : '';
}

export function canSubscribe(principal: MqttPrincipal, filter: string): boolean {
  const plain = unshared(filter);
  if (commandSubscribeFilters(principal).includes(plain)) return true;
  return principal.kind === 'ingest' && INGEST_FILTERS.includes(plain);
}

/** Mosquitto ACL lines for one principal (mosquitto.conf(5), "acl_file"): `write` grants publish only. */
export function aclLines(principal: MqttPrincipal): string[] {
  const lines = [`user ${principal.username}`];
  if (principal.kind === 'ingest') for (const filter of INGEST_FILTERS) lines.push(`topic read ${filter}`);
  for (const filter of commandSubscribeFilters(principal)) lines.push(`topic read ${filter}`);
  for (const filter of publishFilters(principal)) lines.push(`topic write ${filter}`);
  return lines;
}
