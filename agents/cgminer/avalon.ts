import { findAsicModel } from '../models/asic-models.js';
import { board, emptyHardware, type Hardware } from './hardware.js';
import { rows, type MinerReplies } from './replies.js';
import { count, num, round, temp } from './units.js';

/**
 * Parses Avalon's `Key[value]` strings, e.g. `Ver[15-194-…] Fan1[4275] MGHS[59459.52 61407.83 63139.66]`, into a
 * map. Keys may contain spaces (`Nonce Mask[25]`); values may contain spaces and are split by the caller.
 */
export function parseAvalonKv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const pattern = /([A-Za-z_][A-Za-z0-9_ ]*?)\[([^\]]*)\]/g;
  for (const match of text.matchAll(pattern)) {
    const key = (match[1] ?? '').trim();
    if (key && !out.has(key)) out.set(key, (match[2] ?? '').trim());
  }
  return out;
}

function numbers(value: string | undefined): number[] {
  if (value === undefined) return [];
  return value
    .split(/\s+/)
    .map((v) => num(v.replace(/%$/, '')))
    .filter((v): v is number => v !== null);
}

/**
 * Avalon (Canaan cgminer 4.11): everything lives in the `MM ID0` string of the AVA10 stats record (Avalon Q puts
 * it under `MM ID0:Summary`, with per-board chip data in `HBinfo`). Per board: `MGHS` (GH/s), `MTavg` / `MTmax`
 * (°C); the unit: `Fan1..FanN` (rpm), `WALLPOWER` or the last `PS[]` field (W at the wall), `TA` (total chips),
 * `GHSspd` (current GH/s), `GHSavg`, `SYSTEMSTATU`. A single-board unit without MTavg gives its hash-board outlet
 * temperature `HBOTemp`. 0 readings of TMax/TAvg while idle mean "not measured".
 */
export function parseAvalon(replies: MinerReplies): Hardware {
  const hw = emptyHardware();
  const kv = new Map<string, string>();
  for (const row of rows(replies['stats'], 'STATS')) {
    for (const [key, value] of Object.entries(row)) {
      if (typeof value === 'string' && (key.startsWith('MM ID') || key === 'HBinfo')) {
        for (const [k, v] of parseAvalonKv(value)) if (!kv.has(k)) kv.set(k, v);
      }
    }
  }
  if (kv.size === 0) return hw;
  const perBoardGhs = numbers(kv.get('MGHS'));
  const tAvg = numbers(kv.get('MTavg'));
  const tMax = numbers(kv.get('MTmax'));
  const boardsCount = Math.max(perBoardGhs.length, tAvg.length, tMax.length);
  const totalChips = count(kv.get('TA'));
  const model = findAsicModel(str0(rows(replies['version'], 'VERSION')[0]?.['PROD']));
  const perBoardChips = totalChips !== null && boardsCount > 0 ? Math.round(totalChips / boardsCount) : null;
  const singleBoardTemp = boardsCount === 1 && tAvg.length === 0 ? temp(kv.get('HBOTemp')) : null;
  hw.boards = Array.from({ length: boardsCount }, (_, i) =>
    board(i, {
      hashrate_ths: perBoardGhs[i] === undefined ? null : round((perBoardGhs[i] as number) / 1000),
      temp_c: temp(tAvg[i]) ?? singleBoardTemp,
      chip_temp_c: temp(tMax[i]),
      chips: null,
      expected_chips: perBoardChips ?? model?.chips_per_board ?? null,
    }),
  );
  hw.fansRpm = [...kv.keys()]
    .map((k) => /^Fan(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => num(kv.get(m[0])));
  const ps = numbers(kv.get('PS'));
  hw.minerPowerW = num(kv.get('WALLPOWER')) ?? (ps.length >= 7 ? (ps[6] as number) : null);
  const speed = num(kv.get('GHSspd'));
  hw.hashrate5sThs = speed === null ? null : round(speed / 1000);
  const avg = num(kv.get('GHSavg'));
  hw.hashrateAvgThs = avg === null ? null : round(avg / 1000);
  hw.statusText = kv.get('SYSTEMSTATU')?.trim() || null;
  return hw;
}

function str0(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

