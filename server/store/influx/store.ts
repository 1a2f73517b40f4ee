import type { Logger } from 'pino';
import type { Sample, SiteRollup } from '../../contract/index.js';
import type { HistoryStore, SeriesPoint, SeriesQuery, StoreStats } from '../types.js';
import { InfluxV1 } from './http-v1.js';
import { PointBuilder, quoteIdent } from './line-protocol.js';
import { InfluxV2Writer } from './http-v2.js';
import type { MetricValues } from '../metrics.js';
import { MinuteRollups } from './minute-rollups.js';
import { LateRanges } from './late-ranges.js';
import { backfillRollups, durationMs, ensureSchema, RP, type MinuteRollupsBy, type Retention } from './rollups.js';
import { EntryGatherer } from './entry-gatherer.js';
import { encodeSamples, encodeSiteRollup } from './schema.js';
import { querySeries, type SourcePolicy } from './series.js';
import { WriteBuffer, type BufferStats, type Sink } from './write-buffer.js';

export interface InfluxStoreOptions {
  api: 'v1' | 'v2';
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** v2: org and bucket for writes; the token authenticates both APIs. */
  org?: string;
  bucket?: string;
  token?: string;
  /** v1 only: create the database, retention policies and continuous queries, and read rollups. */
  manageRetention: boolean;
  retention: Retention;
  rollup1mFromRangeMs: number;
  rollup1hFromRangeMs: number;
  /** v1 with manageRetention: who writes the rig 1-minute rollup (default: the server). */
  minuteRollupsBy?: MinuteRollupsBy;
  /** Server-written 1-minute rollups: how long after a minute ends it is closed and written (default 90 s). */
  rollupGraceMs?: number;
  /** The clock rollups are closed and resumed by (tests set it; default Date.now). */
  clock?: () => number;
  batchPoints: number;
  flushIntervalMs: number;
  maxBufferedSamples: number;
  concurrency: number;
  retry: { initialMs: number; maxMs: number };
  timeoutMs: number;
  log: Logger;
}

/** The server's own 1-minute rollups (absent when a continuous query writes them, or without retention management). */
export interface MinuteRollupStats {
  /** Rigs with a minute open (being summed). */
  rigs_open: number;
  /** Time ranges waiting to be recomputed from raw points (late samples, minutes left open by a stop). */
  late_ranges: number;
  points_written: number;
  /** Rollup writes dropped for want of room (InfluxDB down for days); a write InfluxDB refused shows in last_error. */
  writes_dropped: number;
  retries: number;
  last_error: string | null;
}

export type InfluxStoreStats = StoreStats & Omit<BufferStats, 'buffered' | 'dropped' | 'written'> & { api: string; minute_rollups?: MinuteRollupStats };

/** Rollup CQs recompute this far back on every run (RESAMPLE FOR 5m); older late data is backfilled explicitly. */
const CQ_WINDOW_MS = 4 * 60_000;
const BACKFILL_EVERY_MS = 30_000;
const MINUTE_MS = 60_000;
/** How often the server looks for 1-minute rollups to close (cheap when none is due). */
const CLOSE_EVERY_MS = 1000;
/** Where the server records how far its 1-minute rollups are written (one point a minute, in rollup_1m). */
export const ROLLUP_PROGRESS = 'rollup_progress';
/** Without a progress record (a new database, or one a continuous query rolled up), the start backfills this far. */
const FIRST_START_BACKFILL_MS = 5 * 60_000;
/**
 * The start never backfills further back than this: a progress point older than it means the server was down (no
 * raw points to roll up since, but for late ones, which mark their own ranges) or ran with continuous queries.
 */
const MAX_RESUME_BACKFILL_MS = 6 * 3_600_000;

/**
 * History in InfluxDB. Writes go through a bounded WriteBuffer (ingest never waits for the database); queries use
 * InfluxQL on /query, which InfluxDB 1.x serves natively and 2.x and 3 serve for v1 compatibility.
 */
export class InfluxStore implements HistoryStore {
  private readonly v1: InfluxV1;
  private readonly v2: InfluxV2Writer | null;
  readonly buffer: WriteBuffer;
  /** Live messages of one event-loop turn, gathered into one buffer entry (entry-gatherer.ts). */
  private readonly gatherer: EntryGatherer;
  private readonly policy: SourcePolicy;
  /** Sample times written after their rollup was computed (or may have been), waiting for a backfill. */
  private readonly late = new LateRanges();
  /** The rig 1-minute rollups the server sums itself, and where they are written (retention policy rollup_1m). */
  private readonly minutes: MinuteRollups | null;
  private readonly rollupWriter: InfluxV1 | null;
  readonly rollupBuffer: WriteBuffer | null;
  private readonly graceMs: number;
  private readonly now: () => number;
  private lateFrom = Infinity;
  private lateTo = -Infinity;
  private readonly observeRigPoint: ((head: string, ts: number, values: MetricValues) => void) | undefined;
  private closeTimer: NodeJS.Timeout | null = null;
  private backfillTimer: NodeJS.Timeout | null = null;
  private setupTimer: NodeJS.Timeout | null = null;
  private backfilling: Promise<void> | null = null;

  constructor(private readonly options: InfluxStoreOptions) {
    const rollups = options.api === 'v1' && options.manageRetention;
    this.v1 = new InfluxV1({
      url: options.url,
      database: options.database,
      retentionPolicy: rollups ? RP.raw : null,
      username: options.username,
      password: options.password,
      token: options.token,
      timeoutMs: options.timeoutMs,
    });
    this.v2 =
      options.api === 'v2'
        ? new InfluxV2Writer({
            url: options.url,
            org: options.org ?? '',
            bucket: options.bucket ?? '',
            token: options.token ?? '',
            timeoutMs: options.timeoutMs,
          })
        : null;
    const sink: Sink = this.v2 ?? this.v1;
    this.buffer = new WriteBuffer(sink, {
      batchPoints: options.batchPoints,
      flushIntervalMs: options.flushIntervalMs,
      maxBuffered: options.maxBufferedSamples,
      concurrency: options.concurrency,
      retry: options.retry,
      onError: (err, attempt) => {
        // Every failure while the database is down would flood the log: the first, then every tenth.
        if (attempt === 1 || attempt % 10 === 0) options.log.warn({ err: err.message, attempt, retryable: err.retryable }, 'InfluxDB write failed');
      },
      onWritten: (oldestTs, newestTs) => {
        // Continuous queries roll up what lands within their window; the server's own sums see every sample.
        if (rollups && !this.minutes && Date.now() - oldestTs > CQ_WINDOW_MS) this.late.add(oldestTs, newestTs, Date.now());
      },
    });
    this.gatherer = new EntryGatherer((entry) => this.buffer.add(entry), (samples) => this.buffer.hasRoomFor(samples), options.batchPoints);
    this.graceMs = options.rollupGraceMs ?? 90_000;
    const byServer = rollups && (options.minuteRollupsBy ?? 'server') === 'server';
    this.now = options.clock ?? Date.now;
    this.minutes = byServer ? new MinuteRollups(this.graceMs, this.now()) : null;
    this.rollupWriter = byServer
      ? new InfluxV1({ url: options.url, database: options.database, retentionPolicy: RP.m1, username: options.username, password: options.password, token: options.token, timeoutMs: options.timeoutMs })
      : null;
    this.rollupBuffer = this.rollupWriter
      ? new WriteBuffer(this.rollupWriter, {
          batchPoints: options.batchPoints,
          flushIntervalMs: options.flushIntervalMs,
          // Entries of up to batchPoints rigs each, a minute's worth per close: a day's worth for 100,000 rigs.
          maxBuffered: 30_000,
          concurrency: 1, // in order: the progress point goes after the minutes it records
          retry: options.retry,
          onError: (err, attempt) => {
            if (attempt === 1 || attempt % 10 === 0) options.log.warn({ err: err.message, attempt }, 'InfluxDB rollup write failed');
          },
        })
      : null;
    const minutes = this.minutes;
    this.observeRigPoint = minutes
      ? (head, ts, values) => {
          if (minutes.add(head, ts, values)) return;
          if (ts < this.lateFrom) this.lateFrom = ts;
          if (ts > this.lateTo) this.lateTo = ts;
        }
      : undefined;
    this.policy = {
      rollups,
      rawRetentionMs: durationMs(options.retention.raw),
      rollup1mRetentionMs: durationMs(options.retention.rollup_1m),
      rollup1mFromRangeMs: options.rollup1mFromRangeMs,
      rollup1hFromRangeMs: options.rollup1hFromRangeMs,
      // The server writes a minute's rollup the grace after it ends, plus a close tick and a write.
      rollup1mLagMs: this.minutes ? Math.max(2 * 60_000, this.graceMs + 30_000) : undefined,
    };
  }

  /**
   * Sets up retention and rollups (v1) when the database answers. It is retried in the background until it
   * succeeds, so the server starts (and buffers) while InfluxDB is still down.
   */
  async start(): Promise<void> {
    if (!this.policy.rollups) return;
    const attempt = async (delay: number): Promise<void> => {
      try {
        await ensureSchema(this.v1, this.options.database, this.options.retention, this.minutes ? 'server' : 'continuous_query');
        if (this.minutes) await this.resumeMinuteRollups();
        this.options.log.info({ database: this.options.database, retention: this.options.retention }, 'InfluxDB retention and rollups ready');
        this.backfillTimer = setInterval(() => void this.backfillLate(), BACKFILL_EVERY_MS);
        this.backfillTimer.unref();
      } catch (err) {
        this.options.log.warn({ err: (err as Error).message, retryInMs: delay }, 'InfluxDB setup failed; retrying');
        this.setupTimer = setTimeout(() => void attempt(Math.min(delay * 2, 30_000)), delay);
        this.setupTimer.unref();
      }
    };
    if (this.minutes) {
      this.closeTimer = setInterval(() => this.closeMinutes(this.now()), CLOSE_EVERY_MS);
      this.closeTimer.unref();
    }
    await attempt(1000);
  }

  /**
   * Minutes the previous run had not closed (it stopped, or was killed, with them open) and the minute this run
   * started in (it saw only part of it) are recomputed from raw points once they end: from the progress point it
   * wrote last, or a few minutes back if there is none.
   */
  private async resumeMinuteRollups(): Promise<void> {
    const now = this.now();
    const [result] = await this.v1.query(`SELECT last("through_ms") FROM ${quoteIdent(RP.m1)}.${quoteIdent(ROLLUP_PROGRESS)}`);
    const through = Number(result?.series?.[0]?.values?.[0]?.[1]);
    const from = Number.isFinite(through) && through < now ? Math.max(through, now - MAX_RESUME_BACKFILL_MS) : now - FIRST_START_BACKFILL_MS;
    this.late.add(from, now, this.readyAt(now));
  }

  /** When minutes up to `ts` have all been closed (and their rollups queued) by this server. */
  private readyAt(ts: number): number {
    return (Math.floor(ts / MINUTE_MS) + 1) * MINUTE_MS + this.graceMs + 2 * CLOSE_EVERY_MS;
  }

  /** Writes the 1-minute rollups of minutes that ended more than the grace ago, then the progress point. */
  closeMinutes(now: number): void {
    const closed = this.minutes?.close(now, this.options.batchPoints);
    if (!closed || !this.rollupBuffer) return;
    for (const piece of closed.pieces) this.rollupBuffer.add({ lines: piece.lines, points: piece.points, samples: 0, ts: piece.ts, live: false });
    const progress = PointBuilder.start(ROLLUP_PROGRESS, []).int('through_ms', closed.to).line(now) as string;
    this.rollupBuffer.add({ lines: progress, points: 1, samples: 0, ts: now, live: false });
  }

  /**
   * Live samples join the entry of this event-loop turn (entry-gatherer.ts); replayed ones get an entry per message,
   * since only live ones count towards the publish → stored lag.
   */
  writeSamples(samples: readonly Sample[], onDurable?: () => void): void {
    if (samples.length === 0) return void onDurable?.();
    let historical = 0;
    for (const sample of samples) if (sample.historical === true) historical++;
    if (historical === 0) this.gatherer.append(samples, this.observeRigPoint, onDurable);
    else {
      const live = historical === samples.length ? [] : samples.filter((x) => x.historical !== true);
      const replayed = live.length === 0 ? samples : samples.filter((x) => x.historical === true);
      let left = live.length > 0 ? 2 : 1;
      const done = onDurable && left > 1 ? () => --left === 0 && onDurable() : onDurable;
      if (live.length > 0) this.gatherer.append(live, this.observeRigPoint, done);
      const { body, points, release, oldestTs, newestTs } = encodeSamples(replayed, this.observeRigPoint);
      this.buffer.add({ lines: body, points, samples: replayed.length, ts: oldestTs, newestTs, live: false, done, release });
    }
    if (this.lateFrom <= this.lateTo) {
      // Ready once its newest minute is closed: at once for a past minute, later for a sample ahead of the clock.
      this.late.add(this.lateFrom, this.lateTo, this.readyAt(this.lateTo));
      [this.lateFrom, this.lateTo] = [Infinity, -Infinity];
    }
  }

  writeSiteRollups(ts: number, sites: readonly SiteRollup[]): void {
    for (const site of sites) this.buffer.add({ lines: encodeSiteRollup(ts, site), points: 1, samples: 0, ts, live: false });
  }

  /**
   * Rolls up data written after its rollup was computed: samples held in the buffer through an InfluxDB outage,
   * agents' replayed spools, minutes a stopped server left open. A range waits until its minutes are closed, then
   * until everything queued by then (its raw points, and the server's own rollups of those minutes) is written:
   * a barrier on the buffers' sequence numbers, which holds under steady load where a buffer is never empty.
   */
  async backfillLate(now = this.now()): Promise<void> {
    if (this.backfilling) return this.backfilling;
    this.gatherer.flush(); // the barrier below counts what the buffer holds
    const snapshot = (): number[] => [this.buffer.added, this.rollupBuffer?.added ?? 0];
    const written = (b: number[]): boolean => this.buffer.heldFrom() >= (b[0] ?? 0) && (this.rollupBuffer?.heldFrom() ?? 0) >= (b[1] ?? 0);
    if (!this.late.hasReady(now)) return;
    this.backfilling = (async () => {
      for (let range = this.late.takeReady(now, snapshot, written); range; range = this.late.takeReady(now, snapshot, written)) {
        try {
          await this.backfill(range.from, range.to + 1);
        } catch (err) {
          this.late.add(range.from, range.to, this.now() + BACKFILL_EVERY_MS);
          this.options.log.warn({ err: (err as Error).message }, 'rollup backfill failed; will retry');
          return;
        }
      }
    })().finally(() => (this.backfilling = null));
    return this.backfilling;
  }

  /** Recomputes the 1-minute rollups over the whole minutes of [from, to), then the 1-hour ones over its whole hours. */
  backfill(fromMs: number, toMs: number): Promise<void> {
    return backfillRollups(this.v1, this.options.database, fromMs, toMs);
  }

  series(query: SeriesQuery): Promise<SeriesPoint[]> {
    return querySeries(this.v1, this.options.database, this.policy, query);
  }

  stats(): InfluxStoreStats {
    const b = this.buffer.stats();
    // Encoded this turn and not yet in the buffer: held all the same.
    b.buffered += this.gatherer.pending;
    const r = this.rollupBuffer?.stats();
    if (!this.minutes || !r) return { kind: 'influxdb', api: this.options.api, ...b };
    const minute_rollups: MinuteRollupStats = {
      rigs_open: this.minutes.rigsOpen,
      late_ranges: this.late.size,
      points_written: r.points_written,
      // Rollup entries carry no samples: the buffer counts them as site rollups when it drops them.
      writes_dropped: r.dropped_site_rollups,
      retries: r.retries,
      last_error: r.last_error,
    };
    return { kind: 'influxdb', api: this.options.api, ...b, minute_rollups };
  }

  /** Waits (up to the write timeout) for what is buffered; what cannot be written is counted as dropped. */
  drain(timeoutMs: number): Promise<boolean> {
    this.gatherer.flush();
    return this.buffer.drain(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.setupTimer) clearTimeout(this.setupTimer);
    if (this.backfillTimer) clearInterval(this.backfillTimer);
    if (this.closeTimer) clearInterval(this.closeTimer);
    this.gatherer.flush();
    // Minutes still open are not written half-summed: the next start recomputes them from raw points. Closed ones
    // are written alongside the samples (in parallel: a database that is down costs one timeout, not two).
    const [drained] = await Promise.all([
      this.buffer.drain(this.options.timeoutMs),
      this.rollupBuffer?.drain(this.options.timeoutMs).then(async () => {
        this.rollupBuffer?.close();
        await this.rollupBuffer?.settled();
      }),
    ]);
    let lost = this.buffer.close();
    // A retry may be in flight right now (it ends within timeout_ms): its batch is written or dropped, not forgotten.
    const droppedBefore = this.buffer.stats().dropped;
    await this.buffer.settled();
    lost += this.buffer.stats().dropped - droppedBefore;
    if (!drained || lost > 0) this.options.log.error({ lost }, 'InfluxDB store closed with samples it could not write');
    this.v2?.close();
    this.v1.close();
    this.rollupWriter?.close();
  }
}
