import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../../agents/sim/simulator.js';
import { Agent, type AgentTransport } from '../../../agents/runtime/agent.js';
import { SeqAllocator } from '../../../agents/spool/seq.js';
import { Spool } from '../../../agents/spool/spool.js';

describe('agent whose spool cannot be written while the broker is away', () => {
  const root = mkdtempSync(join(tmpdir(), 'rigline-agent-lost-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('counts the samples it could neither spool nor publish as lost', async () => {
    const spoolDir = join(root, 'spool');
    const spool = await Spool.open({ dir: spoolDir, maxBytes: 1 << 20 });
    // The spool folder vanishes and a file takes its name: every append now fails (ENOTDIR), as on a dead disk.
    rmSync(spoolDir, { recursive: true });
    writeFileSync(spoolDir, 'not a folder');
    const model = new FleetModel({ sites: 1, rigsPerSite: 3, seed: 3, intervalMs: 10_000, faultRate: 0, gpuEvery: 0 });
    const samples = model.samplesAt(model.sites[0]!, 0, Date.now());
    // The broker is away: the agent's transport (the MQTT publisher's interface) is disconnected.
    const transport: AgentTransport = {
      connected: false,
      publishRaw: () => Promise.reject(new Error('not connected')),
      onConnect: () => undefined,
      stop: () => Promise.resolve(),
    };
    const agent = new Agent({
      site: 'site-01', agentId: 'ctl-1', intervalMs: 10_000, timeoutMs: 1000, batchWindowMs: 100, ackTimeoutMs: 1000,
      maxInFlight: 4, maxSamplesPerMessage: 2, spool, seq: new SeqAllocator(root), transport, log: pino({ level: 'silent' }),
      sources: [{ rig: 'site-01', description: 'controller', poll: () => Promise.resolve({ ok: true, samples }) }],
    });
    await agent.round();
    expect(agent.stats()).toMatchObject({ samples: 3, publishedLive: 0, lost: 3, spool: { samples: 0 } });
  });
});

describe('agent replaying a spool record it cannot read', () => {
  const root = mkdtempSync(join(tmpdir(), 'rigline-agent-unreadable-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('logs the failure and keeps running instead of rejecting out of the replay', async () => {
    const spoolDir = join(root, 'spool');
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 4, intervalMs: 10_000, faultRate: 0, gpuEvery: 0 });
    const first = await Spool.open({ dir: spoolDir, maxBytes: 1 << 20 });
    await first.append(1, model.samplesAt(model.sites[0]!, 0, Date.now()));
    await first.close();
    const spool = await Spool.open({ dir: spoolDir, maxBytes: 1 << 20 });
    // The segment is indexed, then removed behind the agent's back: reading it back fails with ENOENT.
    rmSync(spoolDir, { recursive: true });
    const logged: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    let connect: () => void = () => undefined;
    const transport: AgentTransport = {
      connected: true,
      publishRaw: () => Promise.resolve(),
      onConnect: (listener) => (connect = listener),
      stop: () => Promise.resolve(),
    };
    const agent = new Agent({
      site: 'site-01', agentId: 'ctl-1', intervalMs: 10_000, timeoutMs: 1000, batchWindowMs: 100, ackTimeoutMs: 1000,
      maxInFlight: 4, maxSamplesPerMessage: 10, spool, seq: new SeqAllocator(root), transport, log, sources: [],
    });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      connect();
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toEqual([]);
    expect(logged.some((line) => line.includes('spool read failed'))).toBe(true);
    expect(agent.stats().replayed).toBe(0);
  });
});
