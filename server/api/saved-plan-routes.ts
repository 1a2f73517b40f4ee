import { Router } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/http-guard.js';
import type { PlanResult } from '../planner/contract.js';
import { SavedPlans, SavedPlansFullError, summarize } from '../plans/saved-plans.js';
import { ApiError } from './errors.js';
import { pageOf, parsePage } from './paging.js';
import { requesterOf } from './plan-routes.js';

const NewPlan = z.object({
  name: z.string().trim().min(1, 'required').max(120, 'at most 120 characters'),
  input: z.record(z.string(), z.unknown(), { error: 'expected the plan input (a JSON object)' }),
});

export type RunPlan = (body: unknown, requester: string) => Promise<{ input: Record<string, unknown>; result: PlanResult }>;

/**
 * Saved plans: `GET /plans` (summaries, newest first), `GET /plans/:id` (with its input), `POST /plans`
 * `{ name, input }` (the server runs the input itself, so the saved summary is what that input really plans), and
 * `DELETE /plans/:id` (its author or an admin). Who may call which: ROUTE_POLICY (reads: any role; writes: plans:write).
 */
export function savedPlanRoutes(plans: SavedPlans, runPlan: RunPlan): Router {
  const router = Router();
  const find = (id: string) => {
    const plan = plans.get(id);
    if (!plan) throw new ApiError(404, 'plan_not_found', `no saved plan ${id}`);
    return plan;
  };

  // Paged (contract/paging.ts); the body keeps its { plans } shape, the total is in X-Total-Count.
  router.get('/plans', (req, res) => {
    const page = parsePage('plans', req.query);
    res.json({ plans: pageOf(res, plans.list(), page) });
  });
  router.get('/plans/:id', (req, res) => res.json(find(req.params.id)));

  router.post('/plans', async (req, res) => {
    const parsed = NewPlan.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(400, 'invalid_body', issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body');
    }
    const author = principalOf(res)?.username ?? 'anonymous';
    const { input, result } = await runPlan(parsed.data.input, requesterOf(req, res));
    try {
      const saved = plans.add({ name: parsed.data.name, author, input, summary: summarize(result) });
      res.status(201).location(`/api/plans/${saved.id}`).json(saved);
    } catch (err) {
      if (err instanceof SavedPlansFullError) throw new ApiError(409, 'plans_full', err.message);
      throw err;
    }
  });

  router.delete('/plans/:id', (req, res) => {
    const plan = find(req.params.id);
    const principal = principalOf(res);
    if (principal?.role !== 'admin' && plan.author !== (principal?.username ?? 'anonymous')) {
      throw new ApiError(403, 'not_author', `plan ${plan.id} was saved by ${plan.author}: only its author or an admin may delete it`);
    }
    plans.delete(plan.id);
    res.status(204).end();
  });
  return router;
}
