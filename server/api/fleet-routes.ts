import { Router } from 'express';
import { z } from 'zod';
import { isValidId } from '../contract/index.js';
import type { FleetState } from '../fleet/state.js';
import type { Counters } from '../ingest/counters.js';
import type { HistoryStore } from '../store/types.js';
import { ApiError } from './errors.js';
import { pageFields, pageOf, parsePage } from './paging.js';

const RigsQuery = z
  .object({
    site: z.string().refine(isValidId, 'site must match [a-z0-9-], 1 to 64 characters').optional(),
    ...pageFields('rigs'),
  })
  .strict();

export function fleetRoutes(state: FleetState, counters: Counters, store: HistoryStore): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', ingest: counters.snapshot(), store: store.stats(), rigs: state.rigCount });
  });

  router.get('/fleet', (_req, res) => {
    res.json(state.fleet());
  });

  // Paged like /api/rigs (contract/paging.ts), in site id order.
  router.get('/sites', (req, res) => {
    const page = parsePage('sites', req.query);
    res.json(pageOf(res, state.siteIds(), page).map((id) => state.site(id)));
  });

  router.get('/sites/:id', (req, res) => {
    const site = state.site(req.params.id);
    if (!site) throw new ApiError(404, 'site_not_found', `no site ${req.params.id}`);
    res.json(site);
  });

  // Paged by rig id: ?offset (0) &limit (1000, at most 5000); the total is in X-Total-Count. Unpaged, 200,000 rigs
  // were 165 MB in one answer and stalled every other request for seconds. The site table
  // (GET /api/sites/:id/rigs) adds sorting, filters and facets.
  router.get('/rigs', (req, res) => {
    const parsed = RigsQuery.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(400, 'invalid_parameter', `${issue?.path.join('.') || 'query'}: ${issue?.message}`);
    }
    const { site, offset, limit } = parsed.data;
    const ids: string[] = [];
    for (const [id] of state.records(site)) ids.push(id);
    ids.sort();
    res.json(pageOf(res, ids, { offset, limit }).map((id) => state.rig(id)));
  });

  router.get('/rigs/:id', (req, res) => {
    const rig = state.rig(req.params.id);
    if (!rig) throw new ApiError(404, 'rig_not_found', `no rig ${req.params.id}`);
    res.json(rig);
  });

  return router;
}
