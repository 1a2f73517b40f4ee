import { Router } from 'express';
import { isValidId } from '../contract/index.js';
import type { EconomicsService } from '../economics/service.js';
import { ApiError } from './errors.js';

/** GET /api/economics (every site and the fleet) and GET /api/economics?site=ID (one site, fleet figures kept). */
export function economicsRoutes(economics: EconomicsService): Router {
  const router = Router();
  router.get('/economics', (req, res) => {
    const site = req.query.site;
    if (site !== undefined && (typeof site !== 'string' || !isValidId(site))) {
      throw new ApiError(400, 'invalid_parameter', 'site must match [a-z0-9-], 1 to 64 characters');
    }
    const all = economics.current();
    if (site === undefined) return void res.json(all);
    const one = all.sites.find((s) => s.id === site);
    if (!one) throw new ApiError(404, 'site_not_found', `no site ${site}`);
    res.json({ ...all, sites: [one] });
  });
  return router;
}
