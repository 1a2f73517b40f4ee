import type { Histogram } from './metrics.js';

/**
 * The q-quantile of a cumulative histogram, as Prometheus's histogram_quantile() computes it
 * (prometheus/promql/quantile.go): linear interpolation inside the bucket the rank falls in, the first bucket's lower
 * bound taken as 0; a rank in the +Inf bucket gives the highest finite bound. null when nothing was observed.
 */
export function quantile(q: number, h: Histogram): number | null {
  const buckets = h.buckets;
  const total = buckets.at(-1)?.count ?? 0;
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      if (b.count === prevCount) return b.le;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/**
 * What a histogram observed between two scrapes: bucket by bucket, now minus before. null when the histogram was
 * reset (a bucket went down: the server restarted) or its bounds changed, so a restart never yields a negative
 * distribution; the caller then reads the new histogram as it is, which holds only what came after the restart.
 */
export function histogramDelta(now: Histogram, before: Histogram): Histogram | null {
  if (now.buckets.length !== before.buckets.length) return null;
  const buckets: Histogram['buckets'] = [];
  for (let i = 0; i < now.buckets.length; i++) {
    const a = now.buckets[i] as Histogram['buckets'][number];
    const b = before.buckets[i] as Histogram['buckets'][number];
    if (a.le !== b.le || a.count < b.count) return null;
    buckets.push({ le: a.le, count: a.count - b.count });
  }
  return { buckets, count: now.count - before.count, sum: now.sum - before.sum };
}
