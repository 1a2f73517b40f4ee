import { isValidId } from './ids.js';

/**
 * MQTT topic layout, version 1:
 *   rigline/v1/{site}/{rig}/telemetry  samples (QoS 1); {rig} may be a site controller sending a batch
 *   rigline/v1/{site}/{rig}/status     retained birth 'online' and Last Will 'offline'
 */
export const TOPIC_ROOT = 'rigline/v1';
export type TopicChannel = 'telemetry' | 'status';

export const TELEMETRY_SUBSCRIPTION = `${TOPIC_ROOT}/+/+/telemetry`;
export const STATUS_SUBSCRIPTION = `${TOPIC_ROOT}/+/+/status`;

export function telemetryTopic(site: string, rig: string): string {
  return `${TOPIC_ROOT}/${site}/${rig}/telemetry`;
}

export function statusTopic(site: string, rig: string): string {
  return `${TOPIC_ROOT}/${site}/${rig}/status`;
}

export interface ParsedTopic {
  site: string;
  rig: string;
  channel: TopicChannel;
}

/** Parses a rigline topic; returns null for anything that is not exactly a valid v1 topic. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null;
  const [, , site, rig, channel] = parts as [string, string, string, string, string];
  if (!isValidId(site) || !isValidId(rig)) return null;
  if (channel !== 'telemetry' && channel !== 'status') return null;
  return { site, rig, channel };
}
