import { z } from 'zod';
import { RigId, SiteId } from './ids.js';

/**
 * Telemetry payload, schema 1. Units are in field names. A value the source did not report is null, never 0:
 * a dead fan reads 0 rpm, an unknown fan reads null.
 */
export const SCHEMA_VERSION = 1;

const num = z.number().finite();
const nonNeg = z.number().finite().nonnegative();
const nullableNum = num.nullable();
const nullableNonNeg = nonNeg.nullable();
const text = z.string().max(512);

/** Where a power figure came from, from most to least trustworthy. */
export const PowerSource = z.enum(['measured', 'miner', 'nameplate', 'estimated']);
export type PowerSource = z.infer<typeof PowerSource>;

const sampleBase = {
  schema: z.literal(SCHEMA_VERSION),
  site: SiteId,
  rig: RigId,
  /** Sample time, milliseconds since the Unix epoch. */
  ts: z.number().int().positive(),
  /** Polling interval of the agent, so the server knows when a rig has gone quiet. */
  interval_s: z.number().positive().max(3600),
  /** Per-agent sequence number: replays and duplicates are recognisable. */
  seq: z.number().int().nonnegative().optional(),
  /** True for samples replayed from an agent's spool after an outage: stored, never shown as live state. */
  historical: z.boolean().optional(),
  power_w: nullableNonNeg,
  power_source: PowerSource.nullable(),
  /** Free-form errors and warnings the source reported. */
  errors: z.array(text).max(64),
};

export const Board = z.object({
  index: z.number().int().nonnegative(),
  hashrate_ths: nullableNonNeg,
  temp_c: nullableNum,
  chip_temp_c: nullableNum,
  chips: z.number().int().nonnegative().nullable(),
  expected_chips: z.number().int().nonnegative().nullable(),
  /** A non-SHA-256 board's hashrate, in the sample's `algo_hashrate_unit` (its `hashrate_ths` is then null). */
  algo_hashrate: nullableNonNeg.optional(),
});
export type Board = z.infer<typeof Board>;

/**
 * The hash algorithm an ASIC runs. Only `sha256` hashrate is bitcoin hashrate: a miner of anything else reports its
 * rate in `algo_hashrate_*` and never in `hashrate_*_ths`, and site and fleet totals leave it out. Absent (older
 * agents) means sha256.
 */
export const Algorithm = z.enum([
  'sha256',
  'scrypt',
  'x11',
  'ethash',
  'equihash',
  'blake2s',
  'blake2b-sha3',
  'kheavyhash',
  'eaglesong',
  'blake256r14',
  'blake3',
]);
export type Algorithm = z.infer<typeof Algorithm>;
/** Base unit of a non-SHA-256 hashrate: hashes per second, or solutions per second (Equihash). */
export const AlgoUnit = z.enum(['H/s', 'Sol/s']);

export const PoolStatus = z.enum(['alive', 'dead', 'disabled', 'unknown']);
export const Pool = z.object({
  url: text,
  user: text.nullable(),
  status: PoolStatus,
  active: z.boolean(),
  accepted: z.number().int().nonnegative().nullable(),
  rejected: z.number().int().nonnegative().nullable(),
  stale: z.number().int().nonnegative().nullable(),
});
export type Pool = z.infer<typeof Pool>;

export const AsicSample = z.object({
  ...sampleBase,
  kind: z.literal('asic'),
  model: text.nullable(),
  firmware: text.nullable(),
  /** Miner software family as detected by the agent (antminer, braiins, luxos, vnish, whatsminer, avalon, cgminer…). */
  family: text.nullable(),
  hashrate_5s_ths: nullableNonNeg,
  hashrate_avg_ths: nullableNonNeg,
  /** Hashrate the model is rated for, when known. */
  nameplate_ths: nullableNonNeg,
  boards: z.array(Board).max(64),
  fans_rpm: z.array(nullableNonNeg).max(32),
  pools: z.array(Pool).max(16),
  uptime_s: nullableNonNeg,
  status_text: text.nullable(),
  algorithm: Algorithm.optional(),
  /** Hashrate of a non-SHA-256 miner in `algo_hashrate_unit` (base units: 504 MH/s is 504000000). */
  algo_hashrate_5s: nullableNonNeg.optional(),
  algo_hashrate_avg: nullableNonNeg.optional(),
  algo_nameplate: nullableNonNeg.optional(),
  algo_hashrate_unit: AlgoUnit.nullable().optional(),
});
export type AsicSample = z.infer<typeof AsicSample>;

export const Gpu = z.object({
  index: z.number().int().nonnegative(),
  uuid: text.nullable(),
  name: text.nullable(),
  utilization_pct: z.number().min(0).max(100).nullable(),
  memory_used_mib: nullableNonNeg,
  memory_total_mib: nullableNonNeg,
  power_w: nullableNonNeg,
  power_limit_w: nullableNonNeg,
  temp_c: nullableNum,
  sm_clock_mhz: nullableNonNeg,
  ecc_corrected: z.number().int().nonnegative().nullable(),
  ecc_uncorrected: z.number().int().nonnegative().nullable(),
  last_xid: z.number().int().nonnegative().nullable(),
  /** True when the entry is a MIG instance rather than a whole GPU. */
  mig: z.boolean(),
});
export type Gpu = z.infer<typeof Gpu>;

/** Inference servers an agent reads (agents/inference/dialects.ts). */
export const InferenceServer = z.enum(['vllm', 'sglang', 'tgi', 'triton', 'nim', 'llamacpp']);
export type InferenceServer = z.infer<typeof InferenceServer>;

/**
 * What the node's inference server did since the agent's previous poll: counters turned into per-second rates,
 * latency percentiles from the histograms' new observations. null where the server does not report a figure (TGI
 * has no time-to-first-token histogram, Triton counts requests but not tokens) or nothing happened to measure.
 */
export const InferenceBlock = z.object({
  server: InferenceServer,
  model: text.nullable(),
  prompt_tokens_per_s: nullableNonNeg,
  generation_tokens_per_s: nullableNonNeg,
  requests_per_s: nullableNonNeg,
  requests_running: nullableNonNeg,
  requests_waiting: nullableNonNeg,
  ttft_p50_ms: nullableNonNeg,
  ttft_p99_ms: nullableNonNeg,
  tpot_p50_ms: nullableNonNeg,
  kv_cache_usage_pct: z.number().min(0).max(100).nullable(),
});
export type InferenceBlock = z.infer<typeof InferenceBlock>;

export const GpuSample = z.object({
  ...sampleBase,
  kind: z.literal('gpu'),
  host_model: text.nullable(),
  driver_version: text.nullable(),
  gpus: z.array(Gpu).max(64),
  /** Inference throughput of the node, when the serving stack reports it. */
  tokens_per_s: nullableNonNeg,
  /** The node's inference server, when the agent reads one; absent from agents older than the inference source. */
  inference: InferenceBlock.nullable().optional(),
});
export type GpuSample = z.infer<typeof GpuSample>;

export const Sample = z.discriminatedUnion('kind', [AsicSample, GpuSample]);
export type Sample = z.infer<typeof Sample>;

/** A site controller polling many miners sends them in one message. */
export const SampleBatch = z.object({
  schema: z.literal(SCHEMA_VERSION),
  samples: z.array(Sample).min(1).max(5000),
});
export type SampleBatch = z.infer<typeof SampleBatch>;

export const TelemetryMessage = z.union([SampleBatch, Sample]);
export type TelemetryMessage = z.infer<typeof TelemetryMessage>;
