import type { Sample, SiteRollup } from '../contract/index.js';
import { sampleMetrics, siteMetrics, type MetricValues } from './metrics.js';
import type { HistoryStore, SeriesPoint, SeriesQuery, StoreCoverage, StoreStats } from './types.js';

interface Point {
  ts: number;
  values: MetricValues;
}

/** Fixed-capacity ring of points in arrival order; the oldest point is overwritten first. */
class Ring {
  private readonly items: Point[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  push(point: Point): void {
    if (this.items.length < this.capacity) this.items.push(point);
    else {
      this.items[this.head] = point;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  *inRange(from: number, to: number): Iterable<Point> {
    for (let i = 0; i < this.items.length; i++) {
      const point = this.items[(this.head + i) % this.items.length] as Point;
      if (point.ts >= from && point.ts < to) yield point;
    }
  }
}

/** Default store: bounded history in memory, lost on restart. For durable history use the InfluxDB store. */
export class MemoryStore implements HistoryStore {
  private readonly rigs = new Map<string, Ring>();
  private readonly sites = new Map<string, Ring>();
  private written = 0;

  constructor(private readonly maxPointsPerSeries: number) {}

  private ring(map: Map<string, Ring>, id: string): Ring {
    let ring = map.get(id);
    if (!ring) map.set(id, (ring = new Ring(this.maxPointsPerSeries)));
    return ring;
  }

  writeSamples(samples: readonly Sample[], onDurable?: () => void): void {
    for (const sample of samples) this.ring(this.rigs, sample.rig).push({ ts: sample.ts, values: sampleMetrics(sample) });
    this.written += samples.length;
    onDurable?.();
  }

  writeSiteRollups(ts: number, sites: readonly SiteRollup[]): void {
    for (const site of sites) this.ring(this.sites, site.id).push({ ts, values: siteMetrics(site) });
  }

  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    const ring = (query.scope === 'site' ? this.sites : this.rigs).get(query.id);
    return bucketMean(ring ? ring.inRange(query.from, query.to) : [], query);
  }

  has(scope: SeriesQuery['scope'], id: string): boolean {
    return (scope === 'site' ? this.sites : this.rigs).has(id);
  }

  coverage(): StoreCoverage {
    // A count bound, not a time bound: at a rig's polling interval, max_points_per_series samples back.
    return { kind: 'memory', durable: false, oldest: null, tiers: [{ resolution_ms: 0, retention_ms: null }] };
  }

  stats(): StoreStats {
    return { kind: 'memory', buffered: 0, dropped: 0, written: this.written };
  }

  async close(): Promise<void> {}
}

/** Means per step-aligned bucket over [from, to); empty buckets are null so charts show gaps, not zeros. */
export function bucketMean(points: Iterable<Point>, query: SeriesQuery): SeriesPoint[] {
  const start = Math.floor(query.from / query.stepMs) * query.stepMs;
  const buckets = Math.max(0, Math.ceil((query.to - start) / query.stepMs));
  const sums = new Float64Array(buckets);
  const counts = new Uint32Array(buckets);
  for (const point of points) {
    const value = point.values[query.metric];
    if (value === null) continue;
    const i = Math.floor((point.ts - start) / query.stepMs);
    if (i < 0 || i >= buckets) continue;
    sums[i] = (sums[i] as number) + value;
    counts[i] = (counts[i] as number) + 1;
  }
  return Array.from({ length: buckets }, (_, i) => ({
    ts: start + i * query.stepMs,
    value: counts[i] ? (sums[i] as number) / (counts[i] as number) : null,
  }));
}
