import type { SeriesPoint, SeriesQuery } from '../types.js';
import type { InfluxV1, QueryResult } from './http-v1.js';
import { quoteIdent } from './line-protocol.js';
import { RESOLUTION_MS, RP } from './rollups.js';
import { MEASUREMENTS } from './schema.js';

export type Source = typeof RP.raw | typeof RP.m1 | typeof RP.h1;

export interface SourcePolicy {
  /** false: no retention policies or rollups (InfluxDB 2.x via DBRP, InfluxDB 3): always raw, default RP. */
  rollups: boolean;
  rawRetentionMs: number;
  rollup1mRetentionMs: number;
  /** Ranges at least this long read the 1-minute rollup (when the step is whole minutes). */
  rollup1mFromRangeMs: number;
  rollup1hFromRangeMs: number;
  /** How long after a minute ends its 1-minute rollup is written (default ROLLUP_LAG_MS: a CQ's run). */
  rollup1mLagMs?: number;
}

/**
 * Which data answers a query. A rollup only serves steps that are whole multiples of its resolution (so every
 * bucket is a union of whole rollup intervals and its mean is exact); it is chosen for long ranges, or when the
 * range starts before raw data is kept.
 */
export function chooseSource(query: SeriesQuery, now: number, policy: SourcePolicy): Source {
  if (!policy.rollups) return RP.raw;
  const range = query.to - query.from;
  const age = now - query.from;
  const fits = (source: typeof RP.m1 | typeof RP.h1): boolean => query.stepMs % RESOLUTION_MS[source] === 0;
  if (fits(RP.h1) && (range >= policy.rollup1hFromRangeMs || age > policy.rollup1mRetentionMs)) return RP.h1;
  if (fits(RP.m1) && (range >= policy.rollup1mFromRangeMs || age > policy.rawRetentionMs)) return RP.m1;
  if (age > policy.rawRetentionMs) return query.stepMs >= RESOLUTION_MS[RP.h1] ? RP.h1 : RP.m1;
  return RP.raw;
}

/**
 * Rollups are written some time after their interval ends (a CQ's run, or the server's grace for late samples);
 * until then the last interval or two are read from raw data. The rig 1-hour CQ runs hourly over two hours, so an
 * hour is complete at the second run after it (rollups.ts).
 */
const ROLLUP_LAG_MS = { [RP.m1]: 2 * 60_000, [RP.h1]: 2 * 3_600_000 + 5 * 60_000 } as const;

/**
 * Where raw data takes over from a rollup: the start of the step bucket holding (now − lag), so that every bucket
 * comes whole from one source. Before `from` means the rollup is not used at all.
 */
export function rawTailStart(query: SeriesQuery, source: Source, now: number, m1LagMs: number = ROLLUP_LAG_MS[RP.m1]): number {
  if (source === RP.raw) return query.from;
  const ready = now - (source === RP.m1 ? m1LagMs : ROLLUP_LAG_MS[source]);
  return Math.max(query.from, Math.floor(ready / query.stepMs) * query.stepMs);
}

/**
 * InfluxQL for one source over [from, to). Every interpolated value is validated upstream (id matches
 * [a-z0-9-], metric is one of SERIES_METRICS, times and step are integers) and is still quoted and escaped here.
 */
export function seriesStatement(db: string, rp: Source | null, query: SeriesQuery, from: number, to: number): string {
  const measurement = query.scope === 'site' ? MEASUREMENTS.site : MEASUREMENTS.rig;
  const tag = query.scope === 'site' ? 'site' : 'rig';
  const target = rp ? `${quoteIdent(db)}.${quoteIdent(rp)}.${quoteIdent(measurement)}` : quoteIdent(measurement);
  const value =
    rp === null || rp === RP.raw
      ? `mean(${quoteIdent(query.metric)})`
      : `sum(${quoteIdent(`${query.metric}_sum`)}) / sum(${quoteIdent(`${query.metric}_count`)})`;
  const [lo, hi, step] = [from, to, query.stepMs].map((n) => {
    if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
    return n;
  });
  return (
    `SELECT ${value} AS "v" FROM ${target} WHERE ${quoteIdent(tag)} = $id ` +
    `AND time >= ${lo}ms AND time < ${hi}ms GROUP BY time(${step}ms) fill(none)`
  );
}

function rows(result: QueryResult | undefined): [number, number | null][] {
  return (result?.series?.[0]?.values ?? []).map((row) => [Number(row[0]), typeof row[1] === 'number' ? row[1] : null]);
}

/**
 * Answers a series query in the same shape as the memory store: one point per step-aligned bucket over [from, to),
 * null where there is no data.
 */
export async function querySeries(influx: InfluxV1, db: string, policy: SourcePolicy, query: SeriesQuery, now = Date.now()): Promise<SeriesPoint[]> {
  const source = chooseSource(query, now, policy);
  const tail = rawTailStart(query, source, now, policy.rollup1mLagMs);
  const values = new Map<number, number | null>();
  const statements: string[] = [];
  const rawRp = policy.rollups ? RP.raw : null;
  if (source !== RP.raw && tail > query.from) statements.push(seriesStatement(db, source, query, query.from, tail));
  if (tail < query.to) statements.push(seriesStatement(db, rawRp, query, tail, query.to));
  if (statements.length > 0) {
    const results = await influx.query(statements.join('; '), { params: { id: query.id } });
    for (const result of results) for (const [ts, v] of rows(result)) values.set(ts, v);
  }
  const start = Math.floor(query.from / query.stepMs) * query.stepMs;
  const buckets = Math.max(0, Math.ceil((query.to - start) / query.stepMs));
  return Array.from({ length: buckets }, (_, i) => {
    const ts = start + i * query.stepMs;
    return { ts, value: values.get(ts) ?? null };
  });
}
