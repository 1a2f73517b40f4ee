import type { AsicModel } from '../models/asic-models.js';
import { board, emptyHardware, type Hardware } from './hardware.js';
import { rows, type MinerReplies } from './replies.js';
import { averageHashrateThs, count, num, shortHashrateThs, str } from './units.js';

/**
 * Boards from `devs` (one record per ASC/PGA device): generic cgminer, BFGMiner, Braiins OS (one device per hash
 * chain) and Whatsminer (btminer adds `Chip Temp Max`, `Effective Chips`, `Fan Speed In/Out`, `Power` in summary).
 */
export function parseDevs(replies: MinerReplies, model: AsicModel | null): Hardware {
  const hw = emptyHardware();
  const devs = rows(replies['devs'], 'DEVS');
  hw.boards = devs.map((d, i) =>
    board(i, {
      hashrate_ths: shortHashrateThs(d) ?? averageHashrateThs(d),
      temp_c: reading(d['Temperature']),
      chip_temp_c: reading(d['Chip Temp Max']),
      chips: count(d['Effective Chips']),
      expected_chips: model?.chips_per_board ?? null,
    }),
  );
  for (const d of devs) {
    const status = str(d['Status']);
    const name = str(d['Name']) ?? 'device';
    if (status && !/^alive$/i.test(status)) hw.errors.push(`${name} ${count(d['ID']) ?? ''}: ${status}`.trim());
  }
  return hw;
}

/** A temperature field: 0 means "not read" (Braiins OS over cgminer reports 0.0 per device); the rest is checked later. */
function reading(value: unknown): number | null {
  const n = num(value);
  return n === null || n === 0 ? null : n;
}
