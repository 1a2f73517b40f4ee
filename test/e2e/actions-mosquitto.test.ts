import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../agents/runtime/agent.js';
import { parseAgentConfig, type AgentConfigInput } from '../../agents/runtime/config.js';
import { startAgent } from '../../agents/runtime/start.js';
import type { Rigline } from '../../server/app.js';
import { runCli } from '../../server/auth/cli.js';
import { commandResultTopic, commandTopic, type ActionCommand, type ActionRecord, type ActionResult } from '../../server/contract/index.js';
import { DEVICES } from '../agents/recordings.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

/**
 * Operator → API → MQTT (real Mosquitto, password and ACL files written by the CLI) → agent → fake LuxOS miner →
 * result and audit. Also: roles and per-site limits, expiry, a repeated command id, an agent killed mid-command.
 */
const SITE = 'site-a';
const RIG = 'lux-01';
const AGENT = 'site-a-agent';

describe.skipIf(!hasService('mosquitto', 'mosquitto') && process.env.CI !== 'true')('operator actions end to end on Mosquitto', () => {
  let dir: string;
  let broker: Service;
  let rigline: Rigline;
  let miner: FakeMiner;
  let agent: Agent | null = null;
  const passwords = new Map<string, string>();
  const tokens = new Map<string, string>();
  const lines: string[] = [];
  const cli = async (...args: string[]): Promise<void> => {
    lines.length = 0;
    const code = await runCli([...args, '--file', join(dir, 'credentials.json'), '--password-file', join(dir, 'passwd'), '--acl-file', join(dir, 'acl'), '--json'], {}, (l) => lines.push(l), (l) => lines.push(l));
    expect(code, lines.join('\n')).toBe(0);
  };
  const lastJson = (): Record<string, string> => JSON.parse(lines.filter((l) => l.startsWith('{')).pop() as string) as Record<string, string>;

  const agentConfig = (): AgentConfigInput => ({
    site: SITE,
    agent_id: 'ctl-a',
    interval_s: 60,
    timeout_ms: 5000,
    mqtt: { url: broker.url, username: AGENT, password: passwords.get(AGENT), client_id: AGENT, reconnect: { initial_ms: 100, max_ms: 500 } },
    sources: [{ type: 'cgminer', host: miner.host, port: miner.port, rig: RIG, family: 'luxos' }],
    spool: { dir: join(dir, 'spool') },
    actions: { enabled: true, timeout_ms: 10_000 },
  });

  const api = async <T>(method: string, path: string, who: string | null, body?: unknown): Promise<{ status: number; body: T }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (who) headers.authorization = `Bearer ${tokens.get(who)}`;
    const res = await fetch(`${rigline.httpUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as T };
  };
  const finalState = (id: string): Promise<ActionRecord> =>
    waitFor(async () => {
      const { body } = await api<ActionRecord>('GET', `/api/actions/${id}`, 'op');
      return ['done', 'failed', 'expired'].includes(body.state) ? body : undefined;
    }, 20_000, `action ${id} to finish`);
  const commandsSeen = (name: string): number => miner.requests.filter((r) => (JSON.parse(r) as { command?: string }).command === name).length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rigline-actions-'));
    chmodSync(dir, 0o755);
    await cli('agents', 'add', 'ingest-1', '--ingest');
    passwords.set('ingest-1', lastJson().password as string);
    await cli('agents', 'add', AGENT, '--site', SITE);
    passwords.set(AGENT, lastJson().password as string);
    await cli('agents', 'add', 'other-agent', '--site', SITE);
    passwords.set('other-agent', lastJson().password as string);
    for (const [user, role, site] of [['op', 'operator', SITE], ['op-b', 'operator', 'site-b'], ['view', 'viewer', '']] as const) {
      await cli('users', 'add', user, '--role', role, ...(site ? ['--site', site] : []));
      await cli('tokens', 'create', user, '--name', 'e2e');
      tokens.set(user, lastJson().token as string);
    }
    broker = await startMosquitto({ allowAnonymous: false, extraConfig: [`password_file ${join(dir, 'passwd')}`, `acl_file ${join(dir, 'acl')}`] });
    rigline = await startTestServer({
      mqtt: { mode: 'external', url: broker.url, username: 'ingest-1', password: passwords.get('ingest-1'), client_id: 'ingest-1' },
      auth: { anonymous: 'none', credentials_file: join(dir, 'credentials.json') },
      actions: { audit_file: join(dir, 'actions.jsonl'), expire_after_ms: 8000 },
    });
    miner = await startFakeMiner({
      replies: {
        ...loadRecordings(DEVICES.luxos),
        ...loadRecordings({ logon: 'actions/luxos_logon.json', curtail: 'actions/luxos_curtail_sleep.json', logoff: 'actions/luxos_ok.json' }),
      },
    });
    agent = await startAgent(parseAgentConfig(agentConfig()), { log: pino({ level: 'silent' }) });
    await waitFor(async () => ((await api<{ status?: string }>('GET', `/api/rigs/${RIG}`, 'op')).status === 200 ? true : undefined), 15_000, 'the rig to appear');
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await rigline?.stop();
    await miner?.close();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an operator puts a rig to sleep: 202 queued, the miner gets curtail once, the result and the audit say done', async () => {
    const accepted = await api<{ id: string; state: string }>('POST', `/api/rigs/${RIG}/actions`, 'op', { action: 'sleep' });
    expect(accepted.status).toBe(202);
    expect(accepted.body.state).toBe('queued');
    const record = await finalState(accepted.body.id);
    expect(record).toMatchObject({ rig: RIG, site: SITE, agent: AGENT, action: 'sleep', state: 'done', by: 'op' });
    expect(record.result).toMatchObject({ ok: true, code: 'ok', family: 'luxos', message: 'curtail sleep: Curtail: sleep' });
    expect(record.sent).not.toBeNull();
    expect(record.finished).not.toBeNull();
    const sleeps = miner.requests.filter((r) => r.includes('"curtail"'));
    expect(sleeps).toEqual([JSON.stringify({ command: 'curtail', parameter: 'SfgBhyQH,sleep' })]);
    const list = await api<{ total: number; items: ActionRecord[] }>('GET', `/api/actions?rig=${RIG}&by=op&state=done`, 'view');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i) => i.id)).toContain(accepted.body.id);
    // Persisted: the audit file has the finished record.
    const persisted = readFileSync(join(dir, 'actions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { record: ActionRecord });
    expect(persisted.filter((p) => p.record.id === accepted.body.id).pop()?.record.state).toBe('done');
  }, 30_000);

  it('a viewer gets 403, an operator of another site gets 403, and nothing reaches the miner', async () => {
    const before = miner.requests.length;
    const viewer = await api<{ error: { code: string } }>('POST', `/api/rigs/${RIG}/actions`, 'view', { action: 'restart' });
    expect(viewer.status).toBe(403);
    expect(viewer.body.error.code).toBe('forbidden');
    const other = await api<{ error: { code: string } }>('POST', `/api/rigs/${RIG}/actions`, 'op-b', { action: 'restart' });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('site_forbidden');
    const anonymous = await api('POST', `/api/rigs/${RIG}/actions`, null, { action: 'restart' });
    expect(anonymous.status).toBe(401);
    const bad = await api<{ error: { code: string } }>('POST', `/api/rigs/${RIG}/actions`, 'op', { action: 'power_target', watts: 5, percent: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_action');
    expect(miner.requests.length).toBe(before);
  });

  it('only the server publishes commands and each agent reads only its own command topic', async () => {
    const other = await mqtt.connectAsync(broker.url, { username: 'other-agent', password: passwords.get('other-agent'), clientId: 'other-agent', protocolVersion: 5, reconnectPeriod: 0 });
    const overheard: string[] = [];
    other.on('message', (topic) => overheard.push(topic));
    await other.subscribeAsync(commandTopic(SITE, AGENT), { qos: 1 });
    const command: ActionCommand = { schema: 1, id: 'forged-00000001', rig: RIG, request: { action: 'restart' }, requester: 'mallory', created_ms: Date.now(), expires_ms: Date.now() + 60_000 };
    await expect(other.publishAsync(commandTopic(SITE, AGENT), JSON.stringify(command), { qos: 1 })).rejects.toThrow(/Not authorized/);
    // A forged result on another agent's result topic is refused too.
    await expect(other.publishAsync(commandResultTopic(SITE, AGENT), '{}', { qos: 1 })).rejects.toThrow(/Not authorized/);
    const accepted = await api<{ id: string }>('POST', `/api/rigs/${RIG}/actions`, 'op', { action: 'wake' });
    await finalState(accepted.body.id);
    await other.endAsync();
    expect(overheard).toEqual([]);
    expect(commandsSeen('restart')).toBe(0);
  }, 30_000);

  it('a repeated command id runs once; an expired command never runs', async () => {
    // The test speaks as the server (its ingest identity may publish commands) to send the same id twice.
    const server = await mqtt.connectAsync(broker.url, { username: 'ingest-1', password: passwords.get('ingest-1'), clientId: 'ingest-1-test', reconnectPeriod: 0 });
    const results: ActionResult[] = [];
    server.on('message', (_t, payload) => results.push(JSON.parse(payload.toString()) as ActionResult));
    await server.subscribeAsync(commandResultTopic(SITE, AGENT), { qos: 1 });
    const curtailsBefore = commandsSeen('curtail');
    const command: ActionCommand = { schema: 1, id: 'repeat-00000001', rig: RIG, request: { action: 'sleep' }, requester: 'op', created_ms: Date.now(), expires_ms: Date.now() + 60_000 };
    await server.publishAsync(commandTopic(SITE, AGENT), JSON.stringify(command), { qos: 1 });
    await waitFor(() => (results.some((r) => r.id === command.id) ? true : undefined), 15_000, 'first result');
    await server.publishAsync(commandTopic(SITE, AGENT), JSON.stringify(command), { qos: 1 });
    const expired: ActionCommand = { ...command, id: 'expired-0000001', created_ms: Date.now() - 120_000, expires_ms: Date.now() - 60_000 };
    await server.publishAsync(commandTopic(SITE, AGENT), JSON.stringify(expired), { qos: 1 });
    await waitFor(() => (results.filter((r) => r.id === command.id).length >= 2 && results.some((r) => r.id === expired.id) ? true : undefined), 15_000, 'repeat and expired results');
    await server.endAsync();
    expect(commandsSeen('curtail') - curtailsBefore).toBe(1);
    const [first, second] = results.filter((r) => r.id === command.id);
    expect(second).toEqual(first);
    expect(results.find((r) => r.id === expired.id)).toMatchObject({ ok: false, code: 'expired' });
  }, 30_000);

  it('an action queued while its agent is away expires and is never run when the agent returns', async () => {
    await agent?.stop();
    agent = null;
    const curtailsBefore = commandsSeen('curtail');
    const accepted = await api<{ id: string }>('POST', `/api/rigs/${RIG}/actions`, 'op', { action: 'sleep' });
    expect(accepted.status).toBe(202);
    const record = await finalState(accepted.body.id);
    expect(record.state).toBe('expired');
    agent = await startAgent(parseAgentConfig(agentConfig()), { log: pino({ level: 'silent' }) });
    // A later action goes through, so the agent is back and has had every chance to run the expired one.
    const later = await api<{ id: string }>('POST', `/api/rigs/${RIG}/actions`, 'op', { action: 'wake' });
    expect((await finalState(later.body.id)).state).toBe('done');
    expect(commandsSeen('curtail') - curtailsBefore).toBe(1); // the wake (curtail wakeup) only
    expect(miner.requests.filter((r) => r.includes(',sleep')).length).toBe(2); // the two sleeps of earlier tests
  }, 40_000);

  it('an agent killed mid-command does not run it again after its restart', async () => {
    await agent?.stop();
    agent = null;
    const configFile = join(dir, 'agent.json');
    writeFileSync(configFile, JSON.stringify({ ...agentConfig(), log: { level: 'error' } }));
    const spawnAgent = (): ChildProcess => spawn(process.execPath, ['agents/bin/rigline-agent.js', 'run', '--config', configFile], { stdio: 'ignore' });
    const polled = miner.requests.length;
    let child = spawnAgent();
    try {
      await waitFor(() => (miner.requests.length > polled ? true : undefined), 20_000, 'the child agent to poll');
      miner.setBehaviour('dead'); // the miner takes the request and never answers: the agent is mid-command
      const logonsBefore = commandsSeen('logon');
      const accepted = await api<{ id: string }>('POST', `/api/rigs/${RIG}/actions`, 'op', { action: 'sleep' });
      await waitFor(() => (commandsSeen('logon') > logonsBefore ? true : undefined), 15_000, 'the agent to start the command');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      miner.setBehaviour('ok');
      child = spawnAgent();
      // On its birth the server sends the pending command again; the agent's journal says it had started it.
      const record = await finalState(accepted.body.id);
      expect(record.state).toBe('failed');
      expect(record.result?.code).toBe('interrupted');
      expect(commandsSeen('logon') - logonsBefore).toBe(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  }, 60_000);
});
