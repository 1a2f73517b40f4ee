/**
 * Nameplate figures of common ASIC models (manufacturers' published stock-mode specs). Used by the simulator, and by
 * agents to estimate power when a miner does not report it (provenance 'estimated'), to know how many boards, chips
 * and fans a model has, and to judge whether a reading is plausible for it.
 *
 * SHA-256 models carry their rating in TH/s; miners of other algorithms are in ALT_MODELS with their rating in the
 * algorithm's own unit, so a Litecoin or Zcash miner is never mistaken for a bitcoin one.
 */
export interface AsicModel {
  /** Canonical display name. */
  name: string;
  /** Lower-case names that identify the model in a miner's 'Type' / 'Model' field (matched as whole words). */
  match: string[];
  vendor: 'bitmain' | 'microbt' | 'canaan' | 'other';
  nameplate_ths: number;
  efficiency_jth: number;
  boards: number;
  /** Chips per hash board; null where the published figure varies between board revisions. */
  chips_per_board: number | null;
  fans: number;
  /** Whether stock firmware reports its own power draw. */
  reports_power: boolean;
}

type Row = [name: string, match: string[], vendor: AsicModel['vendor'], ths: number, jth: number, boards: number, chips: number | null, fans: number, reportsPower?: boolean];

const sha = (rows: Row[]): AsicModel[] =>
  rows.map(([name, match, vendor, ths, jth, boards, chips, fans, reportsPower = false]) => ({
    name,
    match,
    vendor,
    nameplate_ths: ths,
    efficiency_jth: jth,
    boards,
    chips_per_board: chips,
    fans,
    reports_power: reportsPower,
  }));

// Matching is by whole word (see findAsicModel), so 's9' never matches 'S9k' and 's19j pro' never 'S19j Pro+'.
export const ASIC_MODELS: readonly AsicModel[] = sha([
  // Bitmain, S9 generation (BM1387): 63 chips per board, 2 fans; chains sit on connectors 6-8 in bmminer stats.
  ['Antminer S9', ['s9'], 'bitmain', 13.5, 98, 3, 63, 2],
  ['Antminer S9i', ['s9i'], 'bitmain', 14, 98, 3, 63, 2],
  ['Antminer S9j', ['s9j'], 'bitmain', 14.5, 98, 3, 63, 2],
  ['Antminer S9 Hydro', ['s9 hydro'], 'bitmain', 18, 96, 4, 63, 0],
  ['Antminer S9 SE', ['s9 se', 's9se'], 'bitmain', 16, 80, 3, 60, 2],
  ['Antminer S9k', ['s9k'], 'bitmain', 14, 94.5, 3, 60, 2],
  ['Antminer T9', ['t9'], 'bitmain', 12.5, 126, 3, 57, 2],
  ['Antminer T9+', ['t9+'], 'bitmain', 10.5, 136, 3, 54, 2],
  ['Antminer S11', ['s11'], 'bitmain', 20.5, 75, 3, 76, 2],
  ['Antminer S15', ['s15'], 'bitmain', 28, 57, 4, null, 2],
  ['Antminer T15', ['t15'], 'bitmain', 23, 67, 3, 60, 2],
  ['Antminer S17', ['s17'], 'bitmain', 56, 45, 3, 48, 4],
  ['Antminer S17 Pro', ['s17 pro', 's17pro'], 'bitmain', 53, 39.5, 3, 48, 4],
  ['Antminer S17+', ['s17+'], 'bitmain', 73, 40, 3, 65, 4],
  ['Antminer S17e', ['s17e'], 'bitmain', 64, 45, 3, 135, 4],
  ['Antminer T17', ['t17'], 'bitmain', 40, 55, 3, 30, 4],
  ['Antminer T17+', ['t17+'], 'bitmain', 64, 50, 3, 44, 4],
  ['Antminer T17e', ['t17e'], 'bitmain', 53, 55, 3, 78, 4],
  ['Antminer S19', ['s19'], 'bitmain', 95, 34.5, 3, 76, 4],
  // Bitmain's 88-chip S19 hash boards (BM1398, seen on MSKminer firmware as "S19-88"): same 95 TH/s rating as the S19.
  ['Antminer S19 (88-chip)', ['s19-88', 's19 88'], 'bitmain', 95, 34.5, 3, 88, 4],
  ['Antminer S19 Pro', ['s19 pro', 's19pro'], 'bitmain', 110, 29.5, 3, 114, 4],
  ['Antminer S19j', ['s19j'], 'bitmain', 90, 34.5, 3, null, 4],
  ['Antminer S19j Pro', ['s19j pro', 's19jpro'], 'bitmain', 104, 29.5, 3, 126, 4],
  ['Antminer S19j Pro+', ['s19j pro+', 's19jpro+'], 'bitmain', 120, 27.5, 3, 120, 4],
  ['Antminer S19k Pro', ['s19k pro', 's19kpro'], 'bitmain', 120, 23, 3, 77, 4],
  ['Antminer S19 XP', ['s19 xp', 's19xp'], 'bitmain', 140, 21.5, 3, 110, 4],
  ['Antminer S19 XP Hyd', ['s19 xp hyd', 's19 xp hydro'], 'bitmain', 255, 20.8, 3, 110, 0, true],
  ['Antminer S19 Hydro', ['s19 hydro', 's19 hyd'], 'bitmain', 158, 34.5, 4, null, 0],
  ['Antminer S19a', ['s19a'], 'bitmain', 96, 34.5, 3, 72, 4],
  ['Antminer S19a Pro', ['s19a pro'], 'bitmain', 110, 29.5, 3, 114, 4],
  ['Antminer T19', ['t19'], 'bitmain', 84, 37.5, 3, 76, 4],
  ['Antminer S21', ['s21'], 'bitmain', 200, 17.5, 3, 108, 4, true],
  ['Antminer S21+', ['s21+'], 'bitmain', 216, 16.5, 3, null, 4, true],
  ['Antminer S21 Pro', ['s21 pro', 's21pro'], 'bitmain', 234, 15, 3, 65, 4, true],
  ['Antminer S21 XP', ['s21 xp', 's21xp'], 'bitmain', 270, 13.5, 3, 91, 4, true],
  ['Antminer S21 Hyd', ['s21 hyd', 's21 hydro'], 'bitmain', 335, 16, 3, null, 0, true],
  ['Antminer S21 XP Hyd', ['s21 xp hyd', 's21 xp hydro'], 'bitmain', 473, 12, 3, null, 0, true],
  ['Antminer T21', ['t21'], 'bitmain', 190, 19, 3, 108, 4, true],
  // MicroBT: 3 boards, 2 fans (intake and exhaust); the Whatsminer API reports power.
  ['Whatsminer M3', ['m3'], 'microbt', 12, 175, 3, null, 2, true],
  ['Whatsminer M20S', ['m20s'], 'microbt', 68, 48, 3, null, 2, true],
  ['Whatsminer M21S', ['m21s'], 'microbt', 56, 60, 3, null, 2, true],
  ['Whatsminer M30S', ['m30s'], 'microbt', 86, 38, 3, null, 2, true],
  ['Whatsminer M30S+', ['m30s+'], 'microbt', 100, 34, 3, null, 2, true],
  ['Whatsminer M30S++', ['m30s++'], 'microbt', 112, 31, 3, 148, 2, true],
  ['Whatsminer M31S', ['m31s'], 'microbt', 74, 46, 3, null, 2, true],
  ['Whatsminer M31S+', ['m31s+'], 'microbt', 82, 42, 3, null, 2, true],
  ['Whatsminer M50', ['m50'], 'microbt', 118, 28, 3, 105, 2, true],
  ['Whatsminer M50S', ['m50s'], 'microbt', 126, 26, 3, null, 2, true],
  ['Whatsminer M53', ['m53'], 'microbt', 226, 29, 4, null, 0, true],
  ['Whatsminer M56', ['m56'], 'microbt', 212, 26, 4, null, 0, true],
  ['Whatsminer M60', ['m60'], 'microbt', 172, 19.9, 3, 111, 2, true],
  ['Whatsminer M60S', ['m60s'], 'microbt', 186, 18.5, 3, null, 2, true],
  ['Whatsminer M63', ['m63'], 'microbt', 334, 18.5, 4, null, 0, true],
  ['Whatsminer M66', ['m66'], 'microbt', 280, 19.9, 4, null, 0, true],
  // Canaan: the 7xx-9xx units hang off an AUC controller; each unit ("MM") has 4 small boards and one fan.
  ['Avalon 721', ['721'], 'canaan', 6, 150, 4, 22, 1, true],
  ['Avalon 741', ['741'], 'canaan', 7.3, 158, 4, 22, 1, true],
  ['Avalon 761', ['761'], 'canaan', 8.8, 146, 4, null, 1, true],
  ['Avalon 821', ['821'], 'canaan', 11, 109, 4, 26, 1, true],
  ['Avalon 841', ['841'], 'canaan', 13.6, 96, 4, 26, 1, true],
  ['Avalon 851', ['851'], 'canaan', 14.5, 100, 4, 26, 1, true],
  ['Avalon 921', ['921'], 'canaan', 20, 85, 4, 26, 1, true],
  ['Avalon 1026', ['1026'], 'canaan', 30, 88, 2, null, 2, true],
  ['Avalon 1047', ['1047'], 'canaan', 37, 65, 2, 120, 2, true],
  ['Avalon 1066', ['1066'], 'canaan', 50, 65, 3, null, 2, true],
  ['Avalon 1126 Pro', ['1126'], 'canaan', 68, 44, 3, null, 2, true],
  ['Avalon 1166 Pro', ['1166'], 'canaan', 81, 42, 3, null, 2, true],
  ['Avalon 1246', ['1246'], 'canaan', 90, 38, 3, null, 2, true],
  ['Avalon A1346', ['1346'], 'canaan', 110, 30, 3, null, 2, true],
  ['Avalon A1366', ['1366'], 'canaan', 130, 25, 3, null, 2, true],
  ['Avalon A1466', ['1466'], 'canaan', 150, 21.5, 3, 120, 4, true],
  // The model number is the rating (194 TH/s); the recorded unit draws 3.73 kW at ~199 TH/s, ≈ 18.8 J/TH.
  ['Avalon A15-194', ['15-194'], 'canaan', 194, 18.8, 3, 160, 2, true],
  ['Avalon Q', ['avalon q', 'avalonq'], 'canaan', 90, 18.5, 1, 160, 4, true],
]);

/** Hash algorithms an ASIC may run; anything but sha256 is kept out of bitcoin totals. */
export type Algorithm =
  | 'sha256'
  | 'scrypt'
  | 'x11'
  | 'ethash'
  | 'equihash'
  | 'blake2s'
  | 'blake2b-sha3'
  | 'kheavyhash'
  | 'eaglesong'
  | 'blake256r14'
  | 'blake3';

/** Unit of a non-SHA-256 hashrate: hashes per second, or (Equihash) solutions per second. */
export type AlgoUnit = 'H/s' | 'Sol/s';

export const ALGO_UNIT: Record<Algorithm, AlgoUnit> = {
  sha256: 'H/s',
  scrypt: 'H/s',
  x11: 'H/s',
  ethash: 'H/s',
  equihash: 'Sol/s',
  blake2s: 'H/s',
  'blake2b-sha3': 'H/s',
  kheavyhash: 'H/s',
  eaglesong: 'H/s',
  blake256r14: 'H/s',
  blake3: 'H/s',
};

/** A miner of another algorithm: rating in its own unit (H/s or Sol/s), power in W. */
export interface AltModel {
  name: string;
  match: string[];
  algorithm: Exclude<Algorithm, 'sha256'>;
  nameplate: number;
  power_w: number;
  boards: number;
  chips_per_board: number | null;
  fans: number;
}

const M = 1e6;
const G = 1e9;
const T = 1e12;
const K = 1e3;

export const ALT_MODELS: readonly AltModel[] = [
  { name: 'Antminer L3+', match: ['l3+', 'l3'], algorithm: 'scrypt', nameplate: 504 * M, power_w: 800, boards: 4, chips_per_board: 72, fans: 2 },
  { name: 'Antminer L3++', match: ['l3++'], algorithm: 'scrypt', nameplate: 580 * M, power_w: 942, boards: 4, chips_per_board: 72, fans: 2 },
  { name: 'Antminer L7', match: ['l7'], algorithm: 'scrypt', nameplate: 9.5 * G, power_w: 3425, boards: 4, chips_per_board: null, fans: 4 },
  { name: 'Antminer L9', match: ['l9'], algorithm: 'scrypt', nameplate: 16 * G, power_w: 3360, boards: 3, chips_per_board: null, fans: 4 },
  { name: 'Hammer D10', match: ['hammer d10', 'd10'], algorithm: 'scrypt', nameplate: 5 * G, power_w: 3250, boards: 3, chips_per_board: null, fans: 4 },
  { name: 'Elphapex DG1+', match: ['dg1+'], algorithm: 'scrypt', nameplate: 14 * G, power_w: 3950, boards: 4, chips_per_board: null, fans: 4 },
  { name: 'Antminer D3', match: ['d3'], algorithm: 'x11', nameplate: 19.3 * G, power_w: 1350, boards: 3, chips_per_board: 60, fans: 2 },
  { name: 'Antminer D7', match: ['d7'], algorithm: 'x11', nameplate: 1286 * G, power_w: 3148, boards: 4, chips_per_board: null, fans: 4 },
  { name: 'Antminer D9', match: ['d9'], algorithm: 'x11', nameplate: 1770 * G, power_w: 2839, boards: 3, chips_per_board: null, fans: 4 },
  { name: 'Antminer E3', match: ['e3'], algorithm: 'ethash', nameplate: 190 * M, power_w: 760, boards: 3, chips_per_board: null, fans: 2 },
  { name: 'Antminer E9', match: ['e9', 'e9 pro'], algorithm: 'ethash', nameplate: 2.4 * G, power_w: 1920, boards: 3, chips_per_board: null, fans: 4 },
  { name: 'Innosilicon A10 ETHMaster', match: ['a10', 'ethmaster'], algorithm: 'ethash', nameplate: 485 * M, power_w: 850, boards: 3, chips_per_board: null, fans: 2 },
  { name: 'Antminer Z9', match: ['z9'], algorithm: 'equihash', nameplate: 42 * K, power_w: 1150, boards: 3, chips_per_board: null, fans: 2 },
  { name: 'Antminer Z9 Mini', match: ['z9 mini', 'z9-mini'], algorithm: 'equihash', nameplate: 10 * K, power_w: 300, boards: 3, chips_per_board: 4, fans: 1 },
  { name: 'Antminer Z11', match: ['z11'], algorithm: 'equihash', nameplate: 135 * K, power_w: 1418, boards: 3, chips_per_board: 3, fans: 2 },
  { name: 'Antminer Z15', match: ['z15'], algorithm: 'equihash', nameplate: 420 * K, power_w: 1510, boards: 3, chips_per_board: null, fans: 2 },
  { name: 'Innosilicon A9 ZMaster', match: ['a9', 'zmaster'], algorithm: 'equihash', nameplate: 50 * K, power_w: 620, boards: 3, chips_per_board: null, fans: 2 },
  { name: 'Antminer KA3', match: ['ka3'], algorithm: 'blake2s', nameplate: 166 * T, power_w: 3154, boards: 3, chips_per_board: null, fans: 4 },
  { name: 'Antminer HS3', match: ['hs3'], algorithm: 'blake2b-sha3', nameplate: 9 * T, power_w: 2079, boards: 3, chips_per_board: null, fans: 4 },
  { name: 'Antminer KS3', match: ['ks3'], algorithm: 'kheavyhash', nameplate: 9.4 * T, power_w: 3500, boards: 3, chips_per_board: null, fans: 4 },
  { name: 'Antminer KS5', match: ['ks5'], algorithm: 'kheavyhash', nameplate: 20 * T, power_w: 3000, boards: 3, chips_per_board: null, fans: 4 },
  { name: 'Antminer K7', match: ['k7'], algorithm: 'eaglesong', nameplate: 58 * T, power_w: 3080, boards: 3, chips_per_board: null, fans: 4 },
  { name: 'Antminer DR5', match: ['dr5'], algorithm: 'blake256r14', nameplate: 35 * T, power_w: 1610, boards: 3, chips_per_board: null, fans: 2 },
  { name: 'Antminer AL1', match: ['al1'], algorithm: 'blake3', nameplate: 15.6 * T, power_w: 3510, boards: 3, chips_per_board: null, fans: 4 },
];

/**
 * Normalises a miner's type string for matching: lower case, vendor words kept, punctuation that firmware varies
 * on (`_`, `()`) turned into spaces, and Whatsminer's chip-bin suffix cut (`M60S_VK40`, `M30S++VE40` → `m60s`,
 * `m30s++`).
 */
function normalise(type: string): string {
  return ` ${type.toLowerCase().replace(/[_()]/g, ' ').replace(/\s+/g, ' ')} `.replace(
    /(\sm\d{1,2}[a-z]?\+{0,2}) ?v[a-z]\d{2}(?![a-z0-9])/g,
    '$1',
  );
}

/** Whether `name` occurs in `needle` as a whole word: not inside a longer name (`s9` in `s9k`, `s19j pro` in `s19j pro+`). */
function containsWord(needle: string, name: string): boolean {
  let from = needle.indexOf(name);
  while (from >= 0) {
    const before = needle[from - 1] ?? ' ';
    const after = needle[from + name.length] ?? ' ';
    if (!/[a-z0-9+-]/.test(before) && !/[a-z0-9+]/.test(after)) return true;
    from = needle.indexOf(name, from + 1);
  }
  return false;
}

/** The entry whose name matches most specifically (the longest matching name wins). */
function best<T extends { match: string[] }>(table: readonly T[], type: string | null | undefined): T | null {
  if (!type) return null;
  const needle = normalise(type);
  let found: { entry: T; length: number } | null = null;
  for (const entry of table) {
    for (const m of entry.match) {
      // A bare model number ("741", "1246") names an Avalon only where the type says Avalon.
      if (/^\d/.test(m) && !needle.includes('avalon')) continue;
      if (containsWord(needle, m) && (!found || m.length > found.length)) found = { entry, length: m.length };
    }
  }
  return found?.entry ?? null;
}

/** Finds a SHA-256 model from a miner's free-form type string ("Antminer S19j Pro+", "M30S++VE40", "AvalonMiner 1246"). */
export function findAsicModel(type: string | null | undefined): AsicModel | null {
  return best(ASIC_MODELS, type);
}

/** Finds a miner of another algorithm (scrypt, X11, Ethash, Equihash, …) from its type string. */
export function findAltModel(type: string | null | undefined): AltModel | null {
  return best(ALT_MODELS, type);
}

export function modelByName(name: string): AsicModel {
  const model = ASIC_MODELS.find((m) => m.name === name);
  if (!model) throw new Error(`unknown ASIC model ${name}`);
  return model;
}
