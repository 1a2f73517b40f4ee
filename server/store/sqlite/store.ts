import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Sample, SiteRollup } from '../../contract/index.js';
import { sampleMetrics, siteMetrics } from '../metrics.js';
import type { ComponentSeries, HistoryStore, SeriesPoint, SeriesQuery, StoreCoverage, StoreStats } from '../types.js';
import { BucketAccumulator, means, packParts, unpackParts, type Bucket, type Parts } from './minutes.js';
import { openHistoryDb, type Recovery } from './open.js';
import { COLUMNS, SCHEMA, TIERS, type Column, type Scope, type Tier, type Values } from './schema.js';

export interface SqliteStoreOptions {
  dir: string;
  retention: { rawMs: number; m1Ms: number; h1Ms: number };
  /** The database may grow to this many bytes; beyond it the oldest data of the finest tier goes first. */
  maxBytes: number;
  flushIntervalMs: number;
  /** Samples waiting for the next flush; beyond this new ones are dropped and counted. */
  maxBufferedSamples: number;
  /** Injected for the accelerated-clock benchmark and tests; timers are off when set. */
  now?: () => number;
  log?: Logger;
}

export type SqliteStoreStats = StoreStats & Recovery & { bytes: number; capped_rows: number; pruned_rows: number };

type Pending = { kind: 'samples'; samples: readonly Sample[]; onDurable?: () => void } | { kind: 'sites'; ts: number; sites: readonly SiteRollup[] };

const MAINTAIN_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** Minutes are handed to m1 this long after they end, so samples a little late still land in their own bucket. */
const MINUTE_GRACE_MS = 5_000;

/**
 * History on local disk in SQLite (better-sqlite3, built from source): raw rig and site samples for a day, and
 * 1-minute and 1-hour means of sites, rigs, hashboards and fans for 30 days and a year (retention configurable), under
 * a size cap. Survives restarts; a torn or corrupt tail is skipped and counted (open.ts). Writes are buffered and
 * flushed in one transaction per flush interval, so ingest never waits on the disk.
 */
export class SqliteStore implements HistoryStore {
  private readonly db: Database.Database;
  private readonly recovery: Recovery;
  private readonly sids = new Map<string, number>();
  private readonly minutes = new BucketAccumulator(60_000);
  private readonly hours = new BucketAccumulator(3_600_000);
  private pending: Pending[] = [];
  private pendingSamples = 0;
  private written = 0;
  private dropped = 0;
  private capped = 0;
  private pruned = 0;
  private lastPrune = 0;
  private oldest: number | null;
  /** Per tier, the time before which the size cap deleted data: such a tier no longer covers older ranges. */
  private readonly floors: Record<Tier['table'], number> = { raw: 0, m1: 0, h1: 0 };
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;
  private readonly stmt: {
    insertSeries: Database.Statement;
    raw: Database.Statement;
    m1: Database.Statement;
    h1: Database.Statement;
    setMeta: Database.Statement;
  };

  constructor(private readonly options: SqliteStoreOptions) {
    this.now = options.now ?? Date.now;
    const { db, recovery } = openHistoryDb(options.dir, SCHEMA);
    this.db = db;
    this.recovery = recovery;
    if (recovery.torn_wal_frames || recovery.corrupt_files) options.log?.warn({ ...recovery, dir: options.dir }, 'history store recovered from a torn or corrupt file');
    for (const row of db.prepare('SELECT id, scope, key FROM series').all() as { id: number; scope: string; key: string }[]) this.sids.set(`${row.scope}:${row.key}`, row.id);
    const cols = COLUMNS.join(', ');
    const params = COLUMNS.map(() => '?').join(', ');
    // A later bucket for the same minute merges by weight; a column null on one side keeps the other's value.
    const merge = COLUMNS.map((c) => `${c} = CASE WHEN excluded.${c} IS NULL THEN ${c} WHEN ${c} IS NULL THEN excluded.${c} ELSE (${c} * n + excluded.${c} * excluded.n) / (n + excluded.n) END`).join(', ');
    // Parts of a late bucket cannot be merged in SQL: the first bucket's stay (a late minute is a small share).
    const upsert = (table: string): string =>
      `INSERT INTO ${table} (sid, ts, n, ${cols}, parts) VALUES (?, ?, ?, ${params}, ?) ON CONFLICT (sid, ts) DO UPDATE SET ${merge}, n = n + excluded.n, parts = COALESCE(parts, excluded.parts)`;
    this.stmt = {
      insertSeries: db.prepare('INSERT INTO series (scope, key) VALUES (?, ?) RETURNING id'),
      raw: db.prepare(`INSERT OR REPLACE INTO raw (sid, ts, ${cols}) VALUES (?, ?, ${params})`),
      m1: db.prepare(upsert('m1')),
      h1: db.prepare(upsert('h1')),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
    const oldest = db.prepare("SELECT value FROM meta WHERE key = 'oldest'").get() as { value: number } | undefined;
    this.oldest = oldest?.value ?? null;
    for (const row of db.prepare("SELECT key, value FROM meta WHERE key LIKE 'floor_%'").all() as { key: string; value: number }[]) {
      const table = row.key.slice('floor_'.length) as Tier['table'];
      if (table in this.floors) this.floors[table] = row.value;
    }
    if (!options.now) {
      this.timers.push(setInterval(() => this.flush(), options.flushIntervalMs));
      this.timers.push(setInterval(() => this.maintain(), MAINTAIN_EVERY_MS));
      for (const t of this.timers) t.unref();
    }
  }

  /**
   * Buffers samples for the next flush. `onDurable` (the broker's acknowledgement, server/ingest) is called once their
   * transaction has committed, or at once when they are dropped and counted: a full buffer never stalls ingest.
   */
  writeSamples(samples: readonly Sample[], onDurable?: () => void): void {
    if (samples.length === 0) {
      onDurable?.();
      return;
    }
    if (this.pendingSamples + samples.length > this.options.maxBufferedSamples) {
      this.dropped += samples.length;
      onDurable?.();
      return;
    }
    this.pending.push({ kind: 'samples', samples, onDurable });
    this.pendingSamples += samples.length;
  }

  writeSiteRollups(ts: number, sites: readonly SiteRollup[]): void {
    if (sites.length > 0) this.pending.push({ kind: 'sites', ts, sites });
  }

  /** Writes what is held now; their acknowledgements go out once the transaction has committed. */
  async drain(): Promise<boolean> {
    this.flush();
    return true;
  }

  /**
   * Writes what is buffered, in one transaction, and hands finished minutes and hours to their tables. `acknowledge`
   * false (close): nothing is acknowledged, as the HistoryStore contract asks of a store that is shutting down.
   */
  flush(bucketsBefore = this.now() - MINUTE_GRACE_MS, acknowledge = true): void {
    const batch = this.pending;
    this.pending = [];
    this.pendingSamples = 0;
    try {
      this.db.transaction(() => {
        for (const item of batch) {
          if (item.kind === 'samples') for (const s of item.samples) this.writeSample(s);
          else for (const site of item.sites) this.writeRow('site', site.id, item.ts, siteMetrics(site), null);
        }
        this.writeBuckets(this.stmt.m1, this.minutes.take(bucketsBefore));
        this.writeBuckets(this.stmt.h1, this.hours.take(bucketsBefore));
      })();
    } catch (err) {
      // A full disk or a failing device: count what was lost rather than stop ingest.
      for (const item of batch) this.dropped += item.kind === 'samples' ? item.samples.length : 0;
      this.options.log?.error({ err: (err as Error).message }, 'history write failed');
    }
    if (acknowledge) for (const item of batch) if (item.kind === 'samples') item.onDurable?.();
  }

  private writeSample(s: Sample): void {
    const values: Values = sampleMetrics(s);
    let parts: Parts | null = null;
    if (s.kind === 'asic') {
      let chip: number | null = null;
      for (const b of s.boards) if (b.chip_temp_c !== null && (chip === null || b.chip_temp_c > chip)) chip = b.chip_temp_c;
      values.chip_temp_c = chip;
      const fans = s.fans_rpm.filter((r): r is number => r !== null);
      values.fan_rpm = fans.length ? fans.reduce((a, b) => a + b, 0) / fans.length : null;
      parts = { boards: s.boards.map((b) => [b.hashrate_ths, b.temp_c, b.chip_temp_c]), fans: s.fans_rpm };
    }
    this.writeRow('rig', s.rig, s.ts, values, parts);
    this.written++;
  }

  private writeRow(scope: Scope, key: string, ts: number, values: Values, parts: Parts | null): void {
    const sid = this.sid(scope, key);
    this.stmt.raw.run(sid, ts, ...COLUMNS.map((c) => values[c] ?? null));
    this.minutes.add(sid, ts, values, parts);
    this.hours.add(sid, ts, values, parts);
    if (this.oldest === null || ts < this.oldest) {
      this.oldest = ts;
      this.stmt.setMeta.run('oldest', ts);
    }
  }

  private writeBuckets(stmt: Database.Statement, buckets: Bucket[]): void {
    for (const b of buckets) stmt.run(b.sid, b.ts, b.n, ...means(b), packParts(b));
  }

  private sid(scope: Scope, key: string): number {
    const name = `${scope}:${key}`;
    let id = this.sids.get(name);
    if (id === undefined) {
      id = (this.stmt.insertSeries.get(scope, key) as { id: number }).id;
      this.sids.set(name, id);
    }
    return id;
  }

  /** Retention and the size cap. Runs every minute on its own; the benchmark and tests call it with their clock. */
  maintain(now = this.now()): void {
    this.flush(now - MINUTE_GRACE_MS);
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      const { rawMs, m1Ms, h1Ms } = this.options.retention;
      this.pruned += this.deleteBefore('raw', now - rawMs) + this.deleteBefore('m1', now - m1Ms) + this.deleteBefore('h1', now - h1Ms);
      this.enforceCap(now);
      this.db.pragma('incremental_vacuum');
    }
  }

  private deleteBefore(table: Tier['table'], cutoff: number): number {
    const del = this.db.prepare(`DELETE FROM ${table} WHERE sid = ? AND ts < ?`);
    let rows = 0;
    this.db.transaction(() => {
      for (const sid of this.sids.values()) rows += del.run(sid, cutoff).changes;
    })();
    if (table === 'h1' && this.oldest !== null && this.oldest < cutoff) {
      this.oldest = cutoff;
      this.stmt.setMeta.run('oldest', cutoff);
    }
    return rows;
  }

  /** Bytes in use (free pages excluded: SQLite reuses them before the file grows). */
  bytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = (this.db.pragma('page_count', { simple: true }) as number) - (this.db.pragma('freelist_count', { simple: true }) as number);
    return pages * pageSize;
  }

  /** Over the cap, the oldest hour of the finest tier that has more than an hour goes, until it fits. */
  private enforceCap(now: number): void {
    for (let round = 0; round < 10_000 && this.bytes() > this.options.maxBytes; round++) {
      let done = false;
      for (const tier of TIERS) {
        const oldest = this.db.prepare(`SELECT MIN(ts) AS ts FROM ${tier.table}`).get() as { ts: number | null };
        if (oldest.ts === null || now - oldest.ts <= 3_600_000) continue;
        this.capped += this.deleteBefore(tier.table, oldest.ts + 3_600_000);
        this.floors[tier.table] = oldest.ts + 3_600_000;
        this.stmt.setMeta.run(`floor_${tier.table}`, this.floors[tier.table]);
        done = true;
        break;
      }
      if (!done) break;
    }
  }

  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    const sid = this.sids.get(`${query.scope}:${query.id}`);
    return sid === undefined ? emptyBuckets(query) : this.bucketed(this.tierFor(query), sid, query.metric, query);
  }

  has(scope: SeriesQuery['scope'], id: string): boolean {
    return this.sids.has(`${scope}:${id}`);
  }

  /** Per-hashboard or per-fan history of one rig: one series per board or fan, keyed "b0", "f1"… */
  async components(rig: string, scope: 'board' | 'fan', column: Column, query: Omit<SeriesQuery, 'scope' | 'id' | 'metric'>): Promise<ComponentSeries[]> {
    const sid = this.sids.get(`rig:${rig}`);
    if (sid === undefined) return [];
    const tier = this.tierFor(query, 60_000);
    const start = Math.floor(query.from / query.stepMs) * query.stepMs;
    const rows = this.db.prepare(`SELECT ts, n, parts FROM ${tier.table} WHERE sid = ? AND ts >= ? AND ts < ? AND parts IS NOT NULL`).all(sid, query.from, query.to) as { ts: number; n: number; parts: Buffer }[];
    const acc = new Map<string, { sums: Float64Array; weights: Float64Array }>();
    const buckets = Math.max(0, Math.ceil((query.to - start) / query.stepMs));
    for (const row of rows) {
      const b = Math.floor((row.ts - start) / query.stepMs);
      for (const { id, value } of unpackParts(row.parts, scope, column)) {
        if (value === null) continue;
        let a = acc.get(id);
        if (!a) acc.set(id, (a = { sums: new Float64Array(buckets), weights: new Float64Array(buckets) }));
        a.sums[b] = (a.sums[b] as number) + value * row.n;
        a.weights[b] = (a.weights[b] as number) + row.n;
      }
    }
    return [...acc]
      .map(([id, a]) => ({ id, points: Array.from({ length: buckets }, (_, i) => ({ ts: start + i * query.stepMs, value: (a.weights[i] as number) > 0 ? (a.sums[i] as number) / (a.weights[i] as number) : null })) }))
      .sort((x, y) => x.id.localeCompare(y.id, 'en', { numeric: true }));
  }

  /**
   * The finest tier no coarser than the step that still holds `from` (raw samples are exact and include the minute in
   * progress); else the one that reaches furthest back.
   */
  private tierFor(query: Pick<SeriesQuery, 'from' | 'stepMs'>, finest = 0): Tier {
    const now = this.now();
    const retention = { raw: this.options.retention.rawMs, m1: this.options.retention.m1Ms, h1: this.options.retention.h1Ms };
    const usable = TIERS.filter((t) => t.resolutionMs >= finest && (t.resolutionMs <= query.stepMs || t.resolutionMs === finest));
    const covering = usable.filter((t) => query.from >= Math.max(now - retention[t.table], this.floors[t.table]));
    return (covering[0] ?? usable.at(-1) ?? TIERS[2]) as Tier;
  }

  private bucketed(tier: Tier, sid: number, column: string, query: Pick<SeriesQuery, 'from' | 'to' | 'stepMs'>): SeriesPoint[] {
    if (!(COLUMNS as readonly string[]).includes(column)) throw new Error(`unknown column ${column}`);
    const start = Math.floor(query.from / query.stepMs) * query.stepMs;
    const weight = tier.table === 'raw' ? '1' : 'n';
    const rows = this.db
      .prepare(`SELECT CAST((ts - ?) / ? AS INTEGER) AS b, SUM(${column} * ${weight}) / NULLIF(SUM(CASE WHEN ${column} IS NULL THEN 0 ELSE ${weight} END), 0) AS v FROM ${tier.table} WHERE sid = ? AND ts >= ? AND ts < ? GROUP BY b`)
      .all(start, query.stepMs, sid, query.from, query.to) as { b: number; v: number | null }[];
    const points = emptyBuckets(query);
    for (const row of rows) {
      const point = points[row.b];
      if (point) point.value = row.v;
    }
    return points;
  }

  coverage(): StoreCoverage {
    const r = this.options.retention;
    return {
      kind: 'sqlite',
      durable: true,
      oldest: this.oldest,
      tiers: [
        { resolution_ms: 0, retention_ms: r.rawMs },
        { resolution_ms: 60_000, retention_ms: r.m1Ms },
        { resolution_ms: 3_600_000, retention_ms: r.h1Ms },
      ],
      max_bytes: this.options.maxBytes,
    };
  }

  stats(): SqliteStoreStats {
    return {
      kind: 'sqlite',
      buffered: this.pendingSamples,
      dropped: this.dropped,
      written: this.written,
      bytes: this.bytes(),
      capped_rows: this.capped,
      pruned_rows: this.pruned,
      ...this.recovery,
    };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    // Everything goes to disk, the minute in progress too (a later part of it merges by weight after a restart).
    this.flush(Infinity, false);
    this.maintain(this.now());
    this.db.close();
  }
}

function emptyBuckets(query: Pick<SeriesQuery, 'from' | 'to' | 'stepMs'>): SeriesPoint[] {
  const start = Math.floor(query.from / query.stepMs) * query.stepMs;
  const buckets = Math.max(0, Math.ceil((query.to - start) / query.stepMs));
  return Array.from({ length: buckets }, (_, i) => ({ ts: start + i * query.stepMs, value: null }));
}
