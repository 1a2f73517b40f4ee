import type { GpuCounts, RigCounts, RigStatus, Sample } from '../contract/index.js';
import { liveHashrateThs } from './health.js';
import { roundTo } from '../util/round.js';

export interface RollupInput {
  status: RigStatus;
  sample: Sample;
}

export interface Rollup {
  rigs: RigCounts;
  hashrate_ths: number;
  power_kw: number;
  efficiency_jth: number | null;
  gpus: GpuCounts;
}


/**
 * Sums rigs into one rollup. Offline rigs count in `rigs` and `gpus.total` but produce nothing. `online`,
 * `offline` and `degraded` partition `total`. Efficiency is power over hashrate for ASIC rigs that report both.
 */
export function rollup(rigs: Iterable<RollupInput>): Rollup {
  const counts: RigCounts = { total: 0, online: 0, offline: 0, degraded: 0 };
  let hashrate = 0;
  let powerW = 0;
  let effPowerW = 0;
  let effHashrate = 0;
  let gpuTotal = 0;
  let gpuOnline = 0;
  let utilSum = 0;
  let utilCount = 0;
  for (const { status, sample } of rigs) {
    counts.total++;
    counts[status]++;
    // MIG instances are slices of a GPU listed after it (mig: true): count and average whole GPUs only.
    const wholeGpus = sample.kind === 'gpu' ? sample.gpus.filter((g) => !g.mig) : [];
    gpuTotal += wholeGpus.length;
    if (status === 'offline') continue;
    powerW += sample.power_w ?? 0;
    if (sample.kind === 'asic') {
      const ths = liveHashrateThs(sample);
      hashrate += ths ?? 0;
      if (ths !== null && ths > 0 && sample.power_w !== null) {
        effPowerW += sample.power_w;
        effHashrate += ths;
      }
    } else {
      gpuOnline += wholeGpus.length;
      for (const gpu of wholeGpus) {
        if (gpu.utilization_pct === null) continue;
        utilSum += gpu.utilization_pct;
        utilCount++;
      }
    }
  }
  return {
    rigs: counts,
    hashrate_ths: roundTo(hashrate, 3),
    power_kw: roundTo(powerW / 1000, 3),
    efficiency_jth: effHashrate > 0 ? roundTo(effPowerW / effHashrate, 2) : null,
    gpus: { total: gpuTotal, online: gpuOnline, utilization_pct: utilCount > 0 ? roundTo(utilSum / utilCount, 1) : null },
  };
}
