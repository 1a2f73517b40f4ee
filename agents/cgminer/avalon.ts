import { findAsicModel, type AsicModel } from '../models/asic-models.js';
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
 * Avalon (Canaan cgminer): everything lives in `MM ID` strings of the stats records, one per module ("MM").
 *
 * - 10xx and later (one module per unit, `MM ID0`; Avalon Q under `MM ID0:Summary` with chip data in `HBinfo`): per
 *   board `MGHS` (GH/s), `MTavg` (average chip temperature, the board's temperature) and `MTmax` (its hottest chip);
 *   for the unit `Fan1..FanN` (rpm), `WALLPOWER` or the 7th `PS[]` field (W at the wall), `TA` (total chips),
 *   `GHSspd` (current GH/s), `GHSavg`, `SYSTEMSTATU`. The unit-wide `TAvg`/`TMax` are not per board; a single-board
 *   unit without MTavg gives its hash-board outlet temperature `HBOTemp`. 0 readings while idle mean "not measured".
 * - 7xx-9xx (an AUC controller drives several units, `MM ID1..n` in each controller's stats record): each module is
 *   a whole miner with four small boards, reported here as one board: `GHSmm` (GH/s), `Temp` (its intake), `TMax`
 *   (hottest chip), `TA` (chips answering), one fan `Fan[rpm]`.
 */
export function parseAvalon(replies: MinerReplies): Hardware {
  const modules: Map<string, string>[] = [];
  for (const row of rows(replies['stats'], 'STATS')) {
    const kv = new Map<string, string>();
    for (const [key, value] of Object.entries(row)) {
      if (typeof value !== 'string') continue;
      if (/^MM ID\d+$/.test(key)) modules.push(parseAvalonKv(value));
      else if (key.startsWith('MM ID') || key === 'HBinfo') for (const [k, v] of parseAvalonKv(value)) if (!kv.has(k)) kv.set(k, v);
    }
    if (kv.size > 0) modules.push(kv);
  }
  if (modules.length === 0) return emptyHardware();
  const perBoard = modules.some((m) => m.has('MGHS') || m.has('MTavg') || m.has('MTmax'));
  const version = str0(rows(replies['version'], 'VERSION')[0]?.['PROD']);
  return perBoard ? unitWithBoards(modules, findAsicModel(version)) : controllerWithModules(modules, findAsicModel(version ?? moduleModel(modules)));
}

function unitWithBoards(modules: Map<string, string>[], model: AsicModel | null): Hardware {
  const hw = emptyHardware();
  for (const kv of modules) {
    const perBoardGhs = numbers(kv.get('MGHS'));
    const tAvg = numbers(kv.get('MTavg'));
    const tMax = numbers(kv.get('MTmax'));
    const boardsCount = Math.max(perBoardGhs.length, tAvg.length, tMax.length);
    const totalChips = count(kv.get('TA'));
    const perBoardChips = totalChips !== null && totalChips > 0 && boardsCount > 0 ? Math.round(totalChips / boardsCount) : null;
    const singleBoardTemp = boardsCount === 1 && tAvg.length === 0 ? temp(kv.get('HBOTemp')) : null;
    const offset = hw.boards.length;
    for (let i = 0; i < boardsCount; i++) {
      hw.boards.push(
        board(offset + i, {
          hashrate_ths: perBoardGhs[i] === undefined ? null : round((perBoardGhs[i] as number) / 1000),
          temp_c: temp(tAvg[i]) ?? singleBoardTemp,
          chip_temp_c: temp(tMax[i]),
          chips: null,
          expected_chips: perBoardChips ?? model?.chips_per_board ?? null,
        }),
      );
    }
    hw.fansRpm.push(...fanList(kv));
    const ps = numbers(kv.get('PS'));
    const watts = num(kv.get('WALLPOWER')) ?? (ps.length >= 7 ? (ps[6] as number) : null);
    if (watts !== null) hw.minerPowerW = (hw.minerPowerW ?? 0) + watts;
    const speed = num(kv.get('GHSspd'));
    if (speed !== null) hw.hashrate5sThs = round((hw.hashrate5sThs ?? 0) + speed / 1000);
    const avg = num(kv.get('GHSavg'));
    if (avg !== null) hw.hashrateAvgThs = round((hw.hashrateAvgThs ?? 0) + avg / 1000);
    hw.statusText = hw.statusText ?? (kv.get('SYSTEMSTATU')?.trim() || null);
  }
  return hw;
}

function controllerWithModules(modules: Map<string, string>[], model: AsicModel | null): Hardware {
  const hw = emptyHardware();
  const expected = model && model.chips_per_board !== null ? model.chips_per_board * model.boards : null;
  hw.boards = modules.map((kv, i) =>
    board(i, {
      hashrate_ths: ((ghs) => (ghs === null ? null : round(ghs / 1000)))(num(kv.get('GHSmm'))),
      temp_c: temp(kv.get('Temp')),
      chip_temp_c: temp(kv.get('TMax')),
      chips: count(kv.get('TA')),
      expected_chips: expected,
    }),
  );
  hw.fansRpm = modules.flatMap((kv) => fanList(kv));
  if (model) hw.ratedThs = round(model.nameplate_ths * modules.length, 3);
  return hw;
}

/** `Fan1[4275] Fan2[4282]` on 10xx and later, a single `Fan[2550]` per module on 7xx-9xx. */
function fanList(kv: Map<string, string>): (number | null)[] {
  const numbered = [...kv.keys()]
    .map((k) => /^Fan(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => num(kv.get(m[0])));
  if (numbered.length > 0) return numbered;
  return kv.has('Fan') ? [num(kv.get('Fan'))] : [];
}

/** "Avalon 741" from the first module's `Ver[7411706-…]` (see family.ts). */
function moduleModel(modules: Map<string, string>[]): string | null {
  const ver = modules.map((m) => m.get('Ver')).find((v) => v !== undefined);
  const number = ver ? /^([7-9]\d{2})\d{4}/.exec(ver)?.[1] ?? /^(1\d{3})-/.exec(ver)?.[1] : undefined;
  return number ? `Avalon ${number}` : null;
}

function str0(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
