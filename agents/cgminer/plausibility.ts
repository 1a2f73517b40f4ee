import type { Board } from '../../server/contract/index.js';
import { round } from './units.js';

/**
 * Plausibility guards: a figure a miner reports that cannot be a measurement (a sensor's error code, a field that is
 * not in the unit its name says, a garbled counter) becomes null with a line in the sample's `errors`, so it is never
 * published as a labelled measurement. Limits are generous: they catch what cannot be, not what is unusual.
 */
export const TEMP_RANGE_C = { min: -40, max: 150 } as const;
/** Fans on ASICs spin to about 7,000 rpm, small PSU and hydro-pump fans to ~15,000; beyond 30,000 is not a fan. */
export const MAX_FAN_RPM = 30_000;
/** A miner at more than this many times its nameplate hashrate is misreporting (overclocking gains tens of %). */
export const MAX_OVER_NAMEPLATE = 3;
/** Without a known model: no single SHA-256 unit sold reaches 2.5 PH/s (the largest hydro units are near 1.2). */
export const MAX_UNKNOWN_THS = 2_500;
/** Without a known model, SHA-256 efficiency lies between the best chips (~9 J/TH) and the oldest still run (~250). */
export const JTH_RANGE_UNKNOWN = { min: 5, max: 500 } as const;
/** No single ASIC draws more than this (the largest hydro units are near 12 kW). */
export const MAX_UNIT_W = 20_000;

export interface Reading {
  /** Rates in the unit `nameplate` is in (TH/s for SHA-256, H/s or Sol/s otherwise). */
  rate5s: number | null;
  rateAvg: number | null;
  boards: Board[];
  fansRpm: (number | null)[];
  minerPowerW: number | null;
}

export interface GuardContext {
  /** The model's display name for messages, null when unknown. */
  modelName: string | null;
  /** Rating in the rates' unit, null when the model is unknown. */
  nameplate: number | null;
  boards: number | null;
  /** The rates' unit, for messages ("TH/s", "H/s", "Sol/s"). */
  unit: string;
  /** Ceiling for a unit's rate when the model is unknown. */
  maxRate: number;
  /** Plausible efficiency range in W per rate unit, or null to skip that check (other algorithms). */
  efficiency: { min: number; max: number } | null;
  /** Which board field holds the rate: SHA-256 boards carry TH/s, the others `algo_hashrate`. */
  boardRate: 'hashrate_ths' | 'algo_hashrate';
}

/** Checks a reading and returns it with implausible figures nulled, plus one error line per figure dropped. */
export function guardReading(input: Reading, ctx: GuardContext): { reading: Reading; errors: string[] } {
  const errors: string[] = [];
  const reading: Reading = { ...input, boards: input.boards.map((b) => ({ ...b })), fansRpm: [...input.fansRpm] };
  const ceiling = ctx.nameplate !== null && ctx.nameplate > 0 ? ctx.nameplate * MAX_OVER_NAMEPLATE : ctx.maxRate;
  const what = ctx.modelName
    ? `${/^[aeiou]/i.test(ctx.modelName) ? 'an' : 'a'} ${ctx.modelName} (nameplate ${fmt(ctx.nameplate)} ${ctx.unit})`
    : 'one miner';
  const rateOk = (label: string, value: number | null, limit: number): number | null => {
    if (value === null) return null;
    if (value >= 0 && value <= limit) return value;
    errors.push(`${label} ${fmt(value)} ${ctx.unit} is implausible for ${what}: dropped`);
    return null;
  };
  reading.rate5s = rateOk('hashrate', reading.rate5s, ceiling);
  reading.rateAvg = rateOk('average hashrate', reading.rateAvg, ceiling);
  // One garbled counter (683 TH/s "average" on a 12 TH/s S9) shows as an average far above the current rate.
  if (reading.rate5s !== null && reading.rate5s > 0 && reading.rateAvg !== null && reading.rateAvg > reading.rate5s * 10) {
    errors.push(`average hashrate ${fmt(reading.rateAvg)} ${ctx.unit} is implausible beside ${fmt(reading.rate5s)} ${ctx.unit} now: dropped`);
    reading.rateAvg = null;
  }
  const boardCeiling = ctx.nameplate !== null && ctx.boards ? (ctx.nameplate / ctx.boards) * MAX_OVER_NAMEPLATE : ceiling;
  for (const b of reading.boards) {
    const value = b[ctx.boardRate] ?? null;
    if (value !== null) b[ctx.boardRate] = rateOk(`board ${b.index} hashrate`, value, boardCeiling);
    b.temp_c = tempOk(`board ${b.index} temperature`, b.temp_c, errors);
    b.chip_temp_c = tempOk(`board ${b.index} chip temperature`, b.chip_temp_c, errors);
  }
  reading.fansRpm = reading.fansRpm.map((rpm, i) => {
    if (rpm === null || (rpm >= 0 && rpm <= MAX_FAN_RPM)) return rpm;
    errors.push(`fan ${i} speed ${fmt(rpm)} rpm is outside 0…${MAX_FAN_RPM} rpm: dropped`);
    return null;
  });
  reading.minerPowerW = powerOk(reading, ctx, errors);
  return { reading, errors };
}

function tempOk(label: string, value: number | null, errors: string[]): number | null {
  if (value === null || (value >= TEMP_RANGE_C.min && value <= TEMP_RANGE_C.max)) return value;
  errors.push(`${label} ${fmt(value)} °C is outside ${TEMP_RANGE_C.min}…${TEMP_RANGE_C.max} °C: dropped`);
  return null;
}

/**
 * Power the miner reports, checked against what it hashes: W per TH/s within the model's efficiency ×0.4…×4 (or
 * 5…500 J/TH for an unknown model). Firmware that fills a power field with something else is caught here: a Hiveon S9
 * reports `chain_power` 11.55 per board, 34.65 "W" for 11.8 TH/s, which would be 2.9 J/TH.
 */
function powerOk(reading: Reading, ctx: GuardContext, errors: string[]): number | null {
  const watts = reading.minerPowerW;
  if (watts === null) return null;
  if (watts < 0 || watts > MAX_UNIT_W) {
    errors.push(`power ${fmt(watts)} W from the miner is outside 0…${MAX_UNIT_W} W: dropped`);
    return null;
  }
  const rate = reading.rate5s ?? reading.rateAvg;
  if (!ctx.efficiency || rate === null || rate <= 0) return watts;
  const perUnit = watts / rate;
  // A miner ramping up draws power before its hashrate shows: only too little power is judged below 20 % of rating.
  const rampingUp = ctx.nameplate !== null && rate < ctx.nameplate * 0.2;
  if (perUnit >= ctx.efficiency.min && (rampingUp || perUnit <= ctx.efficiency.max)) return watts;
  errors.push(
    `power ${fmt(watts)} W from the miner is implausible for ${fmt(rate)} ${ctx.unit} (${fmt(perUnit)} W per ${ctx.unit}, ` +
      `expected ${fmt(ctx.efficiency.min)}…${fmt(ctx.efficiency.max)}): dropped`,
  );
  return null;
}

function fmt(value: number | null): string {
  if (value === null) return '-';
  const abs = Math.abs(value);
  return String(abs >= 100 ? round(value, 1) : abs >= 1 ? round(value, 2) : round(value, 6));
}
