import { Router } from 'express';
import { z } from 'zod';
import { AlertActionBody, AlertState, isValidId } from '../contract/index.js';
import type { AlertEngine } from '../alerts/engine.js';
import type { WebhookStats } from '../alerts/webhooks.js';
import { ApiError } from './errors.js';

const ListParams = z
  .object({
    /** 'active' (default) is open and acknowledged together. */
    state: z.union([AlertState, z.enum(['active', 'all'])]).default('active'),
    site: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must match [a-z0-9-], 1 to 64 characters').optional(),
    rig: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must match [a-z0-9-], 1 to 64 characters').optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();

function invalid(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  return new ApiError(400, 'invalid_parameter', `${issue?.path.join('.') || 'query'}: ${issue?.message}`);
}

/** GET /api/alerts, /api/alerts/stats, /api/alerts/:id, POST /api/alerts/:id/ack and /resolve. */
export function alertRoutes(engine: AlertEngine, webhookStats: () => WebhookStats[] = () => []): Router {
  const router = Router();

  // Before /alerts/:id, which would take 'stats' for an id. A failing webhook shows here (failed, dropped, queued).
  router.get('/alerts/stats', (_req, res) => {
    res.json({ ...engine.counts(), webhooks: webhookStats() });
  });

  router.get('/alerts', (req, res) => {
    const parsed = ListParams.safeParse(req.query);
    if (!parsed.success) throw invalid(parsed.error);
    res.json(engine.list(parsed.data));
  });

  router.get('/alerts/:id', (req, res) => {
    const alert = isValidId(req.params.id) ? engine.get(req.params.id) : null;
    if (!alert) throw new ApiError(404, 'alert_not_found', `no alert ${req.params.id}`);
    res.json(alert);
  });

  for (const action of ['ack', 'resolve'] as const) {
    router.post(`/alerts/:id/${action}`, (req, res) => {
      const body = AlertActionBody.safeParse(req.body ?? {});
      if (!body.success) throw invalid(body.error);
      const id = req.params.id as string;
      const result = !isValidId(id)
        ? ({ error: 'not_found' } as const)
        : action === 'ack'
          ? engine.acknowledge(id, body.data.by ?? null)
          : engine.resolve(id);
      if ('error' in result) {
        if (result.error === 'not_found') throw new ApiError(404, 'alert_not_found', `no alert ${id}`);
        throw new ApiError(409, 'alert_resolved', `alert ${id} is already resolved`);
      }
      res.json(result.alert);
    });
  }

  return router;
}
