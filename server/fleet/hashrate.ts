import type { AsicSample } from '../contract/index.js';

/** The hashrate a rig is producing now: the short-window figure when the miner gives one. */
export function liveHashrateThs(sample: AsicSample): number | null {
  if (sample.hashrate_5s_ths !== null) return sample.hashrate_5s_ths;
  if (sample.hashrate_avg_ths !== null) return sample.hashrate_avg_ths;
  const boards = sample.boards.map((b) => b.hashrate_ths).filter((v): v is number => v !== null);
  return boards.length > 0 ? boards.reduce((a, b) => a + b, 0) : null;
}
