import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandJournal } from '../../../agents/runtime/command-journal.js';
import { CommandRunner, type MinerActionRunner } from '../../../agents/runtime/commands.js';
import type { ActionCommand, ActionResult } from '../../../server/contract/index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(options: { enabled?: boolean; now?: number; dir?: string; run?: MinerActionRunner } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rigline-cmd-'));
  if (!options.dir) dirs.push(dir);
  const published: ActionResult[] = [];
  const calls: string[] = [];
  const run: MinerActionRunner =
    options.run ??
    (async (host, _port, request) => {
      calls.push(`${host} ${request.action}`);
      return { ok: true, code: 'ok', message: 'done', answer: { STATUS: 'S' }, family: 'luxos' };
    });
  const runner = new CommandRunner({
    site: 's1',
    agent: 'agent-1',
    enabled: options.enabled ?? true,
    targets: new Map([['rig-1', { host: '10.0.0.1', port: 4028, secrets: { password: 'never-sent' } }]]),
    journal: new CommandJournal(dir, 100),
    publish: async (topic, payload) => {
      expect(topic).toBe('rigline/v1/s1/agent-1/command/result');
      published.push(JSON.parse(payload) as ActionResult);
    },
    log: pino({ level: 'silent' }),
    timeoutMs: 1000,
    now: () => options.now ?? 1_000_000,
    run,
  });
  return { runner, published, calls, dir };
}

const command = (over: Partial<ActionCommand> = {}): Buffer =>
  Buffer.from(
    JSON.stringify({
      schema: 1,
      id: 'cmd-00000001',
      rig: 'rig-1',
      request: { action: 'sleep' },
      requester: 'op',
      created_ms: 999_000,
      expires_ms: 1_060_000,
      ...over,
    }),
  );

describe('agent command runner', () => {
  it('runs a command once; the same id again gets the same result without running', async () => {
    const { runner, published, calls } = setup();
    await runner.handle(command());
    await runner.handle(command());
    expect(calls).toEqual(['10.0.0.1 sleep']);
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual(published[0]);
    expect(published[0]).toMatchObject({ id: 'cmd-00000001', ok: true, code: 'ok', family: 'luxos' });
  });

  it('remembers ids across a restart, and a command interrupted mid-run is not run again', async () => {
    const first = setup();
    await first.runner.handle(command());
    // Simulate a crash mid-command: the journal has "started" for a second id but no result.
    new CommandJournal(first.dir).started('cmd-00000002');
    const second = setup({ dir: first.dir });
    await second.runner.handle(command());
    await second.runner.handle(command({ id: 'cmd-00000002' }));
    expect(second.calls).toEqual([]);
    expect(second.published.map((r) => r.code)).toEqual(['ok', 'interrupted']);
    expect(readFileSync(join(first.dir, 'commands.jsonl'), 'utf8')).not.toContain('never-sent');
  });

  it('never runs an expired command, refuses unknown rigs, and stays read-only unless enabled', async () => {
    const late = setup({ now: 2_000_000 });
    await late.runner.handle(command());
    expect(late.calls).toEqual([]);
    expect(late.published[0]).toMatchObject({ ok: false, code: 'expired' });

    const other = setup();
    await other.runner.handle(command({ rig: 'rig-9' }));
    expect(other.published[0]).toMatchObject({ ok: false, code: 'unknown_rig' });

    const off = setup({ enabled: false });
    await off.runner.handle(command());
    expect(off.calls).toEqual([]);
    expect(off.published[0]).toMatchObject({ ok: false, code: 'actions_disabled' });
  });

  it('answers invalid commands it can name, and drops what it cannot', async () => {
    const { runner, published, calls } = setup();
    await runner.handle(command({ request: { action: 'explode' } as never }));
    await runner.handle(Buffer.from('not json'));
    await runner.handle(Buffer.alloc(20_000, 0x20));
    expect(calls).toEqual([]);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ id: 'cmd-00000001', ok: false, code: 'invalid_command' });
  });

  it('a redelivery while the command runs does not start it twice', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[] = [];
    const { runner, published } = setup({
      run: async (_h, _p, request) => {
        calls.push(request.action);
        await gate;
        return { ok: true, code: 'ok', message: 'done', answer: null, family: 'avalon' };
      },
    });
    const running = runner.handle(command());
    await runner.handle(command());
    release();
    await running;
    expect(calls).toEqual(['sleep']);
    expect(published).toHaveLength(1);
  });
});
