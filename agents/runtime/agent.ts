import type { Logger } from 'pino';
import { SCHEMA_VERSION, telemetryTopic, type Sample, type SampleBatch } from '../../server/contract/index.js';
import type { PollResult, PollSource } from '../source.js';
import type { SeqAllocator } from '../spool/seq.js';
import type { Spool } from '../spool/spool.js';

/** What the agent needs of the MQTT publisher (agents/publisher/publisher.ts implements it). */
export interface AgentTransport {
  readonly connected: boolean;
  /** Resolves when the broker acknowledged the QoS 1 publish. */
  publishRaw(topic: string, payload: string): Promise<void>;
  onConnect(listener: () => void): void;
  stop(reason?: string): Promise<void>;
}

export interface AgentOptions {
  site: string;
  agentId: string;
  intervalMs: number;
  timeoutMs: number;
  batchWindowMs: number;
  ackTimeoutMs: number;
  maxInFlight: number;
  maxSamplesPerMessage: number;
  sources: PollSource[];
  spool: Spool;
  seq: SeqAllocator;
  transport: AgentTransport;
  log: Logger;
}

export interface AgentStats {
  /** Spooled messages waiting for replay or being replayed (the live messages of the moment not counted). */
  backlog: number;
  /** Sources whose last poll failed. */
  failingSources: number;
  rounds: number;
  samples: number;
  sourceFailures: number;
  publishedLive: number;
  replayed: number;
  /** Samples neither spooled (the append failed: disk full, spool folder gone) nor acknowledged live: lost. */
  lost: number;
  spool: ReturnType<Spool['stats']>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * The agent's poll loop and store-and-forward.
 *
 * Every interval all sources are polled at once, each with its own timeout, so a slow or dead source costs only
 * its own sample: answers that arrive within the batch window go out together, later ones in a second message.
 * Every message is first appended to the on-disk spool (durable), then published live at QoS 1 when the broker is
 * connected; the spool forgets it only on the broker's PUBACK. Whatever is not acknowledged (broker away, publish
 * timed out, agent restarted) is replayed oldest first on (re)connect with `historical: true`, so it fills history
 * without overwriting live state. Publishing only while connected keeps mqtt.js's in-memory offline queue unused:
 * the spool is the one place a sample waits, and what mqtt.js holds is bounded by the messages in flight.
 */
export class Agent {
  private timer: NodeJS.Timeout | null = null;
  private readonly polling = new Set<PollSource>();
  private readonly inFlight = new Set<number>();
  private readonly liveInFlight = new Set<number>();
  /** Publishes awaiting their PUBACK, so a graceful stop can let them finish. */
  private readonly sending = new Set<Promise<void>>();
  private replaying = false;
  private stopped = false;
  private rounds: Promise<void>[] = [];
  private readonly counters = { rounds: 0, samples: 0, sourceFailures: 0, publishedLive: 0, replayed: 0, lost: 0 };
  private lastDropped = 0;
  /** Sources failing now, with their last error: a dead miner is logged when it fails and when it recovers, not every round. */
  private readonly failing = new Map<PollSource, string>();

  constructor(private readonly options: AgentOptions) {
    options.transport.onConnect(() => {
      const pending = options.spool.stats().records;
      if (pending > 0) options.log.info({ records: pending }, 'broker connected: replaying spooled samples');
      void this.replay();
    });
  }

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      const round = this.round().catch((err: Error) => this.options.log.error({ err: err.message }, 'poll round failed'));
      this.rounds.push(round);
      void round.finally(() => (this.rounds = this.rounds.filter((r) => r !== round)));
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
  }

  stats(): AgentStats {
    const spool = this.options.spool.stats();
    return { backlog: Math.max(0, spool.records - this.liveInFlight.size), failingSources: this.failing.size, ...this.counters, spool };
  }

  /** One round: poll every idle source concurrently, batch the answers, spool and publish them. */
  async round(): Promise<void> {
    this.counters.rounds++;
    const { log } = this.options;
    const early: Sample[] = [];
    const late: Sample[] = [];
    let windowClosed = false;
    const polls = this.options.sources
      .filter((source) => !this.polling.has(source))
      .map(async (source) => {
        this.polling.add(source);
        try {
          const result = await this.pollWithTimeout(source);
          if (!result.ok) {
            this.counters.sourceFailures++;
            if (this.failing.get(source) !== result.error) {
              log.warn({ source: source.description, rig: source.rig, error: result.error }, 'source poll failed');
            }
            this.failing.set(source, result.error);
            return;
          }
          if (this.failing.delete(source)) log.info({ source: source.description, rig: source.rig }, 'source answers again');
          (windowClosed ? late : early).push(...result.samples);
        } finally {
          this.polling.delete(source);
        }
      });
    const all = Promise.all(polls);
    await Promise.race([all, sleep(this.options.batchWindowMs)]);
    windowClosed = true;
    await this.submit(early.splice(0));
    await all;
    await this.submit(late);
  }

  private async pollWithTimeout(source: PollSource): Promise<PollResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<PollResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${this.options.timeoutMs} ms` }), this.options.timeoutMs);
    });
    try {
      return await Promise.race([
        source.poll().catch((err: Error): PollResult => ({ ok: false, error: err.message })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Numbers, spools and (when connected) publishes samples, split into messages of bounded size. */
  private async submit(samples: Sample[]): Promise<void> {
    const { maxSamplesPerMessage, spool, seq, log } = this.options;
    for (let i = 0; i < samples.length; i += maxSamplesPerMessage) {
      const chunk = samples.slice(i, i + maxSamplesPerMessage);
      const first = seq.take(chunk.length);
      const numbered = chunk.map((sample, k) => ({ ...sample, seq: first + k }));
      this.counters.samples += numbered.length;
      // Claimed before the append so a replay running meanwhile does not send the same record as historical.
      // A round finishing during a graceful stop still publishes live: stop() waits for it and its PUBACK.
      const live = this.options.transport.connected;
      if (live) {
        this.inFlight.add(first);
        this.liveInFlight.add(first);
      }
      let spooled = true;
      try {
        await spool.append(first, numbered);
      } catch (err) {
        // Disk trouble must not cost live data: publish anyway, without the safety net.
        spooled = false;
        log.error({ err: (err as Error).message, samples: numbered.length, live }, 'spool append failed');
      }
      if (live) this.track(this.send(first, numbered, false, spooled));
      else if (!spooled) this.counters.lost += numbered.length; // nowhere to wait for the broker: say so
    }
    if (this.options.transport.connected) void this.replay();
    const dropped = spool.stats().droppedSamples;
    if (dropped > this.lastDropped) {
      log.warn({ dropped: dropped - this.lastDropped, total: dropped }, 'spool full: oldest samples dropped');
      this.lastDropped = dropped;
    }
  }

  private async send(id: number, samples: Sample[], historical: boolean, spooled = true): Promise<void> {
    const { transport, site, agentId, ackTimeoutMs, spool, log } = this.options;
    this.inFlight.add(id);
    const message: SampleBatch = {
      schema: SCHEMA_VERSION,
      samples: historical ? samples.map((s) => ({ ...s, historical: true })) : samples,
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        transport.publishRaw(telemetryTopic(site, agentId), JSON.stringify(message)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no PUBACK within ${ackTimeoutMs} ms`)), ackTimeoutMs);
        }),
      ]);
      await spool.ack(id);
      if (historical) {
        this.counters.replayed += samples.length;
        if (spool.stats().records <= this.liveInFlight.size) log.info({ replayed: this.counters.replayed }, 'spool replayed');
      } else this.counters.publishedLive += samples.length;
    } catch (err) {
      // Stays in the spool; replayed (as historical) once the broker is back. Unspooled, it is gone.
      if (!spooled) this.counters.lost += samples.length;
      log.debug({ id, err: (err as Error).message }, 'publish not acknowledged');
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(id);
      this.liveInFlight.delete(id);
    }
    if (historical) void this.replay();
  }

  private track(sending: Promise<void>): void {
    this.sending.add(sending);
    void sending.finally(() => this.sending.delete(sending));
  }

  /** Replays spooled records oldest first, at most `maxInFlight` awaiting acknowledgement. */
  private async replay(): Promise<void> {
    if (this.replaying) return;
    this.replaying = true;
    try {
      const { spool, transport, maxInFlight } = this.options;
      for (;;) {
        if (!transport.connected || this.stopped) return;
        const next = spool.nextPending(this.inFlight);
        if (next === undefined) return;
        if (this.inFlight.size >= maxInFlight) return; // an acknowledgement calls replay again
        let samples: Sample[] | null;
        try {
          samples = await spool.read(next);
        } catch (err) {
          // An unreadable record (I/O error, a segment removed by hand) must not reject the fire-and-forget
          // replay() and take the agent down: log it; the next round or reconnect tries again.
          this.options.log.error({ id: next, err: (err as Error).message }, 'spool read failed');
          return;
        }
        if (samples === null || this.inFlight.has(next)) continue;
        this.track(this.send(next, samples, true));
      }
    } finally {
      this.replaying = false;
    }
  }

  /** Stops polling; a graceful stop waits for running rounds and says 'offline' with a reason. */
  async stop(reason = 'agent stopped'): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled(this.rounds);
    // Let acknowledgements still on their way arrive, so what the broker took leaves the spool (not while offline:
    // nothing would come, and what is unacknowledged is safe in the spool anyway).
    if (this.options.transport.connected) await Promise.race([Promise.allSettled(this.sending), sleep(this.options.ackTimeoutMs)]);
    await Promise.allSettled(this.options.sources.map((s) => s.close?.()));
    await this.options.transport.stop(reason);
    await this.options.spool.close();
  }
}
