/**
 * Nameplate figures of common SHA-256 ASIC models (manufacturers' published stock-mode specs). Used by the
 * simulator and by agents to estimate power when a miner does not report it (provenance 'estimated').
 */
export interface AsicModel {
  /** Canonical display name. */
  name: string;
  /** Lower-case fragments that identify the model in a miner's 'Type' / 'Model' field. */
  match: string[];
  vendor: 'bitmain' | 'microbt' | 'canaan' | 'other';
  nameplate_ths: number;
  efficiency_jth: number;
  boards: number;
  chips_per_board: number;
  fans: number;
  /** Whether stock firmware reports its own power draw. */
  reports_power: boolean;
}

export const ASIC_MODELS: readonly AsicModel[] = [
  { name: 'Antminer S19j Pro', match: ['s19j pro', 's19jpro'], vendor: 'bitmain', nameplate_ths: 104, efficiency_jth: 29.5, boards: 3, chips_per_board: 126, fans: 4, reports_power: false },
  { name: 'Antminer S19 Pro', match: ['s19 pro', 's19pro'], vendor: 'bitmain', nameplate_ths: 110, efficiency_jth: 29.5, boards: 3, chips_per_board: 114, fans: 4, reports_power: false },
  { name: 'Antminer S19k Pro', match: ['s19k pro', 's19kpro'], vendor: 'bitmain', nameplate_ths: 120, efficiency_jth: 23, boards: 3, chips_per_board: 77, fans: 4, reports_power: false },
  { name: 'Antminer S19 XP', match: ['s19 xp', 's19xp'], vendor: 'bitmain', nameplate_ths: 140, efficiency_jth: 21.5, boards: 3, chips_per_board: 110, fans: 4, reports_power: false },
  // Bitmain's 88-chip S19 hash boards (BM1398, seen on MSKminer firmware as "S19-88"): same 95 TH/s rating as the S19.
  { name: 'Antminer S19 (88-chip)', match: ['s19-88', 's19 88'], vendor: 'bitmain', nameplate_ths: 95, efficiency_jth: 34.5, boards: 3, chips_per_board: 88, fans: 4, reports_power: false },
  { name: 'Antminer S19', match: ['s19'], vendor: 'bitmain', nameplate_ths: 95, efficiency_jth: 34.5, boards: 3, chips_per_board: 76, fans: 4, reports_power: false },
  { name: 'Antminer S21 XP', match: ['s21 xp', 's21xp'], vendor: 'bitmain', nameplate_ths: 270, efficiency_jth: 13.5, boards: 3, chips_per_board: 91, fans: 4, reports_power: true },
  { name: 'Antminer S21 Pro', match: ['s21 pro', 's21pro'], vendor: 'bitmain', nameplate_ths: 234, efficiency_jth: 15, boards: 3, chips_per_board: 65, fans: 4, reports_power: true },
  { name: 'Antminer S21', match: ['s21'], vendor: 'bitmain', nameplate_ths: 200, efficiency_jth: 17.5, boards: 3, chips_per_board: 108, fans: 4, reports_power: true },
  { name: 'Antminer S9', match: ['s9'], vendor: 'bitmain', nameplate_ths: 13.5, efficiency_jth: 98, boards: 3, chips_per_board: 63, fans: 2, reports_power: false },
  { name: 'Whatsminer M60', match: ['m60'], vendor: 'microbt', nameplate_ths: 172, efficiency_jth: 19.9, boards: 3, chips_per_board: 111, fans: 2, reports_power: true },
  { name: 'Whatsminer M50', match: ['m50'], vendor: 'microbt', nameplate_ths: 118, efficiency_jth: 28, boards: 3, chips_per_board: 105, fans: 2, reports_power: true },
  { name: 'Whatsminer M30S++', match: ['m30s++'], vendor: 'microbt', nameplate_ths: 112, efficiency_jth: 31, boards: 3, chips_per_board: 148, fans: 2, reports_power: true },
  { name: 'Avalon A1466', match: ['1466'], vendor: 'canaan', nameplate_ths: 150, efficiency_jth: 21.5, boards: 3, chips_per_board: 120, fans: 4, reports_power: true },
  // The model number is the rating (194 TH/s); the recorded unit draws 3.73 kW at ~199 TH/s, ≈ 18.8 J/TH.
  { name: 'Avalon A15-194', match: ['15-194'], vendor: 'canaan', nameplate_ths: 194, efficiency_jth: 18.8, boards: 3, chips_per_board: 160, fans: 2, reports_power: true },
  { name: 'Avalon Q', match: ['avalon q', 'avalonq'], vendor: 'canaan', nameplate_ths: 90, efficiency_jth: 18.5, boards: 1, chips_per_board: 160, fans: 4, reports_power: true },
];

/** Finds a model from a miner's free-form type string; the most specific match wins (table order). */
export function findAsicModel(type: string | null | undefined): AsicModel | null {
  if (!type) return null;
  const needle = type.toLowerCase().replace(/[_()]/g, ' ').replace(/\s+/g, ' ');
  return ASIC_MODELS.find((model) => model.match.some((m) => needle.includes(m))) ?? null;
}

export function modelByName(name: string): AsicModel {
  const model = ASIC_MODELS.find((m) => m.name === name);
  if (!model) throw new Error(`unknown ASIC model ${name}`);
  return model;
}
