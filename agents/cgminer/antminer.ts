import type { AsicModel } from '../models/asic-models.js';
import { board, emptyHardware, sum, type Hardware } from './hardware.js';
import { firstRow, rows, type MinerReplies } from './replies.js';
import { averageHashrateThs, count, maxOfDashList, shortHashrateThs, num, round, str, unitToThs, type Record_ } from './units.js';

/**
 * Boards, fans and temperatures from the bmminer-style `stats` record that stock Antminer firmware, LuxOS, Vnish
 * and other Antminer firmware share: per chain N (1-based) `chain_rateN` (unit in `rate_unit`, GH by default),
 * `chain_acnN` (chips answering), `tempN` / `temp_pcbN` (board), `temp2_N` / `temp_chipN` (chips), `fanN`,
 * and, on Vnish and some others, `chain_consumptionN` / `chain_powerN` / `total_power` in W.
 */
export function parseAntminerStats(replies: MinerReplies, model: AsicModel | null): Hardware {
  const hw = emptyHardware();
  const stats = rows(replies['stats'], 'STATS').find((r) => hasChainKeys(r)) ?? firstRow(replies['stats'], 'STATS');
  if (!stats) return hw;
  const rateFactor = unitToThs(str(stats['rate_unit']) ?? recordUnit(stats) ?? 'GH') ?? 1e-3;
  const groups = boardGroups(stats, chainIndices(stats, model));
  const chains = groups.flat();
  // The per-sensor lists (`temp_chip1: "29-54-30-55"`, S17/T15/S19 generation) hold every chip sensor; the single
  // `temp2_N` beside them is only one of those (a T15's is its coolest, 29 °C), so the list's maximum wins.
  hw.boards = groups.map((group, i) =>
    board(i, {
      hashrate_ths: sum(group.map((n) => rate(stats[`chain_rate${n}`], rateFactor, stats[`chain_acn${n}`]))),
      temp_c: highest(group.map((n) => maxOfDashList(stats[`temp_pcb${n}`]) ?? reading(stats[`temp${n}`]))),
      chip_temp_c: highest(group.map((n) => maxOfDashList(stats[`temp_chip${n}`]) ?? reading(stats[`temp2_${n}`]))),
      chips: sum(group.map((n) => count(stats[`chain_acn${n}`]))),
      expected_chips: model?.chips_per_board ?? null,
    }),
  );
  hw.fansRpm = fans(stats, model?.fans ?? null);
  const chainPower = sum(chains.map((n) => num(stats[`chain_consumption${n}`]) ?? num(stats[`chain_power${n}`])));
  hw.minerPowerW = num(stats['total_power']) ?? chainPower;
  hw.hashrate5sThs = shortHashrateThs(stats);
  hw.hashrateAvgThs = averageHashrateThs(stats);
  hw.statusText = str(stats['state']) ?? str(stats['psu_status']);
  for (const n of chains) {
    const fault = str(stats[`chain_fault${n}`]);
    if (fault) hw.errors.push(`chain ${n}: ${fault}`);
  }
  return hw;
}

/**
 * Without `rate_unit`, chain rates share the unit of the record's own total (`GHS 5s` on Antminer, `MHS 5s` on
 * the scrypt Hammer D10 whose chain_rate values add up to its `MHS 5s`).
 */
function recordUnit(stats: Record_): string | null {
  for (const key of Object.keys(stats)) {
    const match = /^([KMGTP]?)HS (5s|av)$/i.exec(key);
    if (match) return `${match[1] ?? ''}H`;
  }
  return null;
}

function hasChainKeys(record: Record_): boolean {
  return Object.keys(record).some((k) => /^chain_(rate|acn)\d+$/.test(k));
}

/**
 * Which chains exist. Firmware lists every connector slot (chain_acn1..16 on an S9, whose boards sit on 6-8; an E3
 * lists 1-3 and 8-13), most of them empty (rate "", 0 chips). A chain counts when it has chips or hashrate. When
 * fewer are active than the miner has boards (`miner_count`, else the model's count), the empty slots next to the
 * active ones are kept, so a dead board shows as a board with 0 chips instead of vanishing.
 */
function chainIndices(stats: Record_, model: AsicModel | null): number[] {
  const slots = new Set<number>();
  const active = new Set<number>();
  for (const key of Object.keys(stats)) {
    const match = /^chain_(rate|acn|state|consumption)(\d+)$/.exec(key);
    if (!match) continue;
    const n = Number(match[2]);
    slots.add(n);
    const value = stats[key];
    if (match[1] === 'state' ? str(value) !== null : (num(value) ?? 0) > 0) active.add(n);
  }
  const expected = count(stats['miner_count']) || model?.boards || 0;
  const chosen = [...active].sort((a, b) => a - b);
  if (chosen.length >= expected) return chosen;
  const first = chosen[0] ?? Math.min(...slots, 1);
  for (let n = first; chosen.length < expected && n < first + 16; n++) if (!chosen.includes(n)) chosen.push(n);
  // A dead board before the first live one (live 2-3 of 1-3) is found by looking back from it.
  for (let n = first - 1; chosen.length < expected && n >= 1; n--) if (!chosen.includes(n)) chosen.push(n);
  return chosen.sort((a, b) => a - b).slice(0, Math.max(expected, active.size));
}

function rate(value: unknown, factor: number, chips: unknown): number | null {
  const n = num(value);
  if (n === null) return count(chips) === 0 ? 0 : null;
  return round(n * factor);
}

/**
 * Chains per board. One chain is one board, except on miners whose boards carry several chains: an E3 lists 9
 * chains for its 3 boards (`miner_count`), in board order (1, 8, 9 | 2, 10, 11 | 3, 12, 13), so the chains are
 * grouped in the order the record lists them.
 */
function boardGroups(stats: Record_, chains: number[]): number[][] {
  const boards = count(stats['miner_count']) ?? 0;
  if (boards === 0 || chains.length <= boards || chains.length % boards !== 0) return chains.map((n) => [n]);
  const listed = Object.keys(stats)
    .map((k) => /^chain_acn(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((n) => chains.includes(n));
  if (listed.length !== chains.length) return chains.map((n) => [n]);
  const per = chains.length / boards;
  return Array.from({ length: boards }, (_, b) => listed.slice(b * per, b * per + per));
}

function highest(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? Math.max(...known) : null;
}

/**
 * Fans from `fan1..fanN`. Which slots hold the fans depends on the controller board: an S19 uses fan1-4, an S9 or
 * E3 fan5/fan6 (fan1-4 read 0), an S9 on some firmware fan3/fan6, and slots without a fan read 0. So the fans are
 * the slots that turn, in slot order, padded with 0 (a stopped fan) up to the fan count the miner says it has
 * (`fan_num`), else the model's; with neither, the listed slots as they are.
 */
export function fans(stats: Record_, modelFans: number | null): (number | null)[] {
  const indices = Object.keys(stats)
    .map((k) => /^fan(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const readings = indices.map((i) => num(stats[`fan${i}`]));
  const fanNum = count(stats['fan_num']);
  // `fan_num: 0` with no slot turning: the firmware sees no fans at all (immersion, hydro, fans unplugged while
  // asleep); it cannot tell a stopped fan from a missing one, so none are reported.
  if (fanNum === 0 && readings.every((rpm) => !rpm)) return [];
  return fansFromSlots(readings, fanNum || modelFans || 0);
}

/** Whether a stats record carries bmminer's per-chain keys (`chain_rateN`, `chain_acnN`). */
export function hasChainStats(replies: MinerReplies): boolean {
  return rows(replies['stats'], 'STATS').some((r) => hasChainKeys(r));
}

/** The slots that turn, padded with 0 (stopped) up to `expected` fans; all slots as they are when expected is 0. */
export function fansFromSlots(readings: (number | null)[], expected: number): (number | null)[] {
  const turning = readings.filter((rpm): rpm is number => rpm !== null && rpm !== 0);
  if (expected === 0) return turning.length > 0 ? turning : readings;
  const out: (number | null)[] = [...turning];
  while (out.length < expected) out.push(0);
  return out;
}

/** A single temperature field: 0 is "not read" on bmminer, anything else is passed on for the plausibility check. */
function reading(value: unknown): number | null {
  const n = num(value);
  return n === null || n === 0 ? null : n;
}
