import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/http-guard.js';
import type { CredentialStore } from '../auth/store.js';
import type { BulkRunner } from '../actions/bulk.js';
import { publicRecord } from '../actions/audit.js';
import type { ActionService } from '../actions/service.js';
import { actionSites, mayActOn } from '../actions/site-access.js';
import type { Config } from '../config/schema.js';
import { ActionRequest, ActionState, BulkActionRequest, isValidId, TOTAL_COUNT_HEADER } from '../contract/index.js';
import { rigTablePage } from '../fleet/rig-table.js';
import type { FleetState } from '../fleet/state.js';
import { ApiError } from './errors.js';
import { pageFields, pageOf } from './paging.js';

export interface ActionRouteDeps {
  service: ActionService;
  bulk: BulkRunner;
  state: FleetState;
  config: Config;
  store: CredentialStore;
}

const Name = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/);
const ListQuery = z
  .object({
    rig: z.string().regex(/^[a-z0-9-]{1,64}$/).optional(),
    site: z.string().regex(/^[a-z0-9-]{1,64}$/).optional(),
    by: Name.optional(),
    state: ActionState.optional(),
    bulk: z.string().uuid().optional(),
    ...pageFields('actions'),
  })
  .strict();
const BulkListQuery = z
  .object({ site: z.string().regex(/^[a-z0-9-]{1,64}$/).optional(), ...pageFields('bulk') })
  .strict();

function parse<T>(schema: z.ZodType<T>, value: unknown, code: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(400, code, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function id(req: Request, what: string): string {
  const value = String(req.params.id);
  if (!isValidId(value)) throw new ApiError(400, 'invalid_parameter', `${what} id must match [a-z0-9-], 1 to 64 characters`);
  return value;
}

/** Operator actions: POST /api/rigs/:id/actions, POST /api/sites/:id/actions (bulk), GET /api/actions[/:id]. */
export function actionRoutes(deps: ActionRouteDeps): Router {
  const router = Router();
  const { service, bulk, state, config, store } = deps;

  /** Who is acting, and whether on this site: the route policy let only 'actions' holders this far. */
  const actor = (res: Response, site: string): string => {
    const principal = principalOf(res);
    if (!principal) throw new ApiError(401, 'unauthenticated', 'log in to act on rigs');
    if (!mayActOn(actionSites(principal, config, store), site)) {
      throw new ApiError(403, 'site_forbidden', `${principal.username ?? principal.role} may not act on site ${site}`);
    }
    return principal.username ?? `anonymous-${principal.role}`;
  };

  router.post('/rigs/:id/actions', (req, res) => {
    const rig = id(req, 'rig');
    const request = parse(ActionRequest, req.body, 'invalid_action');
    const view = state.rig(rig);
    if (!view) throw new ApiError(404, 'rig_not_found', `no rig ${rig}`);
    const by = actor(res, view.site);
    const record = service.create(rig, request, by);
    res.status(202).location(`/api/actions/${record.id}`).json({ id: record.id, state: 'queued' });
  });

  router.post('/sites/:id/actions', (req, res) => {
    const site = id(req, 'site');
    const body = parse(BulkActionRequest, req.body, 'invalid_action');
    if (state.site(site) === null) throw new ApiError(404, 'site_not_found', `no site ${site}`);
    const by = actor(res, site);
    const page = rigTablePage(site, state.records(site), {
      offset: 0,
      limit: Number.MAX_SAFE_INTEGER,
      sort: 'rig',
      dir: 'asc',
      status: body.status,
      model: body.model,
      firmware: body.firmware,
      q: body.q,
    });
    const only = body.rigs ? new Set(body.rigs) : null;
    const rigs = page.rows.filter((r) => r.kind === 'asic' && (only === null || only.has(r.rig))).map((r) => r.rig);
    if (rigs.length === 0) throw new ApiError(409, 'no_rigs', 'no ASIC rig of this site matches the filters');
    const pace = body.pace_pct_per_minute ?? config.actions.bulk.pace_pct_per_minute;
    res.status(202).json(bulk.start(site, state.siteRigCount(site), rigs, body.action, by, pace));
  });

  // Newest first, paged (contract/paging.ts); a bad site is a 400, not silently every site.
  router.get('/actions/bulk', (req, res) => {
    const { site, offset, limit } = parse(BulkListQuery, req.query, 'invalid_parameter');
    res.json(pageOf(res, bulk.list(site), { offset, limit }));
  });
  router.get('/actions/bulk/:bulk', (req, res) => {
    const progress = bulk.get(String(req.params.bulk));
    if (!progress) throw new ApiError(404, 'bulk_not_found', `no bulk action ${req.params.bulk}`);
    res.json(progress);
  });
  router.post('/actions/bulk/:bulk/cancel', (req, res) => {
    const progress = bulk.get(String(req.params.bulk));
    if (!progress) throw new ApiError(404, 'bulk_not_found', `no bulk action ${req.params.bulk}`);
    actor(res, progress.site);
    res.json(bulk.cancel(progress.id));
  });

  router.get('/actions', (req, res) => {
    const query = parse(ListQuery, req.query, 'invalid_parameter');
    const { total, items } = service.list(query);
    res.setHeader(TOTAL_COUNT_HEADER, String(total));
    res.json({ total, offset: query.offset, limit: query.limit, items: items.map(publicRecord) });
  });
  router.get('/actions/:action', (req, res) => {
    const record = service.get(String(req.params.action));
    if (!record) throw new ApiError(404, 'action_not_found', `no action ${req.params.action}`);
    res.json(publicRecord(record));
  });
  return router;
}
