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

/**
 * Telemetry history. Writes never throw and never block ingest: an adapter buffers and reports what it could not
 * keep in stats(). Queries are bucketed by stepMs (mean per bucket; null for empty buckets).
 */
export interface HistoryStore {
  writeSamples(samples: readonly Sample[]): void;
  writeSiteRollups(ts: number, sites: readonly SiteRollup[]): void;
  series(query: SeriesQuery): Promise<SeriesPoint[]>;
  stats(): StoreStats;
  close(): Promise<void>;
}
