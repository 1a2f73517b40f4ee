import { SCHEMA_VERSION, type AsicSample, type Board, type Gpu, type GpuSample, type Sample } from '../../server/contract/index.js';
import type { SimRig, SimSite } from './fleet.js';
import type { FaultKind } from './faults.js';
import { draw } from './rng.js';
import { roundTo } from '../../server/util/round.js';
import { demandAt, inferenceBlock } from './inference.js';

export interface SampleContext {
  seed: number;
  tsMs: number;
  intervalS: number;
  /** Simulation start, for uptimes. */
  startMs: number;
  seq: number;
  /** When the rig's current fault began (for faults whose effect accumulates). */
  faultSinceMs?: number;
}


/** Day-night ambient temperature: coolest near 05:00 local, warmest near 17:00 (site clock = UTC here). */
export function ambientC(site: SimSite, tsMs: number): number {
  const hour = (tsMs / 3_600_000) % 24;
  return site.ambientMeanC + site.ambientSwingC * Math.sin((2 * Math.PI * (hour - 11)) / 24);
}

export function simulateSample(site: SimSite, rig: SimRig, fault: FaultKind | null, ctx: SampleContext): Sample {
  return rig.kind === 'gpu' ? gpuSample(site, rig, fault, ctx) : asicSample(site, rig, fault, ctx);
}

function asicSample(site: SimSite, rig: SimRig, fault: FaultKind | null, ctx: SampleContext): AsicSample {
  const model = rig.asic;
  if (!model) throw new Error(`rig ${rig.id} has no ASIC model`);
  const noise = (key: string): number => draw(ctx.seed, rig.id, ctx.seq, key);
  const ambient = ambientC(site, ctx.tsMs);
  const throttle = fault === 'overheat' ? 0.7 : 1;
  const perBoard = (model.nameplate_ths / model.boards) * (0.97 + 0.05 * noise('hr')) * throttle;
  const boards: Board[] = Array.from({ length: model.boards }, (_, index) => {
    const lost = fault === 'hashboard_lost' && index === model.boards - 1;
    const normal = ambient + 30 + 4 * noise(`t${index}`);
    // Overheating: fans at full speed cannot hold the board under its trip point.
    const temp = fault === 'overheat' ? Math.max(normal + 30, 88 + 4 * noise(`o${index}`)) : normal;
    return {
      index,
      hashrate_ths: lost ? 0 : roundTo(perBoard * (0.99 + 0.02 * noise(`b${index}`)), 3),
      temp_c: lost ? null : roundTo(temp, 1),
      chip_temp_c: lost ? null : roundTo(temp + 10, 1),
      chips: lost ? 0 : model.chips_per_board,
      expected_chips: model.chips_per_board,
    };
  });
  const hashrate = roundTo(boards.reduce((sum, b) => sum + (b.hashrate_ths ?? 0), 0), 3);
  const uptime = rig.bootOffsetS + Math.floor((ctx.tsMs - ctx.startMs) / 1000);
  // Share counters are cumulative and monotonic, as a miner's are: a steady rate since boot, plus the extra rejects
  // accumulated since a pool-rejects fault began.
  const sharesPerSecond = model.nameplate_ths / 100;
  const accepted = Math.floor(uptime * sharesPerSecond);
  const faultSeconds = fault === 'pool_rejects' ? Math.max(0, (ctx.tsMs - (ctx.faultSinceMs ?? ctx.tsMs)) / 1000) : 0;
  const rejected = Math.floor(accepted * 0.003) + Math.floor(faultSeconds * sharesPerSecond * 0.2);
  return {
    schema: SCHEMA_VERSION,
    kind: 'asic',
    site: rig.site,
    rig: rig.id,
    ts: ctx.tsMs,
    interval_s: ctx.intervalS,
    seq: ctx.seq,
    model: model.name,
    firmware: model.vendor === 'microbt' ? '20240611.22.REL' : 'Antminer 2024.05',
    family: model.vendor === 'microbt' ? 'whatsminer' : 'antminer',
    hashrate_5s_ths: hashrate,
    hashrate_avg_ths: roundTo(model.nameplate_ths * throttle * (fault === 'hashboard_lost' ? 2 / 3 : 1), 3),
    nameplate_ths: model.nameplate_ths,
    boards,
    fans_rpm: Array.from({ length: model.fans }, (_, i) => Math.round((fault === 'overheat' ? 6800 : 4800) + 400 * noise(`f${i}`))),
    pools: [
      {
        url: 'stratum+tcp://pool.example.com:3333',
        user: `${rig.site}.${rig.id}`,
        status: 'alive',
        active: true,
        accepted,
        rejected,
        stale: Math.floor(accepted * 0.001),
      },
    ],
    uptime_s: uptime,
    power_w: Math.round(hashrate * model.efficiency_jth * (fault === 'overheat' ? 1.05 : 1)),
    power_source: model.reports_power ? 'miner' : 'estimated',
    errors: fault === 'hashboard_lost' ? [`chain ${model.boards - 1} not detected`] : [],
    status_text: null,
  };
}

function gpuSample(_site: SimSite, rig: SimRig, fault: FaultKind | null, ctx: SampleContext): GpuSample {
  const node = rig.gpu;
  if (!node) throw new Error(`rig ${rig.id} has no GPU model`);
  const noise = (key: string): number => draw(ctx.seed, rig.id, ctx.seq, key);
  const demand = demandAt(ctx.tsMs);
  const gpus: Gpu[] = Array.from({ length: node.gpus }, (_, index) => {
    const failed = fault === 'gpu_xid' && index === 3;
    // Utilization follows the day's inference demand (agents/sim/inference.ts), with per-GPU jitter.
    const util = failed ? 0 : Math.round(Math.min(100, Math.max(5, 100 * demand + 12 * (noise(`u${index}`) - 0.5))));
    return {
      index,
      uuid: `GPU-${rig.id}-${index}`,
      name: node.name,
      utilization_pct: util,
      memory_used_mib: failed ? 0 : Math.round(node.memory_total_mib * (0.6 + 0.3 * noise(`m${index}`))),
      memory_total_mib: node.memory_total_mib,
      power_w: roundTo(failed ? 70 : 120 + (util / 100) * (node.power_limit_w - 150), 1),
      power_limit_w: node.power_limit_w,
      temp_c: Math.round(32 + util * 0.35),
      sm_clock_mhz: failed ? 345 : 1980,
      ecc_corrected: 0,
      ecc_uncorrected: 0,
      last_xid: failed ? 79 : null,
      mig: false,
    };
  });
  const tokens = gpus.reduce((sum, g) => sum + ((g.utilization_pct ?? 0) / 100) * node.tokens_per_s_per_gpu, 0);
  return {
    schema: SCHEMA_VERSION,
    kind: 'gpu',
    site: rig.site,
    rig: rig.id,
    ts: ctx.tsMs,
    interval_s: ctx.intervalS,
    seq: ctx.seq,
    host_model: `${node.gpus}x ${node.name}`,
    driver_version: '570.133.20',
    gpus,
    tokens_per_s: Math.round(tokens),
    inference: inferenceBlock(tokens, gpus.reduce((sum, g) => sum + (g.utilization_pct ?? 0), 0) / (100 * node.gpus), noise),
    power_w: roundTo(gpus.reduce((sum, g) => sum + (g.power_w ?? 0), 0), 1),
    power_source: 'measured',
    errors: fault === 'gpu_xid' ? ['Xid 79: GPU has fallen off the bus (GPU 3)'] : [],
  };
}
