import { Router, type Request } from 'express';
import { z } from 'zod';
import { isValidId } from '../contract/index.js';
import { SERIES_METRICS, type HistoryStore, type SeriesPoint, type SeriesQuery } from '../store/types.js';
import { ApiError } from './errors.js';
import { durationMs, invalidParameter } from './params.js';

/** Whether a rig or site exists for the series routes: live, configured, or with history in the store. */
export interface SeriesSubjects {
  known(scope: SeriesQuery['scope'], id: string): boolean;
}

const MAX_POINTS = 5000;
/** Times are bound to what a JavaScript Date can hold (ECMA-262 §21.4.1.22, ±8.64e15 ms) and start at the epoch. */
const MAX_TIME_MS = 8.64e15;

/** Accepts epoch milliseconds, ISO 8601, or relative '-1h' / '-30m' / '-7d' (relative to now). */
const timeParam = z.string().max(40).transform((raw, ctx) => {
  const relative = raw.startsWith('-') ? durationMs(raw.slice(1)) : null;
  const value = relative !== null ? Date.now() - relative : /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds, an ISO 8601 time, or a time ago such as -10m, -24h or -7d' });
    return z.NEVER;
  }
  // '-99999999999999999999d' or a 20-digit epoch would otherwise reach the store as a time no query can hold.
  if (value < 0 || value > MAX_TIME_MS) {
    ctx.addIssue({ code: 'custom', message: 'must be a time from 1970 to the year 275760' });
    return z.NEVER;
  }
  return value;
});

const STEP_MESSAGE = 'must be a number of seconds or a duration such as 10s, 5m, 1h or 1d, from 1 s to 31 days';
/** Bucket width: seconds ("300") or a duration like `from` takes ("10s", "5m", "1h"); in milliseconds. */
const stepParam = z.string().max(20).transform((raw, ctx) => {
  const ms = durationMs(raw);
  if (ms === null || ms < 1000 || ms > 31 * 86_400_000) {
    ctx.addIssue({ code: 'custom', message: STEP_MESSAGE });
    return z.NEVER;
  }
  return ms;
});

const rangeParams = {
  from: timeParam.optional(),
  to: timeParam.optional(),
  /** Bucket width; defaults to about 300 points over the range, in whole minutes or hours past those (defaultStepMs). */
  step: stepParam.optional(),
};
const SeriesParams = z.object({ metric: z.enum(SERIES_METRICS), ...rangeParams }).strict();

type Range = Pick<SeriesQuery, 'from' | 'to' | 'stepMs'>;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * About 300 points over the span, rounded up to whole minutes once a step reaches a minute, and to whole hours once it
 * reaches an hour. Buckets start at multiples of the step since the epoch (SQLite: bucketed(); InfluxDB: GROUP BY
 * time), and the rollup tiers stamp each row at the start of its minute or hour: with a step such as 7 days / 300 =
 * 33.6 min, a bucket edge could fall inside a minute, and that minute's row then landed in the bucket before the one
 * holding its samples (a sparse series showed a gap where it had data).
 */
function defaultStepMs(spanMs: number): number {
  const step = Math.max(1, Math.ceil(spanMs / 300_000)) * 1000;
  const unit = step >= HOUR_MS ? HOUR_MS : step >= MINUTE_MS ? MINUTE_MS : 1000;
  return Math.ceil(step / unit) * unit;
}

function rangeOf(data: { from?: number; to?: number; step?: number }): Range {
  const to = data.to ?? Date.now();
  const from = data.from ?? to - 3_600_000;
  if (from >= to) throw new ApiError(400, 'invalid_parameter', 'from must be before to');
  const stepMs = data.step ?? defaultStepMs(to - from);
  if ((to - from) / stepMs > MAX_POINTS) {
    throw new ApiError(400, 'invalid_parameter', `from, to and step give ${Math.ceil((to - from) / stepMs)} points; at most ${MAX_POINTS} are allowed: widen step or narrow the range`);
  }
  return { from, to, stepMs };
}

function checkId(id: string): void {
  if (!isValidId(id)) throw new ApiError(400, 'invalid_parameter', `id must be 1 to 64 characters of a-z, 0-9 and - (got '${id.slice(0, 64)}')`);
}

/** Parses and bounds series parameters; no query text is ever built from unvalidated input. */
export function parseSeriesQuery(scope: SeriesQuery['scope'], id: string, req: Request): SeriesQuery {
  checkId(id);
  const parsed = SeriesParams.safeParse(req.query);
  if (!parsed.success) throw invalidParameter(parsed.error, req.query);
  return { scope, id, metric: parsed.data.metric, ...rangeOf(parsed.data) };
}

const PARTS = { board: ['hashrate_ths', 'temp_c', 'chip_temp_c'], fan: ['fan_rpm'] } as const;
const ComponentParams = z
  .object({ part: z.enum(['board', 'fan']), metric: z.enum(['hashrate_ths', 'temp_c', 'chip_temp_c', 'fan_rpm']), ...rangeParams })
  .strict();

export function historyRoutes(store: HistoryStore, subjects: SeriesSubjects): Router {
  const router = Router();
  /** 404 for a rig or site nobody knows: live, configured, or in history (a store that cannot tell: any point). */
  const answer = async (query: SeriesQuery): Promise<{ points: SeriesPoint[] }> => {
    const inStore = store.has?.(query.scope, query.id);
    if (!subjects.known(query.scope, query.id) && inStore === false) throw notFound(query.scope, query.id);
    const points = await store.series(query);
    if (inStore === undefined && !subjects.known(query.scope, query.id) && points.every((p) => p.value === null)) throw notFound(query.scope, query.id);
    return { points };
  };
  router.get('/sites/:id/series', async (req, res) => {
    const query = parseSeriesQuery('site', req.params.id, req);
    res.json({ ...query, ...(await answer(query)), coverage: store.coverage?.() ?? null });
  });
  router.get('/rigs/:id/series', async (req, res) => {
    const query = parseSeriesQuery('rig', req.params.id, req);
    res.json({ ...query, ...(await answer(query)), coverage: store.coverage?.() ?? null });
  });
  /** Per-hashboard (hashrate, board and chip temperature) or per-fan history of one rig. */
  router.get('/rigs/:id/components', async (req, res) => {
    const id = req.params.id;
    checkId(id);
    const parsed = ComponentParams.safeParse(req.query);
    if (!parsed.success) throw invalidParameter(parsed.error, req.query);
    const { part, metric } = parsed.data;
    if (!(PARTS[part] as readonly string[]).includes(metric)) {
      throw new ApiError(400, 'invalid_parameter', `metric must be one of ${PARTS[part].join(', ')} for part ${part} (got '${metric}')`);
    }
    if (!subjects.known('rig', id) && store.has?.('rig', id) !== true) throw notFound('rig', id);
    const range = rangeOf(parsed.data);
    const series = store.components ? await store.components(id, part, metric, range) : [];
    res.json({ rig: id, part, metric, ...range, series, coverage: store.coverage?.() ?? null, supported: Boolean(store.components) });
  });
  return router;
}

function notFound(scope: SeriesQuery['scope'], id: string): ApiError {
  return new ApiError(404, `${scope}_not_found`, `no ${scope} ${id}: it is not reporting and has no history`);
}
