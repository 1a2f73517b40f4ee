import type { AsicModel } from '../models/asic-models.js';
import { board, emptyHardware, type Hardware } from './hardware.js';
import { rows, type MinerReplies } from './replies.js';
import { averageHashrateThs, count, num, shortHashrateThs, str, temp } from './units.js';

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
      temp_c: temp(d['Temperature']),
      chip_temp_c: temp(d['Chip Temp Max']),
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

/** Whatsminer: fans and power are in `summary`; per-board data in `devs`. */
export function parseWhatsminer(replies: MinerReplies, model: AsicModel | null): Hardware {
  const hw = parseDevs(replies, model);
  const summary = rows(replies['summary'], 'SUMMARY')[0] ?? {};
  hw.fansRpm = ['Fan Speed In', 'Fan Speed Out']
    .filter((k) => k in summary)
    .map((k) => ((rpm) => (rpm === null || rpm < 0 ? null : rpm))(num(summary[k])));
  hw.minerPowerW = num(summary['Power']) ?? num(summary['Power_RT']);
  const factoryGhs = num(summary['Factory GHS']);
  hw.ratedThs = factoryGhs !== null && factoryGhs > 0 ? factoryGhs / 1000 : null;
  // btminer's real-time hashrate `HS RT` is in MH/s (it equals `MHS 5m` in recordings).
  const realtime = num(summary['HS RT']);
  if (realtime !== null && realtime >= 0) hw.hashrate5sThs = realtime / 1e6;
  hw.statusText = str(summary['Power Mode']) ? `power mode ${str(summary['Power Mode'])}` : null;
  for (const [key, value] of Object.entries(summary)) {
    if (/^Error Code \d+$/.test(key)) hw.errors.push(`error code ${String(value)}`);
  }
  return hw;
}
