import type { AsicModel } from '../models/asic-models.js';
import { board, emptyHardware, sum, type Hardware } from './hardware.js';
import { firstRow, rows, type MinerReplies } from './replies.js';
import { averageHashrateThs, count, maxOfDashList, shortHashrateThs, num, round, str, temp, unitToThs, type Record_ } from './units.js';

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
  const chains = chainIndices(stats, model);
  hw.boards = chains.map((n, i) =>
    board(i, {
      hashrate_ths: rate(stats[`chain_rate${n}`], rateFactor, stats[`chain_acn${n}`]),
      temp_c: temp(stats[`temp${n}`]) ?? maxOfDashList(stats[`temp_pcb${n}`]),
      chip_temp_c: temp(stats[`temp2_${n}`]) ?? maxOfDashList(stats[`temp_chip${n}`]),
      chips: count(stats[`chain_acn${n}`]),
      expected_chips: model?.chips_per_board ?? null,
    }),
  );
  hw.fansRpm = fans(stats);
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
 * Which chains exist. Firmware lists unused connectors too (chain_rate4 "", chain_acn4 0, up to 16 on some), so a
 * chain counts when it has chips or hashrate, when it is within `miner_count`, or within the model's board count —
 * the last keeps a dead board visible as a board with 0 chips instead of letting it vanish.
 */
function chainIndices(stats: Record_, model: AsicModel | null): number[] {
  let highest = 0;
  for (const key of Object.keys(stats)) {
    const match = /^chain_(rate|acn|state|consumption)(\d+)$/.exec(key);
    if (!match) continue;
    const n = Number(match[2]);
    const value = stats[key];
    const active = match[1] === 'state' ? str(value) !== null : (num(value) ?? 0) > 0;
    if (active) highest = Math.max(highest, n);
  }
  const expected = Math.max(count(stats['miner_count']) ?? 0, model?.boards ?? 0);
  return Array.from({ length: Math.max(highest, expected) }, (_, i) => i + 1);
}

function rate(value: unknown, factor: number, chips: unknown): number | null {
  const n = num(value);
  if (n === null) return count(chips) === 0 ? 0 : null;
  return round(n * factor);
}

/** fan1..fanN, limited to `fan_num` when given (some firmware pads fan5..fan8 with zeros). */
function fans(stats: Record_): (number | null)[] {
  const indices = Object.keys(stats)
    .map((k) => /^fan(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const limit = count(stats['fan_num']);
  const used = limit !== null && limit > 0 ? indices.filter((i) => i <= limit) : indices;
  return used.map((i) => {
    const rpm = num(stats[`fan${i}`]);
    return rpm === null || rpm < 0 ? null : rpm;
  });
}
