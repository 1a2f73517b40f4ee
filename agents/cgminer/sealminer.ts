import { board, emptyHardware, type Hardware } from './hardware.js';
import { rows, type MinerReplies } from './replies.js';
import { count, num, round, str, temp, type Record_ } from './units.js';

/**
 * SealMiner (bdminer, cgminer 4.11 based): one flat `stats` record with per-board keys prefixed by the board number
 * (`0 MHS(Sample)`, `0 Chip Count`, `0 Temp 0`…`0 Temp 3`, `0 Online`), fans as `N Speed` for N < `Fan Count`, and
 * the PSU's own readings (`PSU Input Power` in W at the wall). `MHS(Rated)` is the unit's rated hashrate.
 */
export function parseSealminer(replies: MinerReplies): Hardware {
  const hw = emptyHardware();
  const stats = rows(replies['stats'], 'STATS').find((r) => 'Board Count' in r || '0 Chip Count' in r);
  if (!stats) return hw;
  const boards = count(stats['Board Count']) ?? highestPrefix(stats, 'Chip Count') + 1;
  hw.boards = Array.from({ length: boards }, (_, i) => {
    const sensors = [0, 1, 2, 3].map((k) => temp(stats[`${i} Temp ${k}`])).filter((v): v is number => v !== null);
    const mhs = num(stats[`${i} MHS(Sample)`]);
    const online = stats[`${i} Online`];
    return board(i, {
      hashrate_ths: mhs === null ? (online === false ? 0 : null) : round(mhs / 1e6),
      temp_c: sensors.length > 0 ? Math.max(...sensors) : null,
      chips: count(stats[`${i} Chip Count`]),
    });
  });
  const fans = count(stats['Fan Count']) ?? highestPrefix(stats, 'Speed') + 1;
  hw.fansRpm = Array.from({ length: fans }, (_, i) => num(stats[`${i} Speed`]));
  hw.minerPowerW = num(stats['PSU Input Power']);
  const rated = num(stats['MHS(Rated)']);
  hw.ratedThs = rated !== null && rated > 0 ? round(rated / 1e6, 3) : null;
  hw.statusText = str(stats['PM State']) ?? str(stats['Tune Status']);
  const error = str(stats['Error Code']);
  if (error) hw.errors.push(`error code ${error}`);
  return hw;
}

function highestPrefix(stats: Record_, suffix: string): number {
  let highest = -1;
  for (const key of Object.keys(stats)) {
    const match = new RegExp(`^(\\d+) ${suffix.replace(/[()]/g, '\\$&')}$`).exec(key);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest;
}
