import type { Sample } from '../../server/contract/index.js';
import { Publisher } from '../publisher/publisher.js';
import { buildFleet, type FleetShape, type SimSite } from './fleet.js';
import { FAULT_WINDOW_MS, scheduledFault, type FaultKind } from './faults.js';
import { simulateSample } from './samples.js';

export interface SimulatorOptions extends FleetShape {
  intervalMs: number;
  /** Chance per rig per fault window of a random fault; 0 gives a fault-free, exactly predictable fleet. */
  faultRate: number;
  startMs?: number;
}

export const SIM_AGENT = { name: 'rigline-sim', version: '1' };
const MAX_BATCH = 1000;

/**
 * Deterministic simulated fleet. `samplesAt` is pure; `SimulatorRunner` publishes them, one site controller
 * connection per site, through the same Publisher real agents use.
 */
export class FleetModel {
  readonly sites: SimSite[];
  private readonly forced = new Map<string, FaultKind | null>();
  /** First sample time at which each forced fault was in effect. */
  private readonly forcedSince = new Map<string, number>();

  constructor(readonly options: SimulatorOptions) {
    this.sites = buildFleet(options);
  }

  /** Forces a fault on a rig (null clears it and returns the rig to its schedule). */
  setFault(rigId: string, fault: FaultKind | null): void {
    this.forced.set(rigId, fault);
    this.forcedSince.delete(rigId);
  }

  clearFault(rigId: string): void {
    this.forced.delete(rigId);
    this.forcedSince.delete(rigId);
  }

  faultOf(rigId: string, tsMs: number): FaultKind | null {
    if (this.forced.has(rigId)) return this.forced.get(rigId) ?? null;
    const rig = this.sites.flatMap((s) => s.rigs).find((r) => r.id === rigId);
    return rig ? scheduledFault(this.options.seed, rig, tsMs, this.options.faultRate) : null;
  }

  /** Samples every reachable rig of a site sends at the given tick. Offline rigs send nothing. */
  samplesAt(site: SimSite, tick: number, tsMs: number): Sample[] {
    const startMs = this.options.startMs ?? 0;
    const samples: Sample[] = [];
    for (const rig of site.rigs) {
      const isForced = this.forced.has(rig.id);
      const fault = isForced ? (this.forced.get(rig.id) ?? null) : scheduledFault(this.options.seed, rig, tsMs, this.options.faultRate);
      if (isForced && !this.forcedSince.has(rig.id)) this.forcedSince.set(rig.id, tsMs);
      const faultSinceMs = isForced ? this.forcedSince.get(rig.id) : Math.floor(tsMs / FAULT_WINDOW_MS) * FAULT_WINDOW_MS;
      if (fault === 'offline') continue;
      samples.push(
        simulateSample(site, rig, fault, {
          seed: this.options.seed,
          tsMs,
          intervalS: this.options.intervalMs / 1000,
          startMs,
          seq: tick,
          faultSinceMs,
        }),
      );
    }
    return samples;
  }
}

export interface RunnerOptions {
  url: string;
  credentials?: { username: string; password: string };
  /** Told when a tick fails or is skipped; the demo logs it. */
  onProblem?: (message: string) => void;
}

export class SimulatorRunner {
  private readonly publishers = new Map<string, Publisher>();
  private timer: NodeJS.Timeout | null = null;
  private tickCount = 0;
  published = 0;
  skipped = 0;
  private stopped = false;

  constructor(
    readonly model: FleetModel,
    private readonly runner: RunnerOptions,
  ) {
    for (const site of model.sites) {
      this.publishers.set(
        site.id,
        new Publisher({
          url: runner.url,
          site: site.id,
          source: 'sim-controller',
          clientId: `rigline-sim-${site.id}`,
          username: runner.credentials?.username,
          password: runner.credentials?.password,
          agent: SIM_AGENT,
          backoff: { initialMs: 200, maxMs: 5000 },
        }),
      );
    }
  }

  async waitConnected(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all([...this.publishers.values()].map((p) => p.waitConnected(timeoutMs)));
    return results.every(Boolean);
  }

  /** Publishes one tick for every site; resolves once the broker acknowledged every message. */
  /**
   * Publishes one tick for every site; resolves once the broker acknowledged every message. A site whose connection
   * is down skips the tick (counted in `skipped`): the simulator is a demo source, not an agent with a spool, and
   * queueing in memory during a long broker outage would grow without bound.
   */
  async tick(tsMs = Date.now()): Promise<number> {
    const tick = this.tickCount++;
    let count = 0;
    await Promise.all(
      this.model.sites.map(async (site) => {
        const publisher = this.publishers.get(site.id) as Publisher;
        const samples = this.model.samplesAt(site, tick, tsMs);
        if (!publisher.connected) {
          this.skipped += samples.length;
          return;
        }
        for (let i = 0; i < samples.length; i += MAX_BATCH) {
          const chunk = samples.slice(i, i + MAX_BATCH);
          await publisher.publishSamples(chunk);
          count += chunk.length;
        }
      }),
    );
    this.published += count;
    return count;
  }

  start(): void {
    let skippedBefore = 0;
    const loop = (): void => {
      this.tick()
        .then(() => {
          if (this.skipped > skippedBefore) this.runner.onProblem?.(`broker unreachable: ${this.skipped - skippedBefore} simulated samples skipped`);
          skippedBefore = this.skipped;
        })
        .catch((err: Error) => this.runner.onProblem?.(`tick failed: ${err.message}`));
    };
    // The first tick waits for the connections, so a fresh start shows the whole fleet at once.
    void this.waitConnected(10_000).then(() => {
      if (this.stopped) return;
      loop();
      this.timer = setInterval(loop, this.model.options.intervalMs);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.publishers.values()].map((p) => p.stop('simulator stopped')));
  }
}
