import { commandResultTopic, commandTopic, COMMAND_RESULT_SUBSCRIPTION, TOPIC_ROOT } from '../contract/index.js';
import type { MqttPrincipal } from './acl.js';

/**
 * Broker rules for operator commands (issue 14), added to acl.ts's rule set so Mosquitto's acl_file and the
 * embedded broker enforce the same thing:
 *  - an agent reads only its own command topic `rigline/v1/{site}/{username}/command` and publishes only its own
 *    `…/command/result` ({username}: its credential, which is also its client id, issue 10);
 *  - only the server (the ingest identity) publishes command topics and reads every result.
 */
export const COMMAND_PUBLISH_ALL = `${TOPIC_ROOT}/+/+/command`;

export function commandPublishFilters(principal: MqttPrincipal): string[] {
  if (principal.kind === 'ingest') return [COMMAND_PUBLISH_ALL];
  if (principal.kind === 'agent') return [commandResultTopic(principal.site, principal.username)];
  return [];
}

export function commandSubscribeFilters(principal: MqttPrincipal): string[] {
  if (principal.kind === 'ingest') return [COMMAND_RESULT_SUBSCRIPTION];
  if (principal.kind === 'agent') return [commandTopic(principal.site, principal.username)];
  return [];
}
