import type { FacetCounts, RigPage, RigRow, RigSortKey, RigStatus } from '../contract/index.js';
import { isSha256, liveHashrateThs } from './health.js';
import type { RigRecord } from './state.js';
import { roundTo } from '../util/round.js';

export interface RigTableQuery {
  offset: number;
  limit: number;
  sort: RigSortKey;
  dir: 'asc' | 'desc';
  status?: RigStatus[];
  model?: string[];
  firmware?: string[];
  /** Case-insensitive substring of rig id, model, firmware or a status reason. */
  q?: string;
  /** Ranges (inclusive) of % of nameplate and J/TH; a rig without the figure does not match a range. */
  pct_min?: number;
  pct_max?: number;
  eff_min?: number;
  eff_max?: number;
}

/** Hashrate as % of nameplate, when both are known. */
function nameplatePct(r: Readonly<RigRecord>): number | null {
  const s = r.sample;
  if (s.kind !== 'asic' || !s.nameplate_ths || r.status === 'offline') return null;
  const ths = liveHashrateThs(s);
  return ths === null ? null : (100 * ths) / s.nameplate_ths;
}

function efficiency(r: Readonly<RigRecord>): number | null {
  const s = r.sample;
  if (s.kind !== 'asic' || s.power_w === null) return null;
  const ths = liveHashrateThs(s);
  return ths ? s.power_w / ths : null;
}

const inRange = (v: number | null, min?: number, max?: number): boolean =>
  (min === undefined && max === undefined) || (v !== null && (min === undefined || v >= min) && (max === undefined || v <= max));


function hottest(values: (number | null)[]): number | null {
  let best: number | null = null;
  for (const v of values) if (v !== null && (best === null || v > best)) best = v;
  return best;
}

/** The flat table row of one rig. */
export function rigRow(id: string, r: Readonly<RigRecord>): RigRow {
  const s = r.sample;
  const live = r.status !== 'offline';
  const powerKw = s.power_w === null ? null : roundTo(s.power_w / 1000, 3);
  if (s.kind === 'asic') {
    const ths = liveHashrateThs(s);
    return {
      rig: id, kind: 'asic', status: r.status, status_reasons: r.reasons, model: s.model, firmware: s.firmware,
      hashrate_ths: ths, nameplate_ths: s.nameplate_ths, nameplate_pct: (() => { const p = nameplatePct(r); return p === null ? null : roundTo(p, 1); })(), power_kw: powerKw, power_source: s.power_source,
      efficiency_jth: ths && s.power_w !== null ? roundTo(s.power_w / ths, 2) : null,
      temp_c: hottest(s.boards.flatMap((b) => [b.temp_c, b.chip_temp_c])), gpus: null, gpu_util_pct: null,
      uptime_s: live ? s.uptime_s : null, last_seen: r.lastSeen,
      ...(isSha256(s) ? {} : { algorithm: s.algorithm, algo_hashrate: s.algo_hashrate_5s ?? s.algo_hashrate_avg ?? null, algo_hashrate_unit: s.algo_hashrate_unit ?? null }),
    };
  }
  const utils = s.gpus.map((g) => g.utilization_pct).filter((v): v is number => v !== null);
  return {
    rig: id, kind: 'gpu', status: r.status, status_reasons: r.reasons, model: s.host_model, firmware: s.driver_version,
    hashrate_ths: null, nameplate_ths: null, nameplate_pct: null, power_kw: powerKw, power_source: s.power_source, efficiency_jth: null,
    temp_c: hottest(s.gpus.map((g) => g.temp_c)), gpus: s.gpus.length,
    gpu_util_pct: utils.length ? roundTo(utils.reduce((a, b) => a + b, 0) / utils.length, 1) : null,
    uptime_s: null, last_seen: r.lastSeen,
  };
}

const STATUS_ORDER: Record<RigStatus, number> = { offline: 0, degraded: 1, online: 2 };

/** Sort key of a record without building its row: numbers or strings; null always sorts last. */
function sortKey(id: string, r: Readonly<RigRecord>, key: RigSortKey): number | string | null {
  const s = r.sample;
  switch (key) {
    case 'rig': return id;
    case 'status': return STATUS_ORDER[r.status];
    case 'model': return s.kind === 'asic' ? s.model : s.host_model;
    case 'firmware': return s.kind === 'asic' ? s.firmware : s.driver_version;
    case 'hashrate': return s.kind === 'asic' ? liveHashrateThs(s) : null;
    case 'nameplate_pct': return nameplatePct(r);
    case 'power': return s.power_w;
    case 'efficiency': return efficiency(r);
    case 'temp': return s.kind === 'asic' ? hottest(s.boards.flatMap((b) => [b.temp_c, b.chip_temp_c])) : hottest(s.gpus.map((g) => g.temp_c));
    case 'uptime': return s.kind === 'asic' && r.status !== 'offline' ? s.uptime_s : null;
    case 'last_seen': return r.lastSeen;
  }
}

const NONE = '(none)';
const bump = (counts: FacetCounts, value: string): void => {
  counts[value] = (counts[value] ?? 0) + 1;
};

/**
 * Filters, counts facets and sorts a site's rigs, then builds rows for one page only. One pass over the site for
 * filters and facets (each facet counted over the rigs that pass every *other* filter), one sort of the matches.
 */
export function rigTablePage(site: string, records: Iterable<[string, Readonly<RigRecord>]>, query: RigTableQuery): RigPage {
  return rigTable(site, records, query).page;
}

/** The page, and every matched rig in table order (for the CSV export of the filtered table). */
export function rigTable(site: string, records: Iterable<[string, Readonly<RigRecord>]>, query: RigTableQuery): { page: RigPage; all: () => RigRow[] } {
  const q = query.q?.trim().toLowerCase() || null;
  const statuses = query.status?.length ? new Set<string>(query.status) : null;
  const models = query.model?.length ? new Set(query.model) : null;
  const firmwares = query.firmware?.length ? new Set(query.firmware) : null;
  const facets = { status: {} as FacetCounts, model: {} as FacetCounts, firmware: {} as FacetCounts };
  const matched: [string, Readonly<RigRecord>][] = [];
  let total = 0;
  for (const entry of records) {
    total++;
    const [id, r] = entry;
    const s = r.sample;
    const model = (s.kind === 'asic' ? s.model : s.host_model) ?? NONE;
    const firmware = (s.kind === 'asic' ? s.firmware : s.driver_version) ?? NONE;
    const okQ = q === null || id.includes(q) || model.toLowerCase().includes(q) || firmware.toLowerCase().includes(q)
      || r.reasons.some((reason) => reason.toLowerCase().includes(q));
    if (!okQ) continue;
    if (!inRange(nameplatePct(r), query.pct_min, query.pct_max) || !inRange(efficiency(r), query.eff_min, query.eff_max)) continue;
    const okStatus = statuses === null || statuses.has(r.status);
    const okModel = models === null || models.has(model);
    const okFirmware = firmwares === null || firmwares.has(firmware);
    if (okModel && okFirmware) bump(facets.status, r.status);
    if (okStatus && okFirmware) bump(facets.model, model);
    if (okStatus && okModel) bump(facets.firmware, firmware);
    if (okStatus && okModel && okFirmware) matched.push(entry);
  }
  // Keys computed once per rig, not per comparison: sorting 100,000 rigs makes ~1.7 million comparisons.
  const items = matched.map(([id, r]) => ({ id, r, k: sortKey(id, r, query.sort) }));
  const sign = query.dir === 'asc' ? 1 : -1;
  items.sort((a, b) => {
    const ka = a.k;
    const kb = b.k;
    if (ka === kb) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; // stable tie-break on rig id, always ascending
    if (ka === null) return 1;
    if (kb === null) return -1;
    return (ka < kb ? -1 : 1) * sign;
  });
  const rows = items.slice(query.offset, query.offset + query.limit).map(({ id, r }) => rigRow(id, r));
  const page = { site, total, matched: matched.length, offset: query.offset, limit: query.limit, sort: query.sort, dir: query.dir, rows, facets };
  return { page, all: () => items.map(({ id, r }) => rigRow(id, r)) };
}
