/**
 * Log-bucketed latency histogram (about 4% resolution from 1 ms to ~10 days) for the store's publish → stored lag.
 * Fixed memory; quantiles are bucket upper bounds, which is precise enough for p50/p99 reporting.
 */
const GROWTH = 1.04;
const BUCKETS = 600;
const LOG_GROWTH = Math.log(GROWTH);

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  max: number | null = null;

  /** Records `count` observations of `ms` (a message's samples share their publish time). */
  record(ms: number, count = 1): void {
    const v = Math.max(0, ms);
    const i = v < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(v) / LOG_GROWTH));
    this.counts[i] = (this.counts[i] as number) + count;
    this.total += count;
    if (this.max === null || v > this.max) this.max = v;
  }

  get count(): number {
    return this.total;
  }

  /** Upper bound of the bucket holding the q-quantile, in ms (rounded); null before the first record. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return i === 0 ? 1 : Math.min(Math.round(GROWTH ** i), Math.round(this.max ?? Infinity));
    }
    return this.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.max = null;
  }
}
