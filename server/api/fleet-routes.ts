import { Router } from 'express';
import { isValidId } from '../contract/index.js';
import type { FleetState } from '../fleet/state.js';
import type { Counters } from '../ingest/counters.js';
import type { HistoryStore } from '../store/types.js';
import { ApiError } from './errors.js';

export function fleetRoutes(state: FleetState, counters: Counters, store: HistoryStore): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', ingest: counters.snapshot(), store: store.stats(), rigs: state.rigCount });
  });

  router.get('/fleet', (_req, res) => {
    res.json(state.fleet());
  });

  router.get('/sites', (_req, res) => {
    res.json(state.sites());
  });

  router.get('/sites/:id', (req, res) => {
    const site = state.site(req.params.id);
    if (!site) throw new ApiError(404, 'site_not_found', `no site ${req.params.id}`);
    res.json(site);
  });

  router.get('/rigs', (req, res) => {
    const site = req.query.site;
    if (site !== undefined && (typeof site !== 'string' || !isValidId(site))) {
      throw new ApiError(400, 'invalid_parameter', 'site must match [a-z0-9-], 1 to 64 characters');
    }
    res.json(state.rigsOf(site));
  });

  router.get('/rigs/:id', (req, res) => {
    const rig = state.rig(req.params.id);
    if (!rig) throw new ApiError(404, 'rig_not_found', `no rig ${req.params.id}`);
    res.json(rig);
  });

  return router;
}
