import type { PowerSource } from '../../server/contract/index.js';
import type { AsicModel } from '../models/asic-models.js';
import { round } from './units.js';

export interface PowerFigure {
  power_w: number | null;
  power_source: PowerSource | null;
}

/**
 * Decides the power figure and its provenance, most trustworthy first:
 * 1. an external meter the agent was given ('measured'),
 * 2. what the miner reports about itself ('miner': Whatsminer `Power`, LuxOS `power`, Avalon `WALLPOWER`,
 *    Vnish `chain_consumptionN`, Braiins' approximation),
 * 3. hashrate × the model's nameplate efficiency in J/TH ('estimated'),
 * 4. the model's nameplate power when there is no hashrate to scale by ('nameplate'),
 * 5. null when the model is unknown: no number is better than a made-up one.
 * A miner that hashes nothing (0 TH/s) gets no estimate: its draw is unknown, not 0.
 */
export function decidePower(input: {
  measuredW?: number | null;
  minerW: number | null;
  hashrateThs: number | null;
  model: AsicModel | null;
}): PowerFigure {
  if (input.measuredW !== undefined && input.measuredW !== null && input.measuredW >= 0) {
    return { power_w: input.measuredW, power_source: 'measured' };
  }
  if (input.minerW !== null && input.minerW >= 0) return { power_w: input.minerW, power_source: 'miner' };
  if (!input.model) return { power_w: null, power_source: null };
  if (input.hashrateThs !== null) {
    if (input.hashrateThs <= 0) return { power_w: null, power_source: null };
    return { power_w: round(input.hashrateThs * input.model.efficiency_jth, 1), power_source: 'estimated' };
  }
  return {
    power_w: round(input.model.nameplate_ths * input.model.efficiency_jth, 1),
    power_source: 'nameplate',
  };
}
