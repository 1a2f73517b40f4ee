import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { principalOf } from '../auth/http-guard.js';
import { RigId, SiteId } from '../contract/index.js';
import type { RigSites } from '../ingest/rig-sites.js';
import { ApiError } from './errors.js';

const Move = z.object({ site: SiteId }).strict();

/**
 * PUT /api/admin/rigs/:rig/site — an admin moves a rig to another site (a miner physically moved). Until then
 * every other site's samples for the rig are refused as rig_site_conflict (ingest/rig-sites.ts). Logged.
 */
export function rigOwnerRoutes(rigSites: RigSites, log: Logger): Router {
  const router = Router();
  router.get('/admin/rigs/:rig/site', (req, res) => {
    const site = rigSites.siteOf(req.params.rig);
    if (!site) throw new ApiError(404, 'rig_not_found', `rig ${req.params.rig} has not been seen`);
    res.json({ rig: req.params.rig, site });
  });
  router.put('/admin/rigs/:rig/site', (req, res) => {
    const rig = RigId.safeParse(req.params.rig);
    const body = Move.safeParse(req.body ?? {});
    if (!rig.success) throw new ApiError(400, 'invalid_parameter', `rig: ${rig.error.issues[0]?.message}`);
    if (!body.success) throw new ApiError(400, 'invalid_body', `site: ${body.error.issues[0]?.message}`);
    const by = principalOf(res)?.username ?? 'unknown';
    const previous = rigSites.move(rig.data, body.data.site, by);
    log.info({ rig: rig.data, from: previous ?? null, to: body.data.site, by }, 'rig moved to another site');
    res.json({ rig: rig.data, site: body.data.site, previous: previous ?? null });
  });
  return router;
}
