import { Router } from 'express';
import { z } from 'zod';
import { isValidId, RigSortKey, RigStatus } from '../contract/index.js';
import { rigTablePage } from '../fleet/rig-table.js';
import type { FleetState } from '../fleet/state.js';
import { ApiError } from './errors.js';

/** A filter given once (?model=a) or repeated (?model=a&model=b); values may contain commas, so none are split. */
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).filter((s) => s !== ''));
const stringList = list.pipe(z.array(z.string().max(512)).max(100));

const PageParams = z
  .object({
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    sort: RigSortKey.default('rig'),
    dir: z.enum(['asc', 'desc']).default('asc'),
    status: list.pipe(z.array(RigStatus).max(3)).optional(),
    model: stringList.optional(),
    firmware: stringList.optional(),
    q: z.string().max(200).optional(),
  })
  .strict();

/** GET /api/sites/:id/rigs: server-side paging, sorting, filtering and facet counts (contract: RigPage). */
export function siteRigsRoutes(state: FleetState): Router {
  const router = Router();
  router.get('/sites/:id/rigs', (req, res) => {
    const id = req.params.id;
    if (!isValidId(id)) throw new ApiError(400, 'invalid_parameter', 'id must match [a-z0-9-], 1 to 64 characters');
    const parsed = PageParams.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(400, 'invalid_parameter', `${issue?.path.join('.') || 'query'}: ${issue?.message}`);
    }
    if (state.site(id) === null) throw new ApiError(404, 'site_not_found', `no site ${id}`);
    res.json(rigTablePage(id, state.records(id), parsed.data));
  });
  return router;
}
