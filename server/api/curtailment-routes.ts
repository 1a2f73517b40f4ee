import { Router } from 'express';
import { principalOf } from '../auth/http-guard.js';
import type { CredentialStore } from '../auth/store.js';
import type { CurtailmentRunner } from '../actions/curtail-runner.js';
import { actionSites, mayActOn } from '../actions/site-access.js';
import { CurtailmentSiteSchema } from '../config/actions-schema.js';
import type { Config } from '../config/schema.js';
import { isValidId } from '../contract/index.js';
import { ApiError } from './errors.js';

const Settings = CurtailmentSiteSchema.omit({ site: true });

/** GET / PUT / DELETE /api/sites/:id/curtailment: a site's curtailment settings and what it did, next to telemetry. */
export function curtailmentRoutes(runner: CurtailmentRunner, config: Config, store: CredentialStore): Router {
  const router = Router();
  const siteOf = (raw: unknown): string => {
    const site = String(raw);
    if (!isValidId(site)) throw new ApiError(400, 'invalid_parameter', 'site id must match [a-z0-9-], 1 to 64 characters');
    return site;
  };
  const mayAct = (res: Parameters<typeof principalOf>[0], site: string): void => {
    const principal = principalOf(res);
    if (!principal || !mayActOn(actionSites(principal, config, store), site)) throw new ApiError(403, 'site_forbidden', `may not curtail site ${site}`);
  };
  router.get('/sites/:id/curtailment', (req, res) => {
    const site = siteOf(req.params.id);
    const status = runner.status(site);
    if (!status) throw new ApiError(404, 'curtailment_not_set', `no curtailment for site ${site}`);
    res.json({ settings: runner.settings(site), status });
  });
  router.put('/sites/:id/curtailment', (req, res) => {
    const site = siteOf(req.params.id);
    mayAct(res, site);
    const parsed = Settings.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(400, 'invalid_body', `${issue?.path.join('.') || 'body'}: ${issue?.message}`);
    }
    runner.set({ site, ...parsed.data });
    runner.tick();
    res.json({ settings: runner.settings(site), status: runner.status(site) });
  });
  router.delete('/sites/:id/curtailment', (req, res) => {
    const site = siteOf(req.params.id);
    mayAct(res, site);
    const status = runner.clear(site);
    if (!status) throw new ApiError(404, 'curtailment_not_set', `no curtailment for site ${site}`);
    res.json({ status });
  });
  return router;
}
