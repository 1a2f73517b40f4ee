import { Router, type Request } from 'express';
import { z } from 'zod';
import { isValidId } from '../contract/index.js';
import { SERIES_METRICS, type HistoryStore, type SeriesQuery } from '../store/types.js';
import { ApiError } from './errors.js';

const MAX_POINTS = 5000;
/** Times are bound to what a JavaScript Date can hold (ECMA-262 §21.4.1.22, ±8.64e15 ms) and start at the epoch. */
const MAX_TIME_MS = 8.64e15;

/** Accepts epoch milliseconds, ISO 8601, or relative '-1h' / '-30m' / '-7d' (relative to now). */
const timeParam = z.string().max(40).transform((raw, ctx) => {
  const relative = /^-(\d+)(s|m|h|d)$/.exec(raw);
  const unit = relative ? { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[relative[2] as 's' | 'm' | 'h' | 'd'] : 0;
  const value = relative ? Date.now() - Number(relative[1]) * unit : /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be epoch ms, ISO 8601 or -N(s|m|h|d)' });
    return z.NEVER;
  }
  // '-99999999999999999999d' or a 20-digit epoch would otherwise reach the store as a time no query can hold.
  if (value < 0 || value > MAX_TIME_MS) {
    ctx.addIssue({ code: 'custom', message: 'must be a time from 1970 to the year 275760' });
    return z.NEVER;
  }
  return value;
});

const SeriesParams = z
  .object({
    metric: z.enum(SERIES_METRICS),
    from: timeParam.optional(),
    to: timeParam.optional(),
    /** Bucket width in seconds; defaults to about 300 points over the range. */
    step: z.coerce.number().int().min(1).max(31 * 86_400).optional(),
  })
  .strict();

/** Parses and bounds series parameters; no query text is ever built from unvalidated input. */
export function parseSeriesQuery(scope: SeriesQuery['scope'], id: string, req: Request): SeriesQuery {
  if (!isValidId(id)) throw new ApiError(400, 'invalid_parameter', 'id must match [a-z0-9-], 1 to 64 characters');
  const parsed = SeriesParams.safeParse(req.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(400, 'invalid_parameter', `${issue?.path.join('.') || 'query'}: ${issue?.message}`);
  }
  const to = parsed.data.to ?? Date.now();
  const from = parsed.data.from ?? to - 3_600_000;
  if (from >= to) throw new ApiError(400, 'invalid_parameter', 'from must be before to');
  const stepMs = (parsed.data.step ?? Math.max(1, Math.ceil((to - from) / 300_000))) * 1000;
  if ((to - from) / stepMs > MAX_POINTS) {
    throw new ApiError(400, 'invalid_parameter', `range / step gives more than ${MAX_POINTS} points`);
  }
  return { scope, id, metric: parsed.data.metric, from, to, stepMs };
}

export function historyRoutes(store: HistoryStore): Router {
  const router = Router();
  router.get('/sites/:id/series', async (req, res) => {
    const query = parseSeriesQuery('site', req.params.id, req);
    res.json({ ...query, points: await store.series(query) });
  });
  router.get('/rigs/:id/series', async (req, res) => {
    const query = parseSeriesQuery('rig', req.params.id, req);
    res.json({ ...query, points: await store.series(query) });
  });
  return router;
}
