import type { Config } from '../config/schema.js';
import { durationMs } from '../store/influx/rollups.js';
import { IngestPipeline, type PipelineDeps } from './pipeline.js';

/** The pipeline with its limits read from config (`ingest.*`; raw retention from `store.influxdb.retention.raw`). */
export function createPipeline(config: Config, deps: Omit<PipelineDeps, 'limits'>): IngestPipeline {
  return new IngestPipeline({
    ...deps,
    limits: {
      maxFutureSkewMs: config.ingest.max_future_skew_ms,
      maxAgeMs: durationMs(config.store.influxdb.retention.raw),
      maxRigsPerAgent: config.ingest.max_rigs_per_agent,
      maxRigsPerSite: config.ingest.max_rigs_per_site,
    },
  });
}
