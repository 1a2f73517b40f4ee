import type { AlertKind, AsicSample, GpuSample, Sample } from '../contract/index.js';
import type { AlertRules } from '../config/alerts-schema.js';
import { liveHashrateThs } from '../fleet/hashrate.js';
import { MedianBaseline, ShareWindow } from './baseline.js';

/** One rule's verdict for one rig or site at one moment. */
export interface Condition {
  kind: AlertKind;
  site: string;
  rig: string | null;
  active: boolean;
  message: string;
  value: number | null;
  threshold: number | null;
}

/** What the stateful rules remember about one rig. */
export interface RigMemory {
  baseline: MedianBaseline | null;
  shares: ShareWindow | null;
}

const fmt = (value: number, digits = 1): string => value.toFixed(digits);

/** The message is built only for active conditions: most samples are healthy and need no words. */
function condition(kind: AlertKind, s: Sample, active: boolean, message: () => string, value: number | null = null, threshold: number | null = null): Condition {
  return { kind, site: s.site, rig: s.rig, active, message: active ? message() : '', value, threshold };
}

/** Every per-sample rule for one live sample. Rules that cannot judge (no data yet) return nothing. */
export function sampleConditions(s: Sample, memory: RigMemory, rules: AlertRules, now: number): Condition[] {
  return s.kind === 'asic' ? asicConditions(s, memory, rules, now) : gpuConditions(s, rules);
}

function asicConditions(s: AsicSample, memory: RigMemory, rules: AlertRules, now: number): Condition[] {
  const out: Condition[] = [];
  if (rules.overheat.enabled) {
    // Every sample of every ASIC passes here: no array or string per board, the message is worded only if it fires.
    let hottest: number | null = null;
    let where = -1;
    for (const b of s.boards) {
      if (b.temp_c !== null && (hottest === null || b.temp_c > hottest)) [hottest, where] = [b.temp_c, b.index];
      if (b.chip_temp_c !== null && (hottest === null || b.chip_temp_c > hottest)) [hottest, where] = [b.chip_temp_c, b.index];
    }
    if (hottest !== null) {
      const hot = hottest >= rules.overheat.asic_c;
      const t = hottest;
      out.push(condition('overheat', s, hot, () => `hashboard ${where} at ${fmt(t)} °C (limit ${rules.overheat.asic_c} °C)`, hottest, rules.overheat.asic_c));
    }
  }
  if (rules.hashboard_missing.enabled && s.boards.length > 0) {
    const problems: string[] = [];
    let missingChips = 0;
    for (const b of s.boards) {
      if (b.hashrate_ths === 0 || b.algo_hashrate === 0 || (b.chips === 0 && (b.expected_chips ?? 0) > 0)) problems.push(`hashboard ${b.index} lost`);
      else if (b.chips !== null && b.expected_chips !== null && b.expected_chips - b.chips >= rules.hashboard_missing.min_missing_chips) {
        problems.push(`hashboard ${b.index}: ${b.expected_chips - b.chips} of ${b.expected_chips} chips missing`);
        missingChips += b.expected_chips - b.chips;
      }
    }
    out.push(condition('hashboard_missing', s, problems.length > 0, () => problems.join('; '), problems.length ? missingChips : null));
  }
  const ths = liveHashrateThs(s);
  if (rules.not_hashing.enabled && ths !== null) {
    out.push(condition('not_hashing', s, ths === 0, () => 'reporting but not hashing (0 TH/s)', ths, 0));
  }
  if (rules.pool_down.enabled && s.pools.length > 0) {
    const down = !s.pools.some((p) => p.status === 'alive');
    out.push(condition('pool_down', s, down, () => `no pool alive (${s.pools.map((p) => p.status).join(', ')})`));
  }
  if (rules.hashrate_drop.enabled && ths !== null) {
    const r = rules.hashrate_drop;
    memory.baseline ??= new MedianBaseline(r.baseline_s * 1000, Math.ceil((r.min_baseline_s / r.baseline_s) * 60));
    const median = memory.baseline.median(now);
    memory.baseline.add(now, ths);
    if (median !== null && median > 0) {
      const floor = median * (1 - r.drop_share);
      const low = ths < floor;
      const msg = (): string => `${fmt(ths)} TH/s, ${(100 * (1 - ths / median)).toFixed(0)}% below its ${r.baseline_s / 60}-minute median of ${fmt(median)} TH/s`;
      out.push(condition('hashrate_drop', s, low, msg, ths, floor));
    }
  }
  if (rules.rejected_shares.enabled) {
    let accepted = 0;
    let rejected = 0;
    let known = false;
    for (const p of s.pools) {
      if (p.accepted === null || p.rejected === null) continue;
      accepted += p.accepted;
      rejected += p.rejected;
      known = true;
    }
    if (known) {
      const r = rules.rejected_shares;
      memory.shares ??= new ShareWindow(r.window_s * 1000);
      const rate = memory.shares.add(now, accepted, rejected, r.min_shares);
      if (rate !== null) {
        const high = rate.rate > r.max_share;
        const msg = (): string => `${fmt(100 * rate.rate)}% of ${rate.shares} shares rejected in the last ${Math.round(r.window_s / 60)} min (limit ${fmt(100 * r.max_share)}%)`;
        out.push(condition('rejected_shares', s, high, msg, rate.rate, r.max_share));
      }
    }
  }
  return out;
}

function gpuConditions(s: GpuSample, rules: AlertRules): Condition[] {
  const out: Condition[] = [];
  if (rules.gpu_error.enabled) {
    const problems: string[] = [];
    for (const g of s.gpus) {
      if (g.last_xid !== null) problems.push(`GPU ${g.index}: Xid ${g.last_xid}`);
      if ((g.ecc_uncorrected ?? 0) > 0) problems.push(`GPU ${g.index}: ${g.ecc_uncorrected} uncorrected ECC errors`);
    }
    out.push(condition('gpu_error', s, problems.length > 0, () => problems.join('; '), problems.length || null));
  }
  if (rules.overheat.enabled) {
    let hottest: { t: number; index: number } | null = null;
    for (const g of s.gpus) if (g.temp_c !== null && (hottest === null || g.temp_c > hottest.t)) hottest = { t: g.temp_c, index: g.index };
    if (hottest) {
      const hot = hottest.t >= rules.overheat.gpu_c;
      const h = hottest;
      out.push(condition('overheat', s, hot, () => `GPU ${h.index} at ${fmt(h.t)} °C (limit ${rules.overheat.gpu_c} °C)`, hottest.t, rules.overheat.gpu_c));
    }
  }
  return out;
}
