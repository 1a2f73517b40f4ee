import { Router } from 'express';
import { z } from 'zod';
import { AlertActionBody, AlertState, isValidId, TOTAL_COUNT_HEADER } from '../contract/index.js';
import type { AlertEngine } from '../alerts/engine.js';
import type { WebhookStats } from '../alerts/webhooks.js';
import type { AlertWorkflow } from '../alerts/workflow.js';
import { actorOf } from './actor.js';
import { ApiError } from './errors.js';
import { pageFields } from './paging.js';
import { invalidParameter } from './params.js';

const ListParams = z
  .object({
    /** 'active' (default) is open and acknowledged together. */
    state: z.union([AlertState, z.enum(['active', 'all'])]).default('active'),
    site: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must match [a-z0-9-], 1 to 64 characters').optional(),
    rig: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must match [a-z0-9-], 1 to 64 characters').optional(),
    ...pageFields('alerts'),
  })
  .strict();

/**
 * GET /api/alerts, /api/alerts/stats, /api/alerts/:id, POST /api/alerts/:id/ack and /resolve. Acks and resolutions
 * record the signed-in user (actor.ts), never a name from the body; `workflow` adds notes and silences to answers.
 */
export function alertRoutes(engine: AlertEngine, webhookStats: () => WebhookStats[] = () => [], workflow?: AlertWorkflow): Router {
  const show = <T extends Parameters<AlertWorkflow['decorate']>[0]>(alert: T) => (workflow ? workflow.decorate(alert) : alert);
  const router = Router();

  // Before /alerts/:id, which would take 'stats' for an id. A failing webhook shows here (failed, dropped, queued).
  router.get('/alerts/stats', (_req, res) => {
    res.json({ ...engine.counts(), webhooks: webhookStats() });
  });

  router.get('/alerts', (req, res) => {
    const parsed = ListParams.safeParse(req.query);
    if (!parsed.success) throw invalidParameter(parsed.error, req.query);
    const { total, items } = engine.listPage(parsed.data);
    res.setHeader(TOTAL_COUNT_HEADER, String(total));
    res.json(items.map(show));
  });

  router.get('/alerts/:id', (req, res) => {
    const alert = isValidId(req.params.id) ? engine.get(req.params.id) : null;
    if (!alert) throw new ApiError(404, 'alert_not_found', `no alert ${req.params.id}`);
    res.json(show(alert));
  });

  for (const action of ['ack', 'resolve'] as const) {
    router.post(`/alerts/:id/${action}`, (req, res) => {
      const body = AlertActionBody.safeParse(req.body ?? {});
      if (!body.success) throw invalidParameter(body.error, req.body);
      const id = req.params.id as string;
      const by = actorOf(res);
      const result = !isValidId(id) ? ({ error: 'not_found' } as const) : action === 'ack' ? engine.acknowledge(id, by) : engine.resolve(id, by);
      if ('error' in result) {
        if (result.error === 'not_found') throw new ApiError(404, 'alert_not_found', `no alert ${id}`);
        throw new ApiError(409, 'alert_resolved', `alert ${id} is already resolved`);
      }
      if (body.data.note) workflow?.addNote(id, by, body.data.note);
      res.json(show(result.alert));
    });
  }

  return router;
}
