import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import type { FleetUpdate } from '../../server/contract/index.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { recordStoredSamples } from '../helpers/stored.js';
import { launchChromium } from '../helpers/browser.js';
import { ensureWebBuild } from '../helpers/web-build.js';
import { hasService, startMosquitto, startRedis, type Service } from '../helpers/services.js';

const enabled = hasService('mosquitto', 'mosquitto') && hasService('redis-server', 'redis-server') && hasService('chromium', 'chromium');
const SITES = 4;
const RIGS_PER_SITE = 100;
const FLEET = SITES * RIGS_PER_SITE;

/** One server instance, with a record of every sample it stored (the stand-in for the shared store). */
interface Instance {
  rigline: Rigline;
  /** rig@ts of every sample this instance stored (its share; the stand-in for the shared store). */
  readonly stored: string[];
  socket: Socket;
  last: FleetUpdate | null;
}

describe.skipIf(!enabled)('scale-out: two instances behind one Mosquitto (MQTT 5 $share) and Redis', () => {
  let mosquitto: Service;
  let redis: Service;
  const model = new FleetModel({ sites: SITES, rigsPerSite: RIGS_PER_SITE, seed: 7, intervalMs: 600_000, faultRate: 0, gpuEvery: 10, startMs: Date.now() - 7_200_000 });
  const siteNames = new Map(model.sites.map((s) => [s.id, s.name]));
  let runner: SimulatorRunner;
  const instances = new Map<string, Instance>();
  const retired: Instance[] = [];
  const t0 = Date.now() - 3_600_000;
  let ticks = 0;

  async function startInstance(clientId: string): Promise<Instance> {
    const rigline = await startTestServer(
      {
        mqtt: { mode: 'external', url: mosquitto.url, client_id: clientId, shared_group: 'rigline' },
        realtime: { redis_url: redis.url, min_interval_ms: 100 },
      },
      siteNames,
    );
    const store = rigline.store;
    const socket = connectSocket(rigline.httpUrl, { transports: ['websocket'] });
    const instance: Instance = {
      rigline,
      socket,
      last: null,
      get stored() {
        return recorder.byStore.get(store) ?? [];
      },
    };
    socket.on('fleet', (update) => (instance.last = update as FleetUpdate));
    instances.set(clientId, instance);
    return instance;
  }

  async function stopInstance(clientId: string): Promise<void> {
    const instance = instances.get(clientId) as Instance;
    instance.socket.close();
    await instance.rigline.stop();
    instances.delete(clientId);
    retired.push(instance);
  }

  const allStored = (): string[] => [...retired, ...instances.values()].flatMap((i) => i.stored);
  const tick = async (): Promise<number> => runner.tick(t0 + ticks++ * 1000);

  const recorder = recordStoredSamples();
  beforeAll(async () => {
    [mosquitto, redis] = await Promise.all([startMosquitto(), startRedis()]);
    await startInstance('rigline-a');
    await startInstance('rigline-b');
    runner = new SimulatorRunner(model, { url: mosquitto.url });
    expect(await runner.waitConnected(5000)).toBe(true);
  });
  afterAll(async () => {
    await runner?.stop();
    for (const id of [...instances.keys()]) await stopInstance(id);
    await Promise.all([mosquitto?.dispose(), redis?.dispose()]);
    recorder.restore();
  });

  it('splits the ingest with no duplicate and no missing sample, and both show the same live fleet', async () => {
    let sent = 0;
    for (let i = 0; i < 10; i++) sent += await tick();
    expect(sent).toBe(10 * FLEET);
    await waitFor(() => (allStored().length >= sent ? true : undefined), 15_000, 'every sample stored');
    const [a, b] = [instances.get('rigline-a')!, instances.get('rigline-b')!];
    const unique = new Set(allStored());
    console.log(`scale-out split: sent ${sent}, stored by A ${a.stored.length}, by B ${b.stored.length}, unique ${unique.size}, duplicates ${allStored().length - unique.size}, lost ${sent - unique.size}`);
    expect(unique.size).toBe(sent);
    expect(allStored().length).toBe(sent);
    expect(a.stored.length).toBeGreaterThan(0);
    expect(b.stored.length).toBeGreaterThan(0);

    // Each instance's browsers see the whole fleet, though each instance ingested only part of it.
    const fleets = await waitFor(() => {
      const [fa, fb] = [a.last?.fleet, b.last?.fleet];
      return fa && fb && fa.rigs.total === FLEET && fb.rigs.total === FLEET && fa.hashrate_ths === fb.hashrate_ths ? [fa, fb] : undefined;
    }, 10_000, 'the same live fleet on both instances');
    expect(fleets[0]).toEqual(fleets[1]);
    expect(a.rigline.state.rigCount).toBe(FLEET);
    expect(b.rigline.state.rigCount).toBe(FLEET);
  });

  it('loses nothing when an instance dies mid-run: a survivor adopts its session until it comes back', { timeout: 60_000 }, async () => {
    const before = allStored().length;
    let sent = 0;
    const publish = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        sent += await tick();
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const publishing = publish(20);
    await new Promise((r) => setTimeout(r, 150));
    await stopInstance('rigline-a'); // dies mid-run; the broker keeps routing part of the share to its session
    await publishing;
    const b = instances.get('rigline-b')!;
    // No restart: B notices A's silence (Redis heartbeat), takes over A's session and drains what was queued.
    await waitFor(() => (new Set(allStored()).size >= before + sent ? true : undefined), 30_000, 'survivor drained the dead instance\'s share');
    const byB = b.stored.length;
    await waitFor(() => (b.rigline.state.fleet().rigs.total === FLEET ? true : undefined), 5000, 'survivor holds the whole fleet');
    // A returns under its client id and takes its session back; ingest splits again.
    const a2 = await startInstance('rigline-a');
    await publish(10);
    await waitFor(() => (new Set(allStored()).size >= before + sent ? true : undefined), 20_000, 'every sample stored');
    const unique = new Set(allStored());
    const duplicates = allStored().length - unique.size;
    console.log(`scale-out kill: sent ${sent}, stored by the survivor (own share + adopted) ${byB}, by the returned instance ${a2.stored.length}, unique ${unique.size - before}, redelivered duplicates ${duplicates}, lost ${before + sent - unique.size}`);
    expect(unique.size).toBe(before + sent);
    expect(a2.stored.length).toBeGreaterThan(0);
    const fleets = await waitFor(() => {
      const [fa, fb] = [a2.last?.fleet, b.last?.fleet];
      return fa && fb && fa.rigs.total === FLEET && fa.hashrate_ths === fb.hashrate_ths ? [fa, fb] : undefined;
    }, 10_000, 'the same live fleet after the restart');
    expect(fleets[0]).toEqual(fleets[1]);
  });

  it('shows the same live fleet in a browser on either instance', async () => {
    ensureWebBuild();
    const browser = await launchChromium();
    try {
      const pages = await Promise.all([...instances.values()].map(async (instance) => {
        const page = await browser.newPage();
        await page.goto(instance.rigline.httpUrl);
        await page.waitForSelector('#conn[data-state="live"]');
        return page;
      }));
      const tiles = async (): Promise<string[]> =>
        Promise.all(pages.map(async (page) => `${await page.getAttribute('[data-testid="rigs-total"]', 'data-value')} rigs, ${await page.getAttribute('[data-testid="hashrate"]', 'data-value')} TH/s`));
      await tick(); // a live update after the pages opened: each instance ingests part of it
      const shown = await waitFor(async () => {
        const values = await tiles();
        const expected = instances.get('rigline-b')!.rigline.state.fleet();
        return values.every((v) => v === `${FLEET} rigs, ${expected.hashrate_ths} TH/s`) ? values : undefined;
      }, 15_000, 'both browsers showing the fleet after the last tick');
      console.log(`scale-out browsers: ${shown.join(' | ')}`);
      expect(new Set(shown).size).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
