import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { aclLines, canPublish, canSubscribe, topicMatches, type MqttPrincipal } from '../../server/auth/acl.js';
import { REDACT_PATHS } from '../../server/auth/index.js';
import { hashPassword, verifyPassword } from '../../server/auth/secrets.js';
import { SessionSigner } from '../../server/auth/sessions.js';

describe('sessions', () => {
  it('expire, and reject forged or foreign signatures', () => {
    const signer = new SessionSigner('s'.repeat(32), 60_000);
    const { value } = signer.issue('alice', 'viewer', 1_000_000);
    expect(signer.verify(value, 1_000_000 + 59_999)?.username).toBe('alice');
    expect(signer.verify(value, 1_000_000 + 60_000)).toBeNull();
    const forged = `${Buffer.from(JSON.stringify({ u: 'admin', exp: 9e15 })).toString('base64url')}.${value.split('.')[1]}`;
    expect(signer.verify(forged, 1_000_000)).toBeNull();
    expect(new SessionSigner('t'.repeat(32), 60_000).verify(value, 1_000_000)).toBeNull();
    expect(signer.verify('garbage', 0)).toBeNull();
  });
});

describe('password hashes', () => {
  it('verify in the mosquitto_passwd $7$ format and refuse malformed hashes', () => {
    const hash = hashPassword('hunter2-hunter2', 1000);
    expect(hash).toMatch(/^\$7\$1000\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/);
    expect(verifyPassword('hunter2-hunter2', hash)).toBe(true);
    expect(verifyPassword('hunter2-hunter3', hash)).toBe(false);
    for (const bad of ['', '$6$abc$def', '$7$0$AAAA$BBBB', '$7$1000$$', hash.slice(0, -4)]) expect(verifyPassword('x', bad)).toBe(false);
  });
});

describe('broker ACL', () => {
  const agent: MqttPrincipal = { kind: 'agent', username: 'a', site: 'site-01', rigs: null };
  const rigAgent: MqttPrincipal = { kind: 'agent', username: 'r', site: 'site-01', rigs: ['rig-1'] };
  const ingest: MqttPrincipal = { kind: 'ingest', username: 'i' };

  it('matches MQTT filters like Mosquitto', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/c/d')).toBe(false);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a')).toBe(false);
  });

  it('lets an agent publish only under its site (and rigs), and subscribe only to its own command topic', () => {
    expect(canPublish(agent, 'rigline/v1/site-01/ctl/telemetry')).toBe(true);
    expect(canPublish(agent, 'rigline/v1/site-01/ctl/status')).toBe(true);
    expect(canPublish(agent, 'rigline/v1/site-02/ctl/telemetry')).toBe(false);
    expect(canPublish(agent, 'rigline/v1/site-01/ctl/telemetry/extra')).toBe(false);
    expect(canPublish(agent, 'rigline/v1/site-01/ctl/config')).toBe(false);
    expect(canPublish(rigAgent, 'rigline/v1/site-01/rig-1/telemetry')).toBe(true);
    expect(canPublish(rigAgent, 'rigline/v1/site-01/rig-2/telemetry')).toBe(false);
    expect(canSubscribe(agent, 'rigline/v1/site-01/#')).toBe(false);
    expect(canPublish(ingest, 'rigline/v1/site-01/ctl/telemetry')).toBe(false);
    expect(canSubscribe(ingest, 'rigline/v1/+/+/telemetry')).toBe(true);
    expect(canSubscribe(ingest, '$share/rigline/rigline/v1/+/+/status')).toBe(true);
    expect(canSubscribe(ingest, '#')).toBe(false);
    // Operator actions (issue 14): the agent reads its own command topic and writes its own result topic, nothing more.
    expect(aclLines(rigAgent)).toEqual([
      'user r',
      'topic read rigline/v1/site-01/r/command',
      'topic write rigline/v1/site-01/rig-1/telemetry',
      'topic write rigline/v1/site-01/rig-1/status',
      'topic write rigline/v1/site-01/r/command/result',
    ]);
  });
});

describe('logs', () => {
  it('never contain secrets', () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        written += chunk.toString();
        done();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info({ password: 'pw-secret-1', mqtt: { password: 'pw-secret-2' }, token: 'tok-secret-3' }, 'x');
    log.info({ req: { headers: { authorization: 'Bearer tok-secret-4', cookie: 'rigline_session=ck-secret-5' } } }, 'y');
    log.info({ agent: { username: 'a', hash: '$7$1000$secret-6' } }, 'z');
    expect(written).not.toMatch(/secret-\d/);
    expect(written).toContain('[redacted]');
  });
});
