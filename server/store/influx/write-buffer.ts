import { Backoff } from '../../../agents/publisher/backoff.js';
import { LatencyHistogram } from './latency.js';

/** Where batches go: an InfluxDB write endpoint. Throws WriteError; `retryable` says whether to try again. */
export interface Sink {
  /** `body`: line protocol, UTF-8, one point per line. */
  write(body: Buffer, points: number): Promise<void>;
}

/**
 * The batch body: one message's bytes as they are, or the entries' bytes one after another. Entries the encoder cut
 * one after another from the same slab (line-writer.ts) are already adjacent in memory and newline-terminated, so a
 * run of them is sent as one slice without a copy; only where runs meet are bytes copied. String entries (site
 * rollups) are encoded here. The final newline is left off.
 */
export function batchBody(entries: readonly Entry[]): Buffer {
  const runs: Buffer[] = [];
  let slab: ArrayBufferLike | null = null;
  let start = 0;
  let end = 0;
  for (const entry of entries) {
    const lines = typeof entry.lines === 'string' ? Buffer.from(`${entry.lines}\n`, 'utf8') : entry.lines;
    if (lines.buffer === slab && lines.byteOffset === end) {
      end += lines.length;
      continue;
    }
    if (slab !== null) runs.push(Buffer.from(slab, start, end - start));
    [slab, start, end] = [lines.buffer, lines.byteOffset, lines.byteOffset + lines.length];
  }
  if (slab !== null) runs.push(Buffer.from(slab, start, end - start));
  const body = runs.length === 1 ? (runs[0] as Buffer) : Buffer.concat(runs);
  return body.length > 0 && body[body.length - 1] === 0x0a ? body.subarray(0, body.length - 1) : body;
}

export class WriteError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface WriteBufferOptions {
  /** A batch is sent once this many points are waiting (and smaller batches after flushIntervalMs). */
  batchPoints: number;
  flushIntervalMs: number;
  /** Samples (and site rollups) held in memory, queued or in flight; an entry that does not fit is dropped and counted. */
  maxBuffered: number;
  concurrency: number;
  retry: { initialMs: number; maxMs: number };
  onError?: (err: WriteError, attempt: number) => void;
  /** Called after each successful write with the oldest and newest entry time in it. */
  onWritten?: (oldestTs: number, newestTs: number) => void;
}

/**
 * Lines for the database: one message's samples (the hot path encodes them to UTF-8 bytes at once, so nothing of
 * them but one buffer outlives the message), or one site rollup. The buffer is bounded in samples: an entry of
 * `samples` rig samples takes that many places, a site rollup one.
 */
export interface Entry {
  /** Line protocol, one point per line: a string (no final newline), or UTF-8 bytes with every line newline-terminated. */
  lines: string | Buffer;
  points: number;
  /** Rig samples in it: 0 for a site rollup. */
  samples: number;
  /** Oldest point time in it, ms: the publish → stored lag is measured from it. */
  ts: number;
  /** Newest point time in it, ms (default: ts). */
  newestTs?: number;
  /** Whether now − ts counts as publish → stored lag for its samples (not for replayed samples or site rollups). */
  live: boolean;
  /** Called once the entry is written, refused by InfluxDB (400) or dropped for want of room; not on close(). */
  done?: () => void;
  /**
   * Called exactly once when nothing will read `lines` again: written, refused, dropped or closed, and never while a
   * request carrying it is in flight (its slab is then reused: line-writer.ts).
   */
  release?: () => void;
}

const places = (entry: Entry): number => Math.max(1, entry.samples);

interface Batch {
  entries: Entry[];
  points: number;
  samples: number;
  /** Sequence number of its first entry (see WriteBuffer.added). */
  firstSeq: number;
}

export interface BufferStats {
  /** Samples and site rollups held now, queued or in flight. */
  buffered: number;
  buffered_peak: number;
  capacity: number;
  dropped: number;
  dropped_site_rollups: number;
  written: number;
  points_written: number;
  /** Samples InfluxDB refused as invalid (HTTP 400: a field type conflict, say); counted, never retried. */
  rejected: number;
  retries: number;
  last_error: string | null;
  lag_ms: { p50: number | null; p99: number | null; max: number | null };
}

/**
 * Bounded, batched, retrying write buffer. add() never blocks and never throws: it queues, or counts the entry as
 * dropped when `maxBuffered` entries are already held. Batches go out when `batchPoints` points wait or
 * `flushIntervalMs` after the oldest arrived; failed batches are retried first, after a backoff with full jitter,
 * and nothing else is sent meanwhile (an unavailable database gets one request per backoff step, not a storm).
 */
export class WriteBuffer {
  private queue: (Entry | undefined)[] = [];
  private head = 0;
  private queuedPoints = 0;
  private held = 0;
  private readonly retryQueue: Batch[] = [];
  private inFlight = 0;
  private flushDue = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private backingOff = false;
  private closed = false;
  private failures = 0;
  private readonly backoff: Backoff;
  private idleWaiters: (() => void)[] = [];
  /** Entries ever queued (dropped ones are not): the next entry's sequence number. */
  private queuedTotal = 0;
  /** Batches taken from the queue and not yet settled: in flight or waiting for a retry. */
  private readonly outstanding = new Set<Batch>();
  private settleWaiters: (() => void)[] = [];
  readonly lag = new LatencyHistogram();
  private readonly counts = {
    buffered_peak: 0,
    dropped: 0,
    dropped_site_rollups: 0,
    written: 0,
    points_written: 0,
    rejected: 0,
    retries: 0,
  };
  private lastError: string | null = null;

  constructor(
    private readonly sink: Sink,
    private readonly options: WriteBufferOptions,
  ) {
    this.backoff = new Backoff(options.retry);
  }

  /** Whether `samples` more samples fit within the capacity now (add() also takes any one entry into an empty buffer). */
  hasRoomFor(samples: number): boolean {
    return !this.closed && this.held + Math.max(1, samples) <= this.options.maxBuffered;
  }

  add(entry: Entry): void {
    const room = places(entry);
    // An empty buffer takes a whole message however large it is, so no message is refused for its size alone.
    if (this.closed || (this.held > 0 && this.held + room > this.options.maxBuffered)) {
      if (entry.samples > 0) this.counts.dropped += entry.samples;
      else this.counts.dropped_site_rollups++;
      entry.release?.();
      if (!this.closed) entry.done?.();
      return;
    }
    this.queue.push(entry);
    this.queuedTotal++;
    this.queuedPoints += entry.points;
    this.held += room;
    if (this.held > this.counts.buffered_peak) this.counts.buffered_peak = this.held;
    if (this.queuedPoints >= this.options.batchPoints) this.pump();
    // Whatever is still queued goes at the latest flushIntervalMs from now, also when this entry was queued behind
    // full batches: those leave as writes finish, and a remainder below batchPoints would otherwise wait for the next
    // add (the last messages of a burst sat until a site rollup came, 10 s later: bench:hotpath, one rig per message).
    if (this.head < this.queue.length && !this.flushTimer && !this.flushDue) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flushDue = true;
        this.pump();
      }, this.options.flushIntervalMs);
    }
  }

  private takeBatch(): Batch | null {
    const waiting = this.queue.length - this.head;
    if (waiting === 0 || (this.queuedPoints < this.options.batchPoints && !this.flushDue)) return null;
    const entries: Entry[] = [];
    let points = 0;
    let samples = 0;
    const firstSeq = this.queuedTotal - waiting;
    while (this.head < this.queue.length && points < this.options.batchPoints) {
      const entry = this.queue[this.head] as Entry;
      // The queue keeps its consumed prefix until it empties (or every 65,536 entries): forget each entry as it
      // leaves, or that prefix would hold every sent message's bytes (and their slabs) alive until then.
      this.queue[this.head++] = undefined;
      entries.push(entry);
      points += entry.points;
      samples += entry.samples;
    }
    this.queuedPoints -= points;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.flushDue = false;
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = null;
    } else if (this.head > 65_536) {
      // Drop the consumed prefix now and then, so the array does not grow without bound.
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const batch = { entries, points, samples, firstSeq };
    this.outstanding.add(batch);
    return batch;
  }

  /**
   * Sequence number the next queued entry gets. With heldFrom() it tells whether everything queued before some moment
   * has left the buffer (written, refused or dropped), however much has been queued since: a barrier that holds
   * under steady load, where the buffer itself is never empty.
   */
  get added(): number {
    return this.queuedTotal;
  }

  /** The lowest sequence number still held (queued, in flight or waiting for a retry); `added` when none is. */
  heldFrom(): number {
    let lowest = this.queuedTotal - (this.queue.length - this.head);
    for (const batch of this.outstanding) if (batch.firstSeq < lowest) lowest = batch.firstSeq;
    return lowest;
  }

  private pump(): void {
    while (!this.backingOff && this.inFlight < this.options.concurrency) {
      const batch = this.retryQueue.shift() ?? this.takeBatch();
      if (!batch) break;
      this.send(batch);
    }
    if (this.inFlight === 0 && this.isEmpty()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private isEmpty(): boolean {
    return this.held === 0;
  }

  private send(batch: Batch): void {
    this.inFlight++;
    const body = batchBody(batch.entries);
    this.sink.write(body, batch.points).then(
      () => {
        this.failures = 0;
        this.backoff.reset();
        this.counts.written += batch.samples;
        this.counts.points_written += batch.points;
        const now = Date.now();
        let oldest = Infinity;
        let newest = -Infinity;
        for (const e of batch.entries) {
          if (e.live) this.lag.record(now - e.ts, e.samples);
          if (e.ts < oldest) oldest = e.ts;
          if ((e.newestTs ?? e.ts) > newest) newest = e.newestTs ?? e.ts;
        }
        this.release(batch);
        for (const e of batch.entries) e.done?.();
        if (batch.entries.length > 0) this.options.onWritten?.(oldest, newest);
      },
      (err: unknown) => {
        const error = err instanceof WriteError ? err : new WriteError(String((err as Error)?.message ?? err), true);
        this.lastError = error.message;
        this.failures++;
        this.options.onError?.(error, this.failures);
        if (this.closed) {
          this.counts.dropped += batch.samples;
          this.release(batch);
        } else if (error.retryable) {
          this.counts.retries++;
          this.retryQueue.push(batch);
          this.startBackoff();
        } else {
          this.counts.rejected += batch.samples;
          this.release(batch);
          for (const e of batch.entries) e.done?.();
        }
      },
    ).finally(() => {
      this.inFlight--;
      this.pump();
      if (this.inFlight === 0) for (const resolve of this.settleWaiters.splice(0)) resolve();
    });
  }

  /** The batch leaves the buffer for good (its request, if any, has settled). */
  private release(batch: Batch): void {
    this.outstanding.delete(batch);
    for (const e of batch.entries) {
      this.held -= places(e);
      e.release?.();
    }
  }

  private startBackoff(): void {
    if (this.backingOff) return;
    this.backingOff = true;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.backingOff = false;
      this.pump();
    }, this.backoff.next());
  }

  /** Sends everything held now; resolves when the buffer is empty or `timeoutMs` passed (false then). */
  async drain(timeoutMs: number): Promise<boolean> {
    this.flushDue = true;
    this.pump();
    if (this.inFlight === 0 && this.isEmpty()) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Resolves once no write is in flight. After close() a write still in flight settles its batch (written, or counted
   * dropped); waiting for it makes the final stats exact instead of racing that last request.
   */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /** Stops timers; whatever is still held counts as dropped, so a shutdown that could not flush is reported. */
  close(): number {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.flushTimer = this.retryTimer = null;
    let lost = 0;
    for (const batch of this.retryQueue.splice(0)) {
      lost += batch.samples;
      this.release(batch);
    }
    for (let i = this.head; i < this.queue.length; i++) {
      const entry = this.queue[i] as Entry;
      lost += entry.samples;
      this.held -= places(entry);
      entry.release?.();
    }
    this.queuedPoints = 0;
    this.queue = [];
    this.head = 0;
    this.counts.dropped += lost;
    this.closed = true;
    this.backingOff = true; // nothing more is sent
    return lost;
  }

  stats(): BufferStats {
    return {
      buffered: this.held,
      capacity: this.options.maxBuffered,
      ...this.counts,
      last_error: this.lastError,
      lag_ms: { p50: this.lag.quantile(0.5), p99: this.lag.quantile(0.99), max: this.lag.max },
    };
  }
}
