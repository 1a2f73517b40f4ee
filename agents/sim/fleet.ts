import { modelByName, type AsicModel } from '../models/asic-models.js';
import { draw } from './rng.js';

export interface SimGpuModel {
  name: string;
  gpus: number;
  memory_total_mib: number;
  power_limit_w: number;
  tokens_per_s_per_gpu: number;
}

/**
 * Generated tokens/s per GPU at full load serving Llama-3.1-70B with vLLM: about half of MLPerf Inference's
 * Llama 2 70B offline results per GPU (~3,000 H100, ~4,000 H200), the planner's default realism.
 */
export const GPU_NODES: readonly SimGpuModel[] = [
  { name: 'NVIDIA H100 80GB HBM3', gpus: 8, memory_total_mib: 81559, power_limit_w: 700, tokens_per_s_per_gpu: 1300 },
  { name: 'NVIDIA H200', gpus: 8, memory_total_mib: 143771, power_limit_w: 700, tokens_per_s_per_gpu: 1800 },
];

const ASIC_MIX = ['Antminer S19j Pro', 'Antminer S19 XP', 'Antminer S21', 'Antminer S21 XP', 'Whatsminer M50', 'Whatsminer M60'];
const SITE_NAMES = ['Rockdale TX', 'Abilene TX', 'Kearney NE', 'Sandersville GA', 'Medicine Hat AB', 'Grand Forks ND', 'Massena NY', 'Columbus OH'];

export interface SimRig {
  site: string;
  id: string;
  kind: 'asic' | 'gpu';
  asic: AsicModel | null;
  gpu: SimGpuModel | null;
  /** Seconds since the rig booted, at simulation start. */
  bootOffsetS: number;
}

export interface SimSite {
  id: string;
  name: string;
  /** Climate: mean ambient temperature and its day-night swing. */
  ambientMeanC: number;
  ambientSwingC: number;
  rigs: SimRig[];
}

export interface FleetShape {
  sites: number;
  rigsPerSite: number;
  seed: number;
  /** One rig in this many is an 8-GPU inference node (0 for none). */
  gpuEvery: number;
}

export function siteId(index: number): string {
  return `site-${String(index + 1).padStart(2, '0')}`;
}

export function rigId(site: string, index: number): string {
  return `${site}-r${String(index + 1).padStart(5, '0')}`;
}

/** Builds the simulated fleet; the same shape and seed always give the same fleet. */
export function buildFleet(shape: FleetShape): SimSite[] {
  return Array.from({ length: shape.sites }, (_, s) => {
    const id = siteId(s);
    const rigs = Array.from({ length: shape.rigsPerSite }, (_, r): SimRig => {
      const isGpu = shape.gpuEvery > 0 && (r + 1) % shape.gpuEvery === 0;
      const pick = draw(shape.seed, id, r, 'model');
      return {
        site: id,
        id: rigId(id, r),
        kind: isGpu ? 'gpu' : 'asic',
        asic: isGpu ? null : modelByName(ASIC_MIX[Math.floor(pick * ASIC_MIX.length)] as string),
        gpu: isGpu ? (GPU_NODES[Math.floor(pick * GPU_NODES.length)] as SimGpuModel) : null,
        bootOffsetS: Math.floor(draw(shape.seed, id, r, 'boot') * 30 * 86_400),
      };
    });
    return {
      id,
      name: SITE_NAMES[s % SITE_NAMES.length] + (s >= SITE_NAMES.length ? ` ${Math.floor(s / SITE_NAMES.length) + 1}` : ''),
      ambientMeanC: 12 + draw(shape.seed, id, 'climate') * 16,
      ambientSwingC: 4 + draw(shape.seed, id, 'swing') * 6,
      rigs,
    };
  });
}
