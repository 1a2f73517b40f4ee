import type { AsicSample } from '../contract/index.js';

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
