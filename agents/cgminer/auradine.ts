import { parseDevs } from './devs.js';
import type { Hardware } from './hardware.js';
import { firstRow, rows, type MinerReplies } from './replies.js';
import { count, num, temp, type Record_ } from './units.js';
import type { AsicModel } from '../models/asic-models.js';

/**
 * Auradine Teraflux (FluxOS, GCMiner API): boards from `devs` (`MHS 5s`, `Temperature` per ASICBoard), plus its own
 * commands: `fan` (Fan [{ Speed }] in rpm), `temperature` (per "Hash Board N": BoardTemp[] and ChipTemp[] sensors),
 * `psu` (PowerIn as a string with its unit, "58.94W"), `asccount` (AsicCount / BoardCount).
 */
export function parseAuradine(replies: MinerReplies, model: AsicModel | null): Hardware {
  const hw = parseDevs(replies, model);
  const fans = rows(replies['fan'], 'Fan');
  if (fans.length > 0) hw.fansRpm = fans.map((f) => num(f['Speed']));
  for (const entry of rows(replies['temperature'], 'Temperature')) {
    const match = /^hash board (\d+)$/i.exec(String(entry['Name'] ?? ''));
    const target = match ? hw.boards[Number(match[1]) - 1] : undefined;
    if (!target) continue;
    target.chip_temp_c = maxTemp(entry['ChipTemp']) ?? target.chip_temp_c;
    target.temp_c = target.temp_c ?? maxTemp(entry['BoardTemp']);
  }
  hw.minerPowerW = withUnit(firstRow(replies['psu'], 'PSU')?.['PowerIn'], 'W');
  const asc = firstRow(replies['asccount'], 'ASCCount');
  const chips = count(asc?.['AsicCount']);
  const boards = count(asc?.['BoardCount']);
  if (chips !== null && boards) for (const b of hw.boards) b.expected_chips = Math.round(chips / boards);
  return hw;
}

function maxTemp(sensors: unknown): number | null {
  if (!Array.isArray(sensors)) return null;
  const values = sensors
    .map((s) => temp((s as Record_)['Temperature']))
    .filter((v): v is number => v !== null);
  return values.length > 0 ? Math.max(...values) : null;
}

/** "58.94W" → 58.94 (the unit must match), a plain number as is. */
export function withUnit(value: unknown, unit: string): number | null {
  if (typeof value === 'number') return num(value);
  if (typeof value !== 'string') return null;
  const match = new RegExp(`^\\s*(-?[\\d.]+)\\s*${unit}\\s*$`, 'i').exec(value);
  return match ? num(match[1]) : null;
}
