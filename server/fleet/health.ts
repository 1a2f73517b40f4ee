import type { AsicSample, GpuSample, Sample } from '../contract/index.js';

export interface HealthThresholds {
  overheat_c: number;
  gpu_overheat_c: number;
  reject_ratio: number;
}

/** Reasons a reporting rig is degraded; an empty list means healthy. Pure: the sample alone decides. */
export function degradedReasons(sample: Sample, t: HealthThresholds, previous?: Sample): string[] {
  if (sample.kind === 'gpu') return gpuReasons(sample, t);
  return asicReasons(sample, t, previous?.kind === 'asic' ? previous : undefined);
}

/**
 * Share of rejected shares on the active pool: over the interval since the previous sample when both counters grew
 * (a miner's counters are cumulative), else since the miner's counters began (first sample, or after a reset).
 */
export function rejectRatio(current: AsicSample, previous?: AsicSample): number | null {
  const pool = current.pools.find((p) => p.active);
  if (!pool || pool.accepted === null || pool.rejected === null) return null;
  const before = previous?.pools.find((p) => p.active && p.url === pool.url);
  let accepted = pool.accepted;
  let rejected = pool.rejected;
  if (before && before.accepted !== null && before.rejected !== null && accepted >= before.accepted && rejected >= before.rejected) {
    accepted -= before.accepted;
    rejected -= before.rejected;
  }
  const total = accepted + rejected;
  return total > 0 ? rejected / total : null;
}

function asicReasons(s: AsicSample, t: HealthThresholds, previous?: AsicSample): string[] {
  const reasons: string[] = [];
  for (const board of s.boards) {
    if (board.hashrate_ths === 0 || board.algo_hashrate === 0 || (board.chips === 0 && (board.expected_chips ?? 0) > 0)) {
      reasons.push(`hashboard ${board.index} lost`);
    } else if (board.chips !== null && board.expected_chips !== null && board.chips < board.expected_chips) {
      reasons.push(`hashboard ${board.index}: ${board.expected_chips - board.chips} chips missing`);
    }
    const hottest = Math.max(board.temp_c ?? -Infinity, board.chip_temp_c ?? -Infinity);
    if (hottest >= t.overheat_c) reasons.push(`hashboard ${board.index} overheating (${hottest} °C)`);
  }
  if (s.pools.length > 0 && !s.pools.some((p) => p.status === 'alive')) reasons.push('no pool alive');
  const ratio = rejectRatio(s, previous);
  if (ratio !== null && ratio > t.reject_ratio) reasons.push(`rejected shares ${(100 * ratio).toFixed(1)}%`);
  if ((s.hashrate_5s_ths ?? s.hashrate_avg_ths ?? s.algo_hashrate_5s ?? s.algo_hashrate_avg) === 0) reasons.push('not hashing');
  return reasons;
}

function gpuReasons(s: GpuSample, t: HealthThresholds): string[] {
  const reasons: string[] = [];
  for (const gpu of s.gpus) {
    if (gpu.last_xid !== null) reasons.push(`GPU ${gpu.index}: Xid ${gpu.last_xid}`);
    if ((gpu.ecc_uncorrected ?? 0) > 0) reasons.push(`GPU ${gpu.index}: ${gpu.ecc_uncorrected} uncorrected ECC errors`);
    if (gpu.temp_c !== null && gpu.temp_c >= t.gpu_overheat_c) reasons.push(`GPU ${gpu.index} overheating (${gpu.temp_c} °C)`);
  }
  return reasons;
}

/**
 * The bitcoin hashrate a rig is producing now: the short-window figure when the miner gives one. A miner of another
 * algorithm (Scrypt, X11, Equihash…) produces none, whatever its fields say: it never counts in SHA-256 totals.
 */
export function liveHashrateThs(sample: AsicSample): number | null {
  if (!isSha256(sample)) return null;
  if (sample.hashrate_5s_ths !== null) return sample.hashrate_5s_ths;
  if (sample.hashrate_avg_ths !== null) return sample.hashrate_avg_ths;
  const boards = sample.boards.map((b) => b.hashrate_ths).filter((v): v is number => v !== null);
  return boards.length > 0 ? boards.reduce((a, b) => a + b, 0) : null;
}

/** Samples without `algorithm` come from agents that read SHA-256 miners only. */
export function isSha256(sample: AsicSample): boolean {
  return sample.algorithm === undefined || sample.algorithm === 'sha256';
}
