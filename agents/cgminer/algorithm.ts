import { ALGO_UNIT, findAltModel, type AlgoUnit, type Algorithm, type AltModel } from '../models/asic-models.js';
import type { MinerFamily } from './family.js';

export interface AlgorithmInfo {
  algorithm: Algorithm;
  /** The model when it is a known miner of another algorithm (L3+, D3, Z11…), for its rating and layout. */
  alt: AltModel | null;
  unit: AlgoUnit;
  /**
   * Converts a rate read as if its key's unit were right (the agent's TH/s figures) into base units (H/s, Sol/s).
   * Bitmain's bmminer labels every rate `GHS` whatever the algorithm: an L3+, D3 or E3 puts MH/s there (an L3+ says
   * `GHS 5s: 504.56` for its 504 MH/s rating), an Equihash Z9/Z11/Z15 kSol/s (`141.54` for 135 kSol/s).
   */
  toBase: (ths: number) => number;
}

/** Families whose stats are bmminer's (stock Antminer firmware and the firmware built on it). */
const BMMINER_FAMILIES: ReadonlySet<MinerFamily> = new Set(['antminer', 'hiveon', 'asicseer', 'mskminer', 'blissz', 'vnish', 'luxos']);

const QUIRKY: ReadonlySet<Algorithm> = new Set(['scrypt', 'x11', 'ethash', 'equihash']);

/**
 * The algorithm a miner runs, from its model name (and the firmware family for the unit quirk above). Everything that
 * is not a known miner of another algorithm is SHA-256, the default for a bitcoin fleet.
 */
export function detectAlgorithm(model: string | null, family: MinerFamily, rateKeyPrefix: string | null): AlgorithmInfo {
  const alt = findAltModel(model);
  if (!alt) return { algorithm: 'sha256', alt: null, unit: 'H/s', toBase: (ths) => ths * 1e12 };
  let quirk = 1;
  // Only the MH/s and kSol/s generations: a DR5 (Blake256R14) or K7 puts real GH/s behind the same label.
  if (BMMINER_FAMILIES.has(family) && QUIRKY.has(alt.algorithm) && (rateKeyPrefix ?? 'G').toUpperCase() === 'G') {
    quirk = alt.algorithm === 'equihash' ? 1e-6 : 1e-3;
  }
  return { algorithm: alt.algorithm, alt, unit: ALGO_UNIT[alt.algorithm], toBase: (ths) => ths * 1e12 * quirk };
}
