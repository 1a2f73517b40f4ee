import type { AsicSample, GpuSample, InferenceBlock, Sample, SiteRollup } from '../../contract/index.js';
import { sampleMetrics, siteMetrics, type MetricValues } from '../metrics.js';
import { SERIES_METRICS } from '../types.js';
import { PointBuilder, SeriesMemo, seriesHead } from './line-protocol.js';
import { LineWriter } from './line-writer.js';

/**
 * rigline's InfluxDB schema (README "History in InfluxDB" has one table per measurement). Tags are bounded,
 * low-cardinality values: site, rig, kind, model, firmware and board/gpu/pool index. Serial numbers, URLs, pool
 * users, errors and other free text are fields, so they never create series.
 */
export const MEASUREMENTS = { rig: 'rig', board: 'board', gpu: 'gpu', pool: 'pool', site: 'site', inference: 'inference' } as const;

/** Measurements the 1-minute and 1-hour rollups cover, and the fields they roll up (the history API's metrics). */
export const ROLLED_UP = [MEASUREMENTS.rig, MEASUREMENTS.site] as const;
export const ROLLUP_FIELDS = SERIES_METRICS;

export interface EncodedSample {
  lines: string;
  points: number;
}

function metricFields<P extends PointBuilder | LineWriter>(point: P, values: MetricValues): P {
  for (const metric of SERIES_METRICS) point.float(metric, values[metric]);
  return point;
}

function minMax(values: readonly (number | null)[]): [number | null, number | null] {
  let min: number | null = null;
  let max: number | null = null;
  for (const v of values) {
    if (v === null) continue;
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
  }
  return [min, max];
}

/**
 * One rig's series heads (measurement and escaped tags), built on its first sample and reused while its site,
 * kind, model and firmware stay the same: the rig point's, and boards', pools' and GPUs' by index (GPUs by name too).
 */
interface RigHeads {
  id: string;
  site: string;
  kind: Sample['kind'];
  model: string | null;
  firmware: string | null;
  rig: string;
  parts: (string | undefined)[];
  partNames: (string | null)[];
  pools: (string | undefined)[];
}

/** Rigs whose heads are kept (a few hundred bytes each); beyond it the memo starts over (line-protocol.ts). */
const MEMO_RIGS = 100_000;
/** Boards and GPUs per rig are at most 64 in the contract, pools 16; a head beyond that is built, not kept. */
const MEMO_INDEX = 64;
const rigHeads = new SeriesMemo<RigHeads>(MEMO_RIGS);

function headsOf(s: Sample, model: string | null, firmware: string | null): RigHeads {
  const known = rigHeads.get(s.rig);
  if (known && known.site === s.site && known.kind === s.kind && known.model === model && known.firmware === firmware) return known;
  const rig = seriesHead(MEASUREMENTS.rig, [
    ['firmware', firmware],
    ['kind', s.kind],
    ['model', model],
    ['rig', s.rig],
    ['site', s.site],
  ]);
  return rigHeads.set(s.rig, { id: s.rig, site: s.site, kind: s.kind, model, firmware, rig, parts: [], partNames: [], pools: [] });
}

/** The head of a board (model: the rig's) or GPU (model: the GPU's name) point. */
function partHead(h: RigHeads, measurement: typeof MEASUREMENTS.board | typeof MEASUREMENTS.gpu, index: number, model: string | null): string {
  const keep = index < MEMO_INDEX;
  if (keep && h.parts[index] !== undefined && h.partNames[index] === model) return h.parts[index];
  const head = seriesHead(measurement, [
    [measurement, String(index)],
    ['model', model],
    ['rig', h.id],
    ['site', h.site],
  ]);
  if (keep) [h.parts[index], h.partNames[index]] = [head, model];
  return head;
}

function poolHead(h: RigHeads, index: number): string {
  const cached = h.pools[index];
  if (cached !== undefined) return cached;
  const head = seriesHead(MEASUREMENTS.pool, [
    ['pool', String(index)],
    ['rig', h.id],
    ['site', h.site],
  ]);
  if (index < MEMO_INDEX) h.pools[index] = head;
  return head;
}

/** Told each rig point's series head, time and chartable figures as it is encoded (minute-rollups.ts sums them). */
export type RigPointObserver = (head: string, ts: number, values: MetricValues) => void;

function asicLines(s: AsicSample, w: LineWriter, observe: RigPointObserver | undefined): void {
  const [fanMin, fanMax] = minMax(s.fans_rpm);
  const heads = headsOf(s, s.model, s.firmware);
  const values = sampleMetrics(s);
  observe?.(heads.rig, s.ts, values);
  metricFields(w.point(heads.rig), values)
    .float('hashrate_5s_ths', s.hashrate_5s_ths)
    .float('hashrate_avg_ths', s.hashrate_avg_ths)
    .float('nameplate_ths', s.nameplate_ths)
    .float('power_w', s.power_w)
    .str('power_source', s.power_source)
    .float('fan_min_rpm', fanMin)
    .float('fan_max_rpm', fanMax)
    .float('uptime_s', s.uptime_s)
    .str('family', s.family)
    .str('status_text', s.status_text);
  common(w, s);
  for (const b of s.boards) {
    w.point(partHead(heads, MEASUREMENTS.board, b.index, s.model))
      .float('hashrate_ths', b.hashrate_ths)
      .float('temp_c', b.temp_c)
      .float('chip_temp_c', b.chip_temp_c)
      .int('chips', b.chips)
      .int('expected_chips', b.expected_chips)
      .end(s.ts);
  }
  for (let index = 0; index < s.pools.length; index++) {
    const p = s.pools[index] as AsicSample['pools'][number];
    w.point(poolHead(heads, index))
      .str('url', p.url)
      .str('user', p.user)
      .str('status', p.status)
      .bool('active', p.active)
      .int('accepted', p.accepted)
      .int('rejected', p.rejected)
      .int('stale', p.stale)
      .end(s.ts);
  }
}

function gpuLines(s: GpuSample, w: LineWriter, observe: RigPointObserver | undefined): void {
  const heads = headsOf(s, s.host_model, s.driver_version);
  const values = sampleMetrics(s);
  observe?.(heads.rig, s.ts, values);
  metricFields(w.point(heads.rig), values)
    .float('power_w', s.power_w)
    .str('power_source', s.power_source);
  common(w, s);
  if (s.inference) inferenceLine(s, s.inference, w);
  for (const g of s.gpus) {
    w.point(partHead(heads, MEASUREMENTS.gpu, g.index, g.name))
      .str('uuid', g.uuid)
      .float('utilization_pct', g.utilization_pct)
      .float('memory_used_mib', g.memory_used_mib)
      .float('memory_total_mib', g.memory_total_mib)
      .float('power_w', g.power_w)
      .float('power_limit_w', g.power_limit_w)
      .float('temp_c', g.temp_c)
      .float('sm_clock_mhz', g.sm_clock_mhz)
      .int('ecc_corrected', g.ecc_corrected)
      .int('ecc_uncorrected', g.ecc_uncorrected)
      .int('last_xid', g.last_xid)
      .bool('mig', g.mig)
      .end(s.ts);
  }
}

/** What a GPU node's inference server did: one point per sample that carries an inference block. */
function inferenceLine(s: GpuSample, b: InferenceBlock, w: LineWriter): void {
  w.point(
    seriesHead(MEASUREMENTS.inference, [
      ['model', b.model],
      ['rig', s.rig],
      ['server', b.server],
      ['site', s.site],
    ]),
  )
    .float('prompt_tokens_per_s', b.prompt_tokens_per_s)
    .float('generation_tokens_per_s', b.generation_tokens_per_s)
    .float('requests_per_s', b.requests_per_s)
    .float('requests_running', b.requests_running)
    .float('requests_waiting', b.requests_waiting)
    .float('ttft_p50_ms', b.ttft_p50_ms)
    .float('ttft_p99_ms', b.ttft_p99_ms)
    .float('tpot_p50_ms', b.tpot_p50_ms)
    .float('kv_cache_usage_pct', b.kv_cache_usage_pct)
    .bool('historical', s.historical)
    .end(s.ts);
}

/** Fields every rig point carries; interval_s is always present, so a rig point is never empty. */
function common(w: LineWriter, s: Sample): void {
  w.float('interval_s', s.interval_s)
    .int('seq', s.seq)
    .bool('historical', s.historical)
    .int('error_count', s.errors.length)
    .str('errors', s.errors.length > 0 ? s.errors.join('\n') : null)
    .end(s.ts);
}

/** The points of one sample: a rig point, plus one per board and pool (ASIC) or per GPU. */
export function encodeSample(sample: Sample): EncodedSample {
  const { body, points, release } = encodeSamples([sample]);
  const lines = body.toString('utf8', 0, Math.max(0, body.length - 1));
  release();
  return { lines, points };
}

/** One message's samples as UTF-8 line protocol, each line ending in a newline: what the write buffer holds for them. */
export interface EncodedMessage {
  body: Buffer;
  points: number;
  /** Call once when nothing will read `body` again: its slab is then reused (line-writer.ts). */
  release: () => void;
  oldestTs: number;
  newestTs: number;
}

/** About what one ASIC sample's points take (rig, 3 boards, 3 pools), to size a message's room up front. */
const BYTES_PER_SAMPLE = 1400;
/** The encoder's one scratch buffer (grown to the largest message seen): encoding is synchronous. */
const writer = new LineWriter();

/**
 * The points of many samples, encoded at once into one byte buffer (line-writer.ts): what waits for the database is
 * one object per message instead of a string tree per point, which the garbage collector would otherwise copy into
 * the old generation and sweep again.
 */
export function encodeSamples(samples: readonly Sample[], observe?: RigPointObserver): EncodedMessage {
  writer.reset(); // nothing left over from an encoding that threw
  writer.reserve(samples.length * BYTES_PER_SAMPLE);
  const { oldestTs, newestTs } = encodeInto(writer, samples, observe);
  const { body, points, release } = writer.take();
  return { body, points, release, oldestTs, newestTs };
}

/**
 * Appends the points of `samples` to what `w` holds since its last take() (entry-gatherer.ts collects several
 * messages into one piece this way). If encoding throws, `w` is left as it was before the call.
 */
export function encodeInto(w: LineWriter, samples: readonly Sample[], observe?: RigPointObserver): { oldestTs: number; newestTs: number } {
  let oldestTs = Infinity;
  let newestTs = -Infinity;
  const mark = w.mark();
  try {
    for (const sample of samples) {
      if (sample.kind === 'asic') asicLines(sample, w, observe);
      else gpuLines(sample, w, observe);
      if (sample.ts < oldestTs) oldestTs = sample.ts;
      if (sample.ts > newestTs) newestTs = sample.ts;
    }
  } catch (err) {
    w.rewind(mark);
    throw err;
  }
  return { oldestTs, newestTs };
}

export function encodeSiteRollup(ts: number, site: SiteRollup): string {
  const point = PointBuilder.start(MEASUREMENTS.site, [['site', site.id]]);
  return metricFields(point, siteMetrics(site))
    .str('name', site.name)
    .int('rigs_total', site.rigs.total)
    .int('rigs_online', site.rigs.online)
    .int('rigs_degraded', site.rigs.degraded)
    .int('rigs_offline', site.rigs.offline)
    .int('gpus_total', site.gpus.total)
    .int('gpus_online', site.gpus.online)
    .line(ts) as string;
}
