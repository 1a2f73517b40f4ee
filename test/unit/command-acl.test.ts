import { describe, expect, it } from 'vitest';
import { aclLines, canPublish, canSubscribe, type MqttPrincipal } from '../../server/auth/acl.js';

/** The command-topic rules both brokers enforce (embedded hooks use canPublish/canSubscribe, Mosquitto the lines). */
const agent: MqttPrincipal = { kind: 'agent', username: 'ctl-a', site: 'site-a', rigs: null };
const rigAgent: MqttPrincipal = { kind: 'agent', username: 'rig-7', site: 'site-a', rigs: ['r7'] };
const server: MqttPrincipal = { kind: 'ingest', username: 'ingest-1' };
const local: MqttPrincipal = { kind: 'local', username: 'sim' };

describe('command topic ACL', () => {
  it('an agent reads only its own command topic and publishes only its own result topic', () => {
    expect(canSubscribe(agent, 'rigline/v1/site-a/ctl-a/command')).toBe(true);
    expect(canSubscribe(agent, 'rigline/v1/site-a/rig-7/command')).toBe(false);
    expect(canSubscribe(agent, 'rigline/v1/site-a/+/command')).toBe(false);
    expect(canSubscribe(agent, 'rigline/v1/#')).toBe(false);
    expect(canPublish(agent, 'rigline/v1/site-a/ctl-a/command/result')).toBe(true);
    expect(canPublish(agent, 'rigline/v1/site-a/rig-7/command/result')).toBe(false);
    expect(canPublish(agent, 'rigline/v1/site-a/ctl-a/command')).toBe(false);
    expect(canPublish(rigAgent, 'rigline/v1/site-a/rig-7/command/result')).toBe(true);
    expect(canPublish(rigAgent, 'rigline/v1/site-a/rig-7/command')).toBe(false);
  });

  it('only the server publishes commands and reads results; the demo simulator neither', () => {
    expect(canPublish(server, 'rigline/v1/site-a/ctl-a/command')).toBe(true);
    expect(canPublish(server, 'rigline/v1/site-a/ctl-a/telemetry')).toBe(false);
    expect(canSubscribe(server, 'rigline/v1/+/+/command/result')).toBe(true);
    expect(canSubscribe(server, '$share/g/rigline/v1/+/+/command/result')).toBe(true);
    expect(canPublish(local, 'rigline/v1/site-a/ctl-a/command')).toBe(false);
    expect(canSubscribe(local, 'rigline/v1/site-a/ctl-a/command')).toBe(false);
  });

  it('renders the same rules as Mosquitto acl_file lines', () => {
    expect(aclLines(agent)).toEqual(expect.arrayContaining(['topic read rigline/v1/site-a/ctl-a/command', 'topic write rigline/v1/site-a/ctl-a/command/result']));
    expect(aclLines(server)).toEqual(expect.arrayContaining(['topic read rigline/v1/+/+/command/result', 'topic write rigline/v1/+/+/command']));
    expect(aclLines(agent).filter((l) => l.includes('command') && l.startsWith('topic write'))).toEqual(['topic write rigline/v1/site-a/ctl-a/command/result']);
  });
});
