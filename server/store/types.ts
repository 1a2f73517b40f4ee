import type { Sample, SiteRollup } from '../contract/index.js';

export const SERIES_METRICS = ['hashrate_ths', 'power_kw', 'efficiency_jth', 'temp_c', 'gpu_util_pct', 'tokens_per_s'] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

export interface SeriesQuery {
  scope: 'site' | 'rig';
  id: string;
  metric: SeriesMetric;
  /** Milliseconds since the epoch, inclusive start and exclusive end. */
  from: number;
  to: number;
  stepMs: number;
}

export interface SeriesPoint {
  ts: number;
  value: number | null;
}

export interface StoreStats {
  kind: string;
  /** Samples accepted but not yet durable. */
  buffered: number;
  /** Samples that could not be kept (buffer overflow); never silently lost. */
  dropped: number;
  written: number;
}

/** What history a store keeps, so charts can say which range they can show. */
export interface StoreCoverage {
  kind: string;
  /** False when history is lost on restart (the memory store). */
  durable: boolean;
  /** Oldest sample time held, when known. */
  oldest: number | null;
  /** Resolutions it keeps (0 = raw samples) and for how long; null retention = until the size or count bound. */
  tiers: { resolution_ms: number; retention_ms: number | null }[];
  max_bytes?: number;
}

/** One hashboard's or fan's history ("b0", "f1"). */
export interface ComponentSeries {
  id: string;
  points: SeriesPoint[];
}

/**
 * Telemetry history. Writes never throw and never block ingest: an adapter buffers and reports what it could not
 * keep in stats(). Queries are bucketed by stepMs (mean per bucket; null for empty buckets).
 */
export interface HistoryStore {
  /**
   * `onDurable` is called once every one of these samples is written (or durably queued; memory: at once), or was
   * refused or dropped as counted in stats(); never on close() with samples still held (ingest then withholds the
   * broker's acknowledgement, and the broker redelivers after a restart).
   */
  writeSamples(samples: readonly Sample[], onDurable?: () => void): void;
  writeSiteRollups(ts: number, sites: readonly SiteRollup[]): void;
  /** Writes what is held now (their acknowledgements go out); false when `timeoutMs` passed first. */
  drain?(timeoutMs: number): Promise<boolean>;
  series(query: SeriesQuery): Promise<SeriesPoint[]>;
  /** Whether the store has any history of this rig or site; absent where answering would cost a query. */
  has?(scope: SeriesQuery['scope'], id: string): boolean;
  /** What the store holds (charts show it). */
  coverage?(): StoreCoverage;
  /** Per-hashboard or per-fan history of one rig, where the store keeps it. */
  components?(rig: string, scope: 'board' | 'fan', column: 'hashrate_ths' | 'temp_c' | 'chip_temp_c' | 'fan_rpm', query: Omit<SeriesQuery, 'scope' | 'id' | 'metric'>): Promise<ComponentSeries[]>;
  stats(): StoreStats;
  close(): Promise<void>;
}
