import { Router } from 'express';
import { z } from 'zod';
import { isValidId, RigSortKey, RigStatus, TOTAL_COUNT_HEADER } from '../contract/index.js';
import { rigTable } from '../fleet/rig-table.js';
import type { FleetState } from '../fleet/state.js';
import { toCsv } from '../util/csv.js';
import { ApiError } from './errors.js';
import { pageFields } from './paging.js';
import { invalidParameter } from './params.js';

/** A filter given once (?model=a) or repeated (?model=a&model=b); values may contain commas, so none are split. */
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).filter((s) => s !== ''));
const stringList = list.pipe(z.array(z.string().max(512)).max(100));

const PageParams = z
  .object({
    ...pageFields('siteRigs'),
    sort: RigSortKey.default('rig'),
    dir: z.enum(['asc', 'desc']).default('asc'),
    status: list.pipe(z.array(RigStatus).max(3)).optional(),
    model: stringList.optional(),
    firmware: stringList.optional(),
    q: z.string().max(200).optional(),
    /** % of nameplate range, e.g. pct_max=90 for rigs under 90 % of their rating. */
    pct_min: z.coerce.number().min(0).max(1000).optional(),
    pct_max: z.coerce.number().min(0).max(1000).optional(),
    /** J/TH range, e.g. eff_min=25 for the least efficient rigs. */
    eff_min: z.coerce.number().min(0).max(10_000).optional(),
    eff_max: z.coerce.number().min(0).max(10_000).optional(),
  })
  .strict();

const CSV_COLUMNS = ['rig', 'kind', 'status', 'model', 'firmware', 'hashrate_ths', 'nameplate_ths', 'nameplate_pct', 'power_kw', 'power_source', 'efficiency_jth', 'temp_c', 'gpus', 'gpu_util_pct', 'uptime_s', 'last_seen', 'status_reasons'] as const;

/**
 * GET /api/sites/:id/rigs: server-side paging, sorting, filtering and facet counts (contract: RigPage).
 * GET /api/sites/:id/rigs.csv: every rig the same filters match, in the same order, as CSV. Not paged: a site holds
 * at most ingest.max_rigs_per_site rigs (default 15,000, ~2 MB of CSV), so the export is bounded by that cap.
 */
export function siteRigsRoutes(state: FleetState): Router {
  const router = Router();
  const parse = (id: string, query: unknown) => {
    if (!isValidId(id)) throw new ApiError(400, 'invalid_parameter', 'id must match [a-z0-9-], 1 to 64 characters');
    const parsed = PageParams.safeParse(query);
    if (!parsed.success) throw invalidParameter(parsed.error, query);
    if (state.site(id) === null) throw new ApiError(404, 'site_not_found', `no site ${id}`);
    return parsed.data;
  };
  router.get('/sites/:id/rigs.csv', (req, res) => {
    const id = req.params.id;
    const table = rigTable(id, state.records(id), { ...parse(id, req.query), offset: 0, limit: 1 });
    const iso = (t: number): string => new Date(t).toISOString();
    const rows = table.all().map((r) => CSV_COLUMNS.map((c) => (c === 'last_seen' ? iso(r.last_seen) : c === 'status_reasons' ? r.status_reasons.join('; ') : r[c])));
    res.type('text/csv').attachment(`${id}-rigs.csv`).send(toCsv([...CSV_COLUMNS], rows));
  });
  router.get('/sites/:id/rigs', (req, res) => {
    const id = req.params.id;
    const page = rigTable(id, state.records(id), parse(id, req.query)).page;
    res.setHeader(TOTAL_COUNT_HEADER, String(page.matched));
    res.json(page);
  });
  return router;
}
