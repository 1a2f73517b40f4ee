import type { Logger } from 'pino';
import type { Sample, SiteRollup } from '../../contract/index.js';
import type { HistoryStore, SeriesPoint, SeriesQuery, StoreStats } from '../types.js';
import { InfluxV1 } from './http-v1.js';
import { InfluxV2Writer } from './http-v2.js';
import { backfillRollups, durationMs, ensureSchema, RP, type Retention } from './rollups.js';
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
  batchPoints: number;
  flushIntervalMs: number;
  maxBufferedSamples: number;
  concurrency: number;
  retry: { initialMs: number; maxMs: number };
  timeoutMs: number;
  log: Logger;
}

export type InfluxStoreStats = StoreStats & Omit<BufferStats, 'buffered' | 'dropped' | 'written'> & { api: string };

/** Rollup CQs recompute this far back on every run (RESAMPLE FOR 5m); older late data is backfilled explicitly. */
const CQ_WINDOW_MS = 4 * 60_000;
const BACKFILL_EVERY_MS = 30_000;

/**
 * History in InfluxDB. Writes go through a bounded WriteBuffer (ingest never waits for the database); queries use
 * InfluxQL on /query, which InfluxDB 1.x serves natively and 2.x and 3 serve for v1 compatibility.
 */
export class InfluxStore implements HistoryStore {
  private readonly v1: InfluxV1;
  private readonly v2: InfluxV2Writer | null;
  readonly buffer: WriteBuffer;
  private readonly policy: SourcePolicy;
  /** Oldest and newest sample time written after its rollup window passed, waiting for a backfill. */
  private late: { from: number; to: number } | null = null;
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
        if (rollups && Date.now() - oldestTs > CQ_WINDOW_MS) this.markLate(oldestTs, newestTs);
      },
    });
    this.policy = {
      rollups,
      rawRetentionMs: durationMs(options.retention.raw),
      rollup1mRetentionMs: durationMs(options.retention.rollup_1m),
      rollup1mFromRangeMs: options.rollup1mFromRangeMs,
      rollup1hFromRangeMs: options.rollup1hFromRangeMs,
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
        await ensureSchema(this.v1, this.options.database, this.options.retention);
        this.options.log.info({ database: this.options.database, retention: this.options.retention }, 'InfluxDB retention and rollups ready');
        this.backfillTimer = setInterval(() => void this.backfillLate(), BACKFILL_EVERY_MS);
        this.backfillTimer.unref();
      } catch (err) {
        this.options.log.warn({ err: (err as Error).message, retryInMs: delay }, 'InfluxDB setup failed; retrying');
        this.setupTimer = setTimeout(() => void attempt(Math.min(delay * 2, 30_000)), delay);
        this.setupTimer.unref();
      }
    };
    await attempt(1000);
  }

  /** One entry per message (live and replayed samples apart: only live ones count towards the lag). */
  writeSamples(samples: readonly Sample[], onDurable?: () => void): void {
    if (samples.length === 0) return void onDurable?.();
    let historical = 0;
    for (const sample of samples) if (sample.historical === true) historical++;
    const groups = historical === 0 || historical === samples.length ? [samples] : [samples.filter((x) => x.historical !== true), samples.filter((x) => x.historical === true)];
    let left = groups.length;
    const done = onDurable && groups.length > 1 ? () => --left === 0 && onDurable() : onDurable;
    for (const group of groups) {
      const { body, points, release, oldestTs, newestTs } = encodeSamples(group);
      this.buffer.add({ lines: body, points, samples: group.length, ts: oldestTs, newestTs, live: group[0]?.historical !== true, done, release });
    }
  }

  writeSiteRollups(ts: number, sites: readonly SiteRollup[]): void {
    for (const site of sites) this.buffer.add({ lines: encodeSiteRollup(ts, site), points: 1, samples: 0, ts, live: false });
  }

  private markLate(from: number, to: number): void {
    this.late = this.late ? { from: Math.min(this.late.from, from), to: Math.max(this.late.to, to) } : { from, to };
  }

  /**
   * Rolls up data written after its continuous query's window had passed: samples held in the buffer through an
   * InfluxDB outage, and agents' replayed spools. Runs once the buffer has drained.
   */
  async backfillLate(): Promise<void> {
    if (this.backfilling) return this.backfilling;
    const stats = this.buffer.stats();
    if (!this.late || stats.buffered > 0) return;
    const range = this.late;
    this.late = null;
    this.backfilling = this.backfill(range.from, range.to + 60_000)
      .catch((err: unknown) => {
        this.markLate(range.from, range.to);
        this.options.log.warn({ err: (err as Error).message }, 'rollup backfill failed; will retry');
      })
      .finally(() => (this.backfilling = null));
    return this.backfilling;
  }

  /** Recomputes the 1-minute and 1-hour rollups over [from, to) (whole hours). */
  backfill(fromMs: number, toMs: number): Promise<void> {
    return backfillRollups(this.v1, this.options.database, fromMs, toMs);
  }

  series(query: SeriesQuery): Promise<SeriesPoint[]> {
    return querySeries(this.v1, this.options.database, this.policy, query);
  }

  stats(): InfluxStoreStats {
    const b = this.buffer.stats();
    return { kind: 'influxdb', api: this.options.api, ...b };
  }

  /** Waits (up to the write timeout) for what is buffered; what cannot be written is counted as dropped. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.buffer.drain(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.setupTimer) clearTimeout(this.setupTimer);
    if (this.backfillTimer) clearInterval(this.backfillTimer);
    const drained = await this.buffer.drain(this.options.timeoutMs);
    let lost = this.buffer.close();
    // A retry may be in flight right now (it ends within timeout_ms): its batch is written or dropped, not forgotten.
    const droppedBefore = this.buffer.stats().dropped;
    await this.buffer.settled();
    lost += this.buffer.stats().dropped - droppedBefore;
    if (!drained || lost > 0) this.options.log.error({ lost }, 'InfluxDB store closed with samples it could not write');
    this.v2?.close();
    this.v1.close();
  }
}
