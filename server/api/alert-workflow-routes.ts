import { Router } from 'express';
import { z } from 'zod';
import { AlertKind, isValidId } from '../contract/index.js';
import type { AlertEngine } from '../alerts/engine.js';
import type { AlertWorkflow } from '../alerts/workflow.js';
import { actorOf } from './actor.js';
import { ApiError } from './errors.js';
import { pageOf, parsePage } from './paging.js';
import { invalidParameter } from './params.js';

const Id = z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be 1 to 64 characters of a-z, 0-9 and -');
const Note = z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters');
const MAX_SILENCE_MS = 366 * 86_400_000;

const BulkBody = z.object({ ids: z.array(z.string().max(64)).min(1).max(1000), note: Note.optional() }).strict();
const NoteBody = z.object({ text: Note }).strict();
const SilenceBody = z
  .object({
    kind: z.enum(['silence', 'maintenance']).default('silence'),
    rule: AlertKind.nullable().default(null),
    site: Id.nullable().default(null),
    rig: Id.nullable().default(null),
    /** Epoch ms; a silence starts now unless told otherwise, a maintenance window usually later. */
    starts_at: z.number().int().min(0).optional(),
    ends_at: z.number().int().min(0),
    comment: z.string().trim().max(500).default(''),
  })
  .strict();

/**
 * POST /api/alerts/ack and /api/alerts/resolve (bulk, `{ ids, note? }`), POST /api/alerts/:id/notes, and
 * GET/POST /api/alerts/silences, DELETE /api/alerts/silences/:id. Under /api/alerts so the route policy gives writes
 * to those who may acknowledge (alerts:ack); mounted before alertRoutes, whose /alerts/:id would take 'silences'.
 */
export function alertWorkflowRoutes(engine: AlertEngine, workflow: AlertWorkflow): Router {
  const router = Router();

  for (const action of ['ack', 'resolve'] as const) {
    router.post(`/alerts/${action}`, (req, res) => {
      const body = BulkBody.safeParse(req.body ?? {});
      if (!body.success) throw invalidParameter(body.error, req.body);
      const by = actorOf(res);
      const results = [...new Set(body.data.ids)].map((id) => {
        if (!isValidId(id)) return { id, error: 'alert_not_found' };
        const result = action === 'ack' ? engine.acknowledge(id, by) : engine.resolve(id, by);
        if ('error' in result) return { id, error: result.error === 'not_found' ? 'alert_not_found' : 'alert_resolved' };
        if (body.data.note) workflow.addNote(id, by, body.data.note);
        return { id, alert: workflow.decorate(result.alert) };
      });
      res.json({ done: results.filter((r) => 'alert' in r).length, results });
    });
  }

  router.post('/alerts/:id/notes', (req, res) => {
    const id = req.params.id;
    const body = NoteBody.safeParse(req.body ?? {});
    if (!body.success) throw invalidParameter(body.error, req.body);
    if (!isValidId(id) || !engine.get(id)) throw new ApiError(404, 'alert_not_found', `no alert ${id}`);
    const notes = workflow.addNote(id, actorOf(res), body.data.text);
    if ('error' in notes) throw new ApiError(409, 'too_many_notes', `alert ${id} already has the most notes one alert may have`);
    res.status(201).json({ id, notes });
  });

  // Paged (contract/paging.ts); the body keeps its { silences } shape, the total is in X-Total-Count.
  router.get('/alerts/silences', (req, res) => {
    const page = parsePage('silences', req.query);
    res.json({ silences: pageOf(res, workflow.listSilences(), page) });
  });

  router.post('/alerts/silences', (req, res) => {
    const body = SilenceBody.safeParse(req.body ?? {});
    if (!body.success) throw invalidParameter(body.error, req.body);
    const now = Date.now();
    const input = { ...body.data, starts_at: body.data.starts_at ?? now };
    if (input.ends_at <= Math.max(now, input.starts_at)) throw new ApiError(400, 'invalid_parameter', 'ends_at must be after starts_at and in the future');
    if (input.ends_at - now > MAX_SILENCE_MS) throw new ApiError(400, 'invalid_parameter', 'ends_at must be within a year');
    if (input.kind === 'maintenance' && input.site === null && input.rig === null) {
      throw new ApiError(400, 'invalid_parameter', 'a maintenance window needs a site or a rig');
    }
    if (input.rule === null && input.site === null && input.rig === null) {
      throw new ApiError(400, 'invalid_parameter', 'a silence needs a rule, a site or a rig: silencing every alert everywhere is not allowed');
    }
    const silence = workflow.addSilence(input, actorOf(res));
    if ('error' in silence) throw new ApiError(409, 'too_many_silences', 'too many silences are active; remove one first');
    res.status(201).json(silence);
  });

  router.delete('/alerts/silences/:id', (req, res) => {
    const removed = /^[a-f0-9-]{1,36}$/.test(req.params.id) ? workflow.removeSilence(req.params.id) : null;
    if (!removed) throw new ApiError(404, 'silence_not_found', `no silence ${req.params.id}`);
    res.json(removed);
  });

  return router;
}
