import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { principalOf } from '../auth/http-guard.js';
import type { Config } from '../config/schema.js';
import type { PlanResult } from '../planner/contract.js';
import type { FleetState } from '../fleet/state.js';
import { PlanInputError } from '../planner/evaluate.js';
import { PlanBusyError, PlannerPool } from '../planner/pool.js';
import { PlannerTimeoutError } from '../planner/runner.js';
import type { HistoryStore } from '../store/types.js';
import { ApiError } from './errors.js';
import { buildBaseline } from './plan-baseline.js';

export interface PlanDeps {
  state: FleetState;
  store: HistoryStore;
  config: Config;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `window=24h` / `90m` / `7d` (up to 90 days); defaults to config `planner.window_hours`. */
function windowMs(raw: unknown, defaultHours: number): number {
  if (raw === undefined) return defaultHours * UNIT_MS.h;
  const match = typeof raw === 'string' ? /^(\d+)(m|h|d)$/.exec(raw) : null;
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!(ms > 0 && ms <= 90 * UNIT_MS.d)) throw new ApiError(400, 'invalid_parameter', 'window: must be N followed by m, h or d, up to 90d');
  return ms;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Who a plan is queued for (turns and `planner.max_queued_per_user`): the signed-in user (cookie or token alike, so
 * minting tokens buys no extra turns), else the client address (anonymous demo visitors).
 */
export function requesterOf(req: Request, res: Response): string {
  const principal = principalOf(res);
  if (principal?.username) return `user:${principal.username}`;
  if (principal?.tokenId) return `token:${principal.tokenId}`;
  return `address:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

/** The routes that take a plan input (POST), as express matches them: any case, trailing slash optional. */
const PLAN_BODY_PATHS = new Set(['/plan', '/plans']);

/**
 * JSON body parser of the plan routes (POST /plan, POST /plans) with `planner.max_body_bytes`: the largest valid plan
 * (10,000 named sites) is ~1.3 MB, over the 1 MB every other route keeps. Mounted before the API's general parser,
 * which then skips the body already read. A plain middleware, not a route, so the route guard still judges each
 * request by the route that handles it.
 */
export function planBodyParser(config: Config): RequestHandler {
  const parse = express.json({ limit: config.planner.max_body_bytes });
  return (req, res, next) => {
    const path = req.path.toLowerCase().replace(/(.)\/$/, '$1');
    if (req.method === 'POST' && PLAN_BODY_PATHS.has(path)) parse(req, res, next);
    else next();
  };
}

/**
 * Planner API: `GET /plan/baseline` (live baseline and a ready plan input) and `POST /plan` (the plan). A posted
 * site without `efficiency_jth` takes the efficiency measured by live telemetry over the baseline window. Plans run
 * on a worker thread (PlannerRunner), so solving never stalls ingest.
 */
export function planRoutes(deps: PlanDeps, runPlan = planRunner(deps)): Router {
  const { state, store, config } = deps;
  const router = Router();
  router.get('/plan/baseline', async (req, res) => {
    res.json(await buildBaseline(state, store, config, windowMs(req.query.window, config.planner.window_hours)));
  });
  router.post('/plan', async (req, res) => {
    res.json((await runPlan(req.body, requesterOf(req, res))).result);
  });
  return router;
}

/**
 * Runs a posted plan input: a site without `efficiency_jth` takes the efficiency measured over the baseline window.
 * Returns the input as run (efficiencies filled in) and the plan; bad input → 400 invalid_plan.
 */
export function planRunner(
  { state, store, config }: PlanDeps,
  planner = new PlannerPool({ workers: config.planner.workers, maxQueuedPerUser: config.planner.max_queued_per_user }),
): (body: unknown, requester: string) => Promise<{ input: Record<string, unknown>; result: PlanResult }> {
  return async (posted, requester) => {
    if (!isRecord(posted)) throw new ApiError(400, 'invalid_plan', '(input): expected a JSON object');
    const body: Record<string, unknown> = { ...posted };
    if (Array.isArray(body.sites) && body.sites.some((s) => isRecord(s) && s.efficiency_jth === undefined)) {
      const baseline = await buildBaseline(state, store, config, config.planner.window_hours * UNIT_MS.h);
      const measured = new Map(baseline.sites.map((s) => [s.id, s.efficiency_jth]));
      body.sites = body.sites.map((s: unknown) => {
        if (!isRecord(s) || s.efficiency_jth !== undefined) return s;
        const efficiency = typeof s.id === 'string' ? measured.get(s.id) : undefined;
        return efficiency == null ? s : { ...s, efficiency_jth: efficiency };
      });
    }
    try {
      return { input: body, result: await planner.run(requester, body) };
    } catch (err) {
      if (err instanceof PlanInputError) throw new ApiError(400, 'invalid_plan', err.problems.join('; '));
      if (err instanceof PlanBusyError) {
        throw new ApiError(429, 'plan_busy', `${err.message}: wait for one to finish`, { 'Retry-After': String(err.retryAfterS) });
      }
      if (err instanceof PlannerTimeoutError) throw new ApiError(503, 'plan_timeout', `${err.message}: plan fewer sites or turn off analysis.scenarios / analysis.tornado`);
      throw err;
    }
  };
}
