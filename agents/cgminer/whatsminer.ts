import type { Pool } from '../../server/contract/index.js';
import type { AsicModel } from '../models/asic-models.js';
import { parseDevs } from './devs.js';
import { whatsminerMsg, whatsminerV3 } from './family.js';
import { board, emptyHardware, type Hardware } from './hardware.js';
import { poolStatus } from './pools.js';
import { rows, type MinerReplies } from './replies.js';
import { clip, count, isRecord, num, round, str, temp, type Record_ } from './units.js';

/**
 * Whatsminer (MicroBT btminer), three API generations on port 4028:
 * - API v1/v2 cgminer commands: `summary` (unit: `Fan Speed In/Out` rpm, `Power`/`Power_RT` W, `Factory GHS`,
 *   `Power Mode`, `Error Code N`), per-board records from `devs`, or from `edevs` on M30-series firmware that no
 *   longer answers `devs` (`Temperature` board, `Chip Temp Max`, `Effective Chips`, `MHS 5s`/`MHS 1m`),
 *   `devdetails` for the model name;
 * - API v2 `{"cmd":…}` commands, the only ones a sleeping miner still answers: `status` (`btmineroff` /
 *   `mineroff` "true" when asleep, firmware version), `get_version`, `get_miner_info`;
 * - API v3 JSON (`{"code":0,"msg":{…}}`): `get.device.info` (miner type, firmware) and `get.miner.status` with
 *   `summary` (TH/s: `hash-realtime`, `hash-average`, `factory-hash`; `fan-speed-in/out`, `power-realtime`),
 *   `edevs` (per board, TH/s) and `pools`.
 */
export function parseWhatsminer(replies: MinerReplies, model: AsicModel | null): Hardware {
  if (rows(replies['devs'], 'DEVS').length === 0 && rows(replies['edevs'], 'DEVS').length > 0) {
    replies = { ...replies, devs: replies['edevs'] };
  }
  const summary = rows(replies['summary'], 'SUMMARY')[0];
  if (!summary && rows(replies['devs'], 'DEVS').length === 0) {
    const v3 = parseV3(replies, model);
    if (v3) return v3;
  }
  const hw = parseDevs(replies, model);
  const head = summary ?? {};
  hw.fansRpm = ['Fan Speed In', 'Fan Speed Out'].filter((k) => k in head).map((k) => num(head[k]));
  hw.minerPowerW = num(head['Power']) ?? num(head['Power_RT']);
  if (!Object.keys(head).some((k) => /^[KMGTP]?HS \d+[smh]$/i.test(k))) hw.hashrate5sThs = realtimeThs(head);
  const factoryGhs = num(head['Factory GHS']);
  hw.ratedThs = factoryGhs !== null && factoryGhs > 0 ? factoryGhs / 1000 : null;
  hw.statusText = str(head['Power Mode']) ? `power mode ${str(head['Power Mode'])}` : null;
  for (const [key, value] of Object.entries(head)) {
    if (/^Error Code \d+$/.test(key)) hw.errors.push(`error code ${String(value)}`);
  }
  const status = whatsminerMsg(replies, 'status');
  if (status && isAsleep(status)) {
    // Asleep (power-off by command or schedule): the miner is not hashing, and says so; its fans idle or stop.
    hw.hashrate5sThs = 0;
    hw.hashrateAvgThs = 0;
    hw.statusText = `sleeping${str(status['mineroff_reason']) ? ` (${str(status['mineroff_reason'])})` : ''}`;
  }
  return hw;
}

/**
 * btminer's real-time rate `HS RT`, for summaries without a short-window key. Recordings carry it in MH/s (beside
 * `MHS av` 67753251 it reads 67394800); some firmware writes TH/s (110.52): the reading closer to the average wins.
 */
function realtimeThs(summary: Record_): number | null {
  const realtime = num(summary['HS RT']);
  if (realtime === null || realtime < 0) return null;
  const avgThs = (num(summary['MHS av']) ?? 0) / 1e6;
  if (avgThs <= 0) return round(realtime / 1e6);
  const distance = (v: number): number => Math.abs(Math.log((v + 1e-9) / avgThs));
  return round(distance(realtime / 1e6) <= distance(realtime) ? realtime / 1e6 : realtime);
}

/** API v2 `status`: `btmineroff` (v1.x) or `mineroff` (v2) is the string "true" while the miner sleeps. */
export function isAsleep(status: Record_): boolean {
  return String(status['btmineroff'] ?? status['mineroff'] ?? '').toLowerCase() === 'true';
}

function parseV3(replies: MinerReplies, model: AsicModel | null): Hardware | null {
  const summary = whatsminerV3(replies, 'get.miner.status.summary')?.['summary'];
  const edevs = whatsminerV3(replies, 'get.miner.status.edevs')?.['edevs'];
  const pools = whatsminerV3(replies, 'get.miner.status.pools')?.['pools'];
  if (!isRecord(summary) && !Array.isArray(edevs)) return null;
  const hw = emptyHardware();
  const head = isRecord(summary) ? summary : {};
  const boardTemps = Array.isArray(head['board-temperature']) ? head['board-temperature'] : [];
  hw.boards = (Array.isArray(edevs) ? edevs.filter(isRecord) : []).map((d, i) =>
    board(i, {
      hashrate_ths: ths(d['hash-realtime']) ?? ths(d['hash-average']),
      temp_c: temp(boardTemps[i]),
      chip_temp_c: temp(d['chip-temp-max']),
      chips: count(d['effective-chips']),
      expected_chips: model?.chips_per_board ?? null,
    }),
  );
  hw.fansRpm = ['fan-speed-in', 'fan-speed-out'].filter((k) => k in head).map((k) => num(head[k]));
  hw.minerPowerW = num(head['power-realtime']);
  hw.hashrate5sThs = ths(head['hash-realtime']);
  hw.hashrateAvgThs = ths(head['hash-average']);
  const factory = ths(head['factory-hash']);
  hw.ratedThs = factory !== null && factory > 0 ? factory : null;
  hw.uptimeS = num(head['elapsed']);
  if (Array.isArray(pools)) hw.pools = pools.filter(isRecord).slice(0, 16).map(v3Pool);
  const info = whatsminerV3(replies, 'get.device.info');
  const errorsList = info?.['error-code'];
  if (Array.isArray(errorsList)) {
    for (const entry of errorsList.filter(isRecord)) {
      const code = Object.keys(entry).find((k) => /^\d+$/.test(k));
      if (code) hw.errors.push(`error code ${code}${str(entry['reason']) ? `: ${str(entry['reason'])}` : ''}`);
    }
  }
  return hw;
}

function ths(value: unknown): number | null {
  const n = num(value);
  return n === null || n < 0 ? null : round(n);
}

function v3Pool(p: Record_): Pool {
  return {
    url: clip(str(p['url']) ?? 'unknown'),
    user: ((u) => (u ? clip(u) : null))(str(p['account'])),
    status: poolStatus(p['status']),
    active: p['stratum-active'] === true,
    accepted: count(p['accepted']),
    rejected: count(p['rejected']),
    stale: count(p['stale']),
  };
}
