import { SCHEMA_VERSION, type GpuSample } from '../../server/contract/index.js';
import type { GpuReport } from './reading.js';
import { sumKnown } from './values.js';

/** The contract allows 64 entries per node: 8 GPUs with 7 MIG instances each and their parents fit. */
const MAX_ENTRIES = 64;

export interface GpuSampleContext {
  site: string;
  rig: string;
  ts: number;
  intervalS: number;
  hostModel: string | null;
  errors?: string[];
}

/**
 * Builds the contract sample. Node power is the sum of the whole GPUs' board power (MIG instances have none of
 * their own), measured by the GPUs' own sensors: `power_source: 'measured'`. It excludes CPUs, fans and PSU losses,
 * which nvidia-smi cannot see; null when no GPU reports power.
 */
export function toGpuSample(report: GpuReport, ctx: GpuSampleContext): GpuSample {
  const errors = [...(ctx.errors ?? [])];
  let entries = report.entries;
  if (entries.length > MAX_ENTRIES) {
    errors.push(`${entries.length - MAX_ENTRIES} GPU entries not reported (limit ${MAX_ENTRIES})`);
    entries = entries.slice(0, MAX_ENTRIES);
  }
  const power = sumKnown(report.entries.filter((e) => !e.gpu.mig).map((e) => e.gpu.power_w));
  return {
    schema: SCHEMA_VERSION,
    kind: 'gpu',
    site: ctx.site,
    rig: ctx.rig,
    ts: ctx.ts,
    interval_s: ctx.intervalS,
    host_model: ctx.hostModel,
    driver_version: report.driverVersion,
    gpus: entries.map((e) => e.gpu),
    tokens_per_s: null,
    power_w: power === null ? null : Math.round(power * 100) / 100,
    power_source: power === null ? null : 'measured',
    errors: errors.slice(0, 64).map((e) => e.slice(0, 512)),
  };
}
