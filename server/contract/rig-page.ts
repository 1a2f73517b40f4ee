import { z } from 'zod';
import { RigStatus } from './api.js';

/**
 * GET /api/sites/:id/rigs: one page of a site's rigs, filtered and sorted on the server so a site of 100,000
 * rigs costs the browser one page at a time. Rows are a flat summary; GET /api/rigs/:id has the full sample.
 */
export const RIG_SORT_KEYS = ['rig', 'status', 'model', 'firmware', 'hashrate', 'nameplate_pct', 'power', 'efficiency', 'temp', 'uptime', 'last_seen'] as const;
export const RigSortKey = z.enum(RIG_SORT_KEYS);
export type RigSortKey = z.infer<typeof RigSortKey>;

export const RigRow = z.object({
  rig: z.string(),
  kind: z.enum(['asic', 'gpu']),
  status: RigStatus,
  status_reasons: z.array(z.string()),
  /** ASIC model, or the GPU node's host model. */
  model: z.string().nullable(),
  /** ASIC firmware, or the GPU node's driver version. */
  firmware: z.string().nullable(),
  hashrate_ths: z.number().nullable(),
  nameplate_ths: z.number().nullable(),
  /** Hashrate as a share of the model's nameplate, in %: ranks a mixed site by underperformance. */
  nameplate_pct: z.number().nullable(),
  power_kw: z.number().nullable(),
  power_source: z.string().nullable(),
  efficiency_jth: z.number().nullable(),
  /** Hottest hashboard or GPU. */
  temp_c: z.number().nullable(),
  gpus: z.number().int().nullable(),
  gpu_util_pct: z.number().nullable(),
  uptime_s: z.number().nullable(),
  last_seen: z.number().int(),
  /** A non-SHA-256 ASIC's algorithm and rate (H/s or Sol/s): shown apart, never in TH/s or site totals. */
  algorithm: z.string().optional(),
  algo_hashrate: z.number().nullable().optional(),
  algo_hashrate_unit: z.string().nullable().optional(),
});
export type RigRow = z.infer<typeof RigRow>;

/** Counts per value of one facet, over the rigs that pass every other filter (so each option shows what it adds). */
export const FacetCounts = z.record(z.string(), z.number().int());
export type FacetCounts = z.infer<typeof FacetCounts>;

export const RigPage = z.object({
  site: z.string(),
  /** Rigs in the site; `matched` pass the filters; `rows` is rows [offset, offset + limit) of those. */
  total: z.number().int(),
  matched: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  sort: RigSortKey,
  dir: z.enum(['asc', 'desc']),
  rows: z.array(RigRow),
  facets: z.object({ status: FacetCounts, model: FacetCounts, firmware: FacetCounts }),
});
export type RigPage = z.infer<typeof RigPage>;
