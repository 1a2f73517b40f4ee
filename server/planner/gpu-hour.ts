/**
 * Revenue per sold GPU-hour, in its own module without imports so the web page can use it without bundling the
 * engine or zod.
 */

/** Share of a benchmark's tokens/s a production deployment really serves (PLANNER_DEFAULTS.ai.throughput_realism). */
export const DEFAULT_THROUGHPUT_REALISM = 0.5;

export interface GpuHourInputs {
  model: 'gpu_rental' | 'tokens' | 'colocation';
  gpu_hour_usd: number;
  tokens_per_s_per_gpu?: number | undefined;
  throughput_realism?: number | undefined;
  usd_per_million_tokens?: number | undefined;
}

/**
 * Issue #6: `gpu_rental` earns the GPU-hour price; `tokens` earns tokens/s × throughput_realism × 3,600 × $ per
 * million tokens / 10^6 an hour; `colocation` sells megawatts, not GPU-hours (null). One formula for the engine,
 * the scenario grid and the planner page's "today" marker.
 */
export function gpuHourEquivalent(ai: GpuHourInputs): number | null {
  if (ai.model === 'gpu_rental') return ai.gpu_hour_usd;
  if (ai.model !== 'tokens') return null;
  const realism = ai.throughput_realism ?? DEFAULT_THROUGHPUT_REALISM;
  return ((ai.tokens_per_s_per_gpu ?? 0) * realism * 3600 * (ai.usd_per_million_tokens ?? 0)) / 1e6;
}
