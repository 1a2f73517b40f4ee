import { draw } from './rng.js';
import type { SimRig } from './fleet.js';

export type FaultKind = 'offline' | 'hashboard_lost' | 'overheat' | 'pool_rejects' | 'gpu_xid';

export const ASIC_FAULTS: readonly FaultKind[] = ['offline', 'hashboard_lost', 'overheat', 'pool_rejects'];
export const GPU_FAULTS: readonly FaultKind[] = ['offline', 'gpu_xid'];

/** Faults last one window; each window every rig independently has `rate` chance of one. */
export const FAULT_WINDOW_MS = 10 * 60_000;

export function scheduledFault(seed: number, rig: SimRig, tsMs: number, rate: number): FaultKind | null {
  if (rate <= 0) return null;
  const window = Math.floor(tsMs / FAULT_WINDOW_MS);
  if (draw(seed, rig.id, window, 'fault') >= rate) return null;
  const kinds = rig.kind === 'gpu' ? GPU_FAULTS : ASIC_FAULTS;
  return kinds[Math.floor(draw(seed, rig.id, window, 'kind') * kinds.length)] ?? null;
}
