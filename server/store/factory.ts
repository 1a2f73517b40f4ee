import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { InfluxStore } from './influx/store.js';
import { MemoryStore } from './memory.js';
import { SqliteStore } from './sqlite/store.js';
import type { HistoryStore } from './types.js';

/** Builds the history store config.store.kind selects; an InfluxDB store starts setting up its database. */
export async function createStore(config: Config['store'], log: Logger, sharedIngest = false): Promise<HistoryStore> {
  if (config.kind === 'memory') return new MemoryStore(config.memory.max_points_per_series);
  if (config.kind === 'sqlite') {
    const s = config.sqlite;
    return new SqliteStore({
      dir: s.dir,
      retention: { rawMs: s.raw_hours * 3_600_000, m1Ms: s.rollup_1m_days * 86_400_000, h1Ms: s.rollup_1h_days * 86_400_000 },
      maxBytes: s.max_mb * 1024 * 1024,
      flushIntervalMs: s.flush_interval_ms,
      maxBufferedSamples: s.max_buffered_samples,
      log: log.child({ component: 'sqlite' }),
    });
  }
  const influx = config.influxdb;
  const store = new InfluxStore({
    api: config.kind === 'influxdb2' ? 'v2' : 'v1',
    url: influx.url,
    database: influx.database,
    username: influx.username,
    password: influx.password,
    org: influx.org,
    bucket: influx.bucket,
    token: influx.token,
    manageRetention: influx.manage_retention,
    retention: influx.retention,
    rollup1mFromRangeMs: influx.rollup_1m_from_range_ms,
    rollup1hFromRangeMs: influx.rollup_1h_from_range_ms,
    // Instances that split ingest each see part of a rig's samples: only a continuous query sees them all.
    minuteRollupsBy: influx.minute_rollups ?? (sharedIngest ? 'continuous_query' : 'server'),
    rollupGraceMs: influx.rollup_grace_ms,
    batchPoints: influx.batch_points,
    flushIntervalMs: influx.flush_interval_ms,
    maxBufferedSamples: influx.max_buffered_samples,
    concurrency: influx.concurrency,
    retry: { initialMs: influx.retry.initial_ms, maxMs: influx.retry.max_ms },
    timeoutMs: influx.timeout_ms,
    log: log.child({ component: 'influxdb' }),
  });
  await store.start();
  return store;
}
