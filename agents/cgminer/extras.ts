import type { AsicModel } from '../models/asic-models.js';
import { fansFromSlots } from './antminer.js';
import type { Hardware } from './hardware.js';
import { board } from './hardware.js';
import { firstRow, rows, type MinerReplies } from './replies.js';
import { count, num, temp, type Record_ } from './units.js';

/**
 * Commands LuxOS and Braiins OS add to the cgminer API, applied on top of what `stats`/`devs` gave:
 * - `fans`: FANS [{ ID, RPM, Speed }] (both),
 * - `temps`: TEMPS per board; Braiins: { ID, Board, Chip }; LuxOS: four corner sensors
 *   { TopLeft, TopRight, BottomLeft, BottomRight } (exhaust left, intake right per its METADATA),
 * - `power`: LuxOS POWER [{ Watts }]; `tunerstatus`: Braiins TUNERSTATUS [{ ApproximateMinerPowerConsumption }],
 * - `config`: LuxOS CONFIG [{ NameplateTHS }]; `devdetails`: Braiins DEVDETAILS [{ Chips }].
 */
export function applyExtras(hw: Hardware, replies: MinerReplies, model: AsicModel | null): Hardware {
  const fanRows = rows(replies['fans'], 'FANS');
  if (fanRows.length > 0) {
    const readings = [...fanRows].sort((a, b) => (num(a['ID']) ?? 0) - (num(b['ID']) ?? 0)).map((f) => num(f['RPM']));
    // Braiins OS lists four fan slots on a two-fan S9: slots beyond the model's fans that read 0 are not fans.
    hw.fansRpm = model && readings.length > model.fans ? fansFromSlots(readings, model.fans) : readings;
  }
  // Matched by position: TEMPS lists boards in the same order as devs/stats, while its IDs are the firmware's
  // chain numbers (Braiins OS on an S9 says 6, 7, 8).
  rows(replies['temps'], 'TEMPS').forEach((t, index) => {
    const existing = hw.boards.findIndex((b) => b.index === index);
    const boardTemp = temp(t['Board']) ?? maxOf(t, ['TopLeft', 'TopRight', 'BottomLeft', 'BottomRight']);
    const chipTemp = temp(t['Chip']);
    if (existing < 0) {
      hw.boards.push(board(index, { temp_c: boardTemp, chip_temp_c: chipTemp }));
      return;
    }
    const current = hw.boards[existing];
    if (!current) return;
    if (boardTemp !== null) current.temp_c = boardTemp;
    if (chipTemp !== null) current.chip_temp_c = chipTemp;
  });
  const watts = num(firstRow(replies['power'], 'POWER')?.['Watts']);
  const tuner = num(firstRow(replies['tunerstatus'], 'TUNERSTATUS')?.['ApproximateMinerPowerConsumption']);
  hw.minerPowerW = watts ?? tuner ?? hw.minerPowerW;
  const nameplate = num(firstRow(replies['config'], 'CONFIG')?.['NameplateTHS']);
  if (nameplate !== null && nameplate > 0) hw.ratedThs = nameplate;
  const systemStatus = firstRow(replies['config'], 'CONFIG')?.['SystemStatus'];
  if (hw.statusText === null && typeof systemStatus === 'string' && systemStatus.trim()) hw.statusText = systemStatus.trim();
  rows(replies['devdetails'], 'DEVDETAILS').forEach((d, i) => {
    const chips = count(d['Chips']);
    const target = hw.boards[i];
    if (chips !== null && target && target.chips === null) target.chips = chips;
  });
  hw.boards.sort((a, b) => a.index - b.index);
  return hw;
}

function maxOf(record: Record_, keys: string[]): number | null {
  const values = keys.map((k) => temp(record[k])).filter((v): v is number => v !== null);
  return values.length > 0 ? Math.max(...values) : null;
}
