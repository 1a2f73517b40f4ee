import type { Board, Pool } from '../../server/contract/index.js';

/** What a family parser reads besides pools: boards, fans, and the figures only some firmware reports. */
export interface Hardware {
  boards: Board[];
  fansRpm: (number | null)[];
  /** Power the miner itself reports, in W (null when it does not). */
  minerPowerW: number | null;
  /** Rated hashrate the miner itself reports (Whatsminer `Factory GHS`, LuxOS `NameplateTHS`), TH/s. */
  ratedThs: number | null;
  /** Hashrates when the family reports them outside `summary` (TH/s). */
  hashrate5sThs: number | null;
  hashrateAvgThs: number | null;
  statusText: string | null;
  errors: string[];
  /** Pools when the family reports them outside the cgminer `pools` reply (Whatsminer API v3). */
  pools?: Pool[];
  /** Uptime when the family reports it outside `summary`/`stats` (Whatsminer API v3). */
  uptimeS?: number | null;
}

export function emptyHardware(): Hardware {
  return {
    boards: [],
    fansRpm: [],
    minerPowerW: null,
    ratedThs: null,
    hashrate5sThs: null,
    hashrateAvgThs: null,
    statusText: null,
    errors: [],
  };
}

export function board(index: number, fields: Partial<Omit<Board, 'index'>>): Board {
  return {
    index,
    hashrate_ths: fields.hashrate_ths ?? null,
    temp_c: fields.temp_c ?? null,
    chip_temp_c: fields.chip_temp_c ?? null,
    chips: fields.chips ?? null,
    expected_chips: fields.expected_chips ?? null,
  };
}

export function sum(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? known.reduce((a, b) => a + b, 0) : null;
}
