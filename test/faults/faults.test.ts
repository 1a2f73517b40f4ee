import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Publisher } from '../../agents/publisher/publisher.js';
import { FleetModel, SIM_AGENT } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { startProxy, type Partitionable } from '../helpers/proxy.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { recordStoredSamples } from '../helpers/stored.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

/**
 * Faults with nothing lost, on real Mosquitto: each scenario publishes ticks of a small fleet at QoS 1 through the
 * agents' Publisher, disrupts one part mid-run, and counts samples sent against samples stored (distinct rig+ts;
 * QoS 1 is at-least-once, so redelivered duplicates are reported, and the store is keyed so they collapse).
 */
const model = new FleetModel({ sites: 1, rigsPerSite: 50, seed: 7, intervalMs: 600_000, faultRate: 0, gpuEvery: 10, startMs: Date.now() - 7_200_000 });
const site = model.sites[0]!;
const TICKS_BEFORE = 10;
const TICKS_DURING = 10;
const TICKS_AFTER = 10;

interface Run {
  broker: Service;
  server: Rigline | null;
  agent: Publisher;
  /** rig@ts of every sample any server stored in this run. */
  stored: string[];
  sent: number;
  tick: number;
}

const cleanups: (() => Promise<void>)[] = [];
let recorder = recordStoredSamples();
beforeEach(() => {
  recorder = recordStoredSamples();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  recorder.restore();
});

async function startServer(run: Pick<Run, 'broker'>): Promise<Rigline> {
  const server = await startTestServer({ mqtt: { mode: 'external', url: run.broker.url, client_id: 'rigline-faults' } });
  cleanups.push(() => server.stop());
  return server;
}

function startAgent(url: string): Publisher {
  const agent = new Publisher({ url, site: site.id, source: 'ctl', agent: SIM_AGENT, backoff: { initialMs: 100, maxMs: 500 } });
  cleanups.push(() => agent.stop());
  return agent;
}

/** Publishes ticks without waiting for the acknowledgements (they may be held by a fault); returns the pending acks. */
function publishTicks(run: Run, count: number): Promise<void>[] {
  const acks: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const samples = model.samplesAt(site, run.tick, Date.now() - 3_600_000 + run.tick * 1000);
    run.tick++;
    run.sent += samples.length;
    acks.push(run.agent.publishSamples(samples));
  }
  return acks;
}

async function setUp(agentUrl?: (brokerPort: number) => Promise<string>): Promise<Run> {
  const broker = await startMosquitto({ persistence: true });
  cleanups.push(() => broker.dispose());
  const run: Run = {
    broker,
    server: null,
    agent: null as unknown as Publisher,
    get stored() {
      return recorder.all();
    },
    sent: 0,
    tick: 0,
  };
  run.server = await startServer(run);
  run.agent = startAgent(agentUrl ? await agentUrl(broker.port) : broker.url);
  expect(await run.agent.waitConnected(5000)).toBe(true);
  return run;
}

async function settle(run: Run, name: string): Promise<void> {
  await waitFor(() => (new Set(run.stored).size >= run.sent ? true : undefined), 20_000, `${name}: every sample stored`);
  const unique = new Set(run.stored).size;
  console.log(`fault ${name}: sent ${run.sent}, stored ${unique}, redelivered duplicates ${run.stored.length - unique}, rejected ${Object.values(run.server!.counters.snapshot().invalid).reduce((a, b) => a + b, 0)}, lost ${run.sent - unique}`);
  expect(unique).toBe(run.sent);
}

describe.skipIf(!hasService('mosquitto', 'mosquitto'))('faults with nothing lost (real Mosquitto)', () => {
  it('broker restart', async () => {
    const run = await setUp();
    await Promise.all(publishTicks(run, TICKS_BEFORE));
    await run.broker.stop();
    const during = publishTicks(run, TICKS_DURING); // the agent holds these until the broker is back
    await new Promise((r) => setTimeout(r, 500));
    await run.broker.start();
    await Promise.all(during);
    await Promise.all(publishTicks(run, TICKS_AFTER));
    await settle(run, 'broker restart');
  });

  it('server restart (its persistent session queues on the broker and replays)', { timeout: 60_000 }, async () => {
    const run = await setUp();
    await Promise.all(publishTicks(run, TICKS_BEFORE));
    await run.server!.stop();
    await Promise.all(publishTicks(run, TICKS_DURING)); // acknowledged by the broker, queued for the server's session
    run.server = await startServer(run);
    await Promise.all(publishTicks(run, TICKS_AFTER));
    await settle(run, 'server restart');
  });

  it('agent restart', async () => {
    const run = await setUp();
    await Promise.all(publishTicks(run, TICKS_BEFORE));
    const pending = publishTicks(run, TICKS_DURING);
    await run.agent.stop('restart'); // a graceful stop completes what is in flight
    await Promise.all(pending);
    run.agent = startAgent(run.broker.url);
    expect(await run.agent.waitConnected(5000)).toBe(true);
    await Promise.all(publishTicks(run, TICKS_AFTER));
    await settle(run, 'agent restart');
  });

  it('network partition of one agent', async () => {
    let proxy: Partitionable | null = null;
    const run = await setUp(async (port) => {
      proxy = await startProxy(port);
      cleanups.push(() => proxy!.close());
      return proxy.url;
    });
    const other = startAgent(run.broker.url); // a second agent on the healthy side keeps publishing
    await Promise.all(publishTicks(run, TICKS_BEFORE));
    proxy!.cut();
    const during = publishTicks(run, TICKS_DURING);
    const otherSamples = model.samplesAt(site, 999, Date.now()).map((s) => ({ ...s, rig: `${s.rig}-b` }));
    await other.publishSamples(otherSamples);
    run.sent += otherSamples.length;
    await new Promise((r) => setTimeout(r, 1500));
    proxy!.heal();
    await Promise.all(during);
    await Promise.all(publishTicks(run, TICKS_AFTER));
    await settle(run, 'network partition');
  });

});
