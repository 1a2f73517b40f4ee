import { AsicSample, type Board, type Pool } from '../../server/contract/index.js';
import { findAsicModel } from '../models/asic-models.js';
import { decidePower } from './power.js';
import { sampleHeader, type SampleContext } from './sample.js';
import { clip, count, isRecord, num, round, str, temp, type Record_ } from './units.js';

/**
 * Braiins OS 23+ public API (gRPC `braiins.bos.v1`, replies as JSON): MinerService/GetMinerDetails,
 * GetMinerStats, GetHashboards, CoolingService/GetCoolingState, PoolService/GetPoolGroups,
 * MinerService/GetErrors. Field names follow the proto JSON mapping (snake_case), units are in wrapper objects
 * (`{ gigahash_per_second }`, `{ degree_c }`, `{ watt }`).
 */
export interface BraiinsGrpcReplies {
  details?: unknown;
  stats?: unknown;
  hashboards?: unknown;
  cooling?: unknown;
  pools?: unknown;
  errors?: unknown;
}

const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);

const ths = (rate: unknown): number | null => {
  const ghs = num(at(rate, 'gigahash_per_second'));
  return ghs === null ? null : round(ghs / 1000);
};

export function parseBraiinsGrpc(replies: BraiinsGrpcReplies, ctx: SampleContext): AsicSample {
  const modelName = str(at(replies.details, 'miner_identity', 'miner_model')) ?? str(at(replies.details, 'miner_identity', 'name'));
  const model = findAsicModel(modelName);
  const real = at(replies.stats, 'miner_stats', 'real_hashrate');
  const hashrate5s = ths(at(real, 'last_5s'));
  const boardsRaw = at(replies.hashboards, 'hashboards');
  const boards: Board[] = (Array.isArray(boardsRaw) ? boardsRaw.filter(isRecord) : []).map((b, i) => ({
    index: ((id) => (id !== null && id > 0 ? id - 1 : i))(count(b['id'])),
    hashrate_ths: ths(at(b, 'stats', 'real_hashrate', 'last_5s')),
    temp_c: temp(at(b, 'board_temp', 'degree_c')),
    chip_temp_c: temp(at(b, 'highest_chip_temp', 'temperature', 'degree_c')),
    chips: count(b['chips_count']),
    expected_chips: model?.chips_per_board ?? null,
  }));
  const fansRaw = at(replies.cooling, 'fans');
  const fans = (Array.isArray(fansRaw) ? fansRaw.filter(isRecord) : []).map((f) => num(f['rpm']));
  const sticker = num(at(replies.details, 'sticker_hashrate', 'gigahash_per_second'));
  const power = decidePower({
    measuredW: ctx.measuredPowerW,
    minerW: num(at(replies.stats, 'power_stats', 'approximated_consumption', 'watt')),
    hashrateThs: hashrate5s,
    model,
  });
  const version = str(at(replies.details, 'bos_version', 'current'));
  const errorsRaw = at(replies.errors, 'errors');
  const errors = (Array.isArray(errorsRaw) ? errorsRaw.filter(isRecord) : [])
    .map((e) => str(e['message']))
    .filter((m): m is string => m !== null);
  return AsicSample.parse({
    ...sampleHeader(ctx, power),
    errors: [...new Set(errors)].slice(0, 64).map((e) => clip(e)),
    model: modelName ? clip(model?.name ?? modelName) : null,
    firmware: version ? clip(`Braiins OS ${version}`) : null,
    family: 'braiins',
    hashrate_5s_ths: hashrate5s,
    hashrate_avg_ths: ths(at(real, 'since_restart')),
    nameplate_ths: sticker !== null && sticker > 0 ? round(sticker / 1000) : (model?.nameplate_ths ?? null),
    boards,
    fans_rpm: fans.map((f) => (f === null || f < 0 ? null : f)).slice(0, 32),
    pools: grpcPools(replies.pools),
    uptime_s: num(at(replies.details, 'bosminer_uptime_s')),
    status_text: null,
    algorithm: 'sha256',
  });
}

/** GetPoolGroups: a list of groups (or `{ pool_groups: [...] }`), each with pools { url, user, active, alive, enabled, stats }. */
function grpcPools(value: unknown): Pool[] {
  const groups = Array.isArray(value) ? value : at(value, 'pool_groups');
  if (!Array.isArray(groups)) return [];
  const pools: Pool[] = [];
  for (const group of groups.filter(isRecord)) {
    const list = group['pools'];
    if (!Array.isArray(list)) continue;
    for (const p of list.filter(isRecord) as Record_[]) {
      pools.push({
        url: clip(str(p['url']) ?? 'unknown'),
        user: ((u) => (u ? clip(u) : null))(str(p['user'])),
        status: p['enabled'] === false ? 'disabled' : p['alive'] === true ? 'alive' : p['alive'] === false ? 'dead' : 'unknown',
        active: p['active'] === true,
        accepted: count(at(p, 'stats', 'accepted_shares')),
        rejected: count(at(p, 'stats', 'rejected_shares')),
        stale: count(at(p, 'stats', 'stale_shares')),
      });
    }
  }
  return pools.slice(0, 16);
}
