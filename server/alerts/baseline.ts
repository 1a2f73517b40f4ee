/**
 * Per-rig memory the stateful rules need, sized for fleets of 100,000 rigs: a fixed ring of bucket means for the
 * hashrate median, and a few share-counter snapshots for the reject rate.
 */

const SLOTS = 60;

/**
 * Hashrate baseline: the median of per-bucket means over the last `windowMs` (60 buckets), excluding the bucket
 * in progress so a sudden drop does not drag its own baseline down. Median rather than mean: one bad minute
 * (a reboot, a pool switch) does not move it.
 */
export class MedianBaseline {
  private readonly sums = new Float32Array(SLOTS);
  private readonly counts = new Uint16Array(SLOTS);
  private lastBucket = -1;
  private cachedFor = -1;
  private cached: number | null = null;

  constructor(
    private readonly windowMs: number,
    /** Buckets with data needed before a median is given. */
    private readonly minBuckets: number,
  ) {}

  private get bucketMs(): number {
    return this.windowMs / SLOTS;
  }

  add(now: number, value: number): void {
    const bucket = Math.floor(now / this.bucketMs);
    if (bucket > this.lastBucket) {
      // Clear the slots of buckets skipped since the last sample (at most the whole ring).
      const from = this.lastBucket < 0 ? bucket - SLOTS + 1 : Math.max(this.lastBucket + 1, bucket - SLOTS + 1);
      for (let b = from; b <= bucket; b++) {
        const slot = ((b % SLOTS) + SLOTS) % SLOTS;
        this.sums[slot] = 0;
        this.counts[slot] = 0;
      }
      this.lastBucket = bucket;
    } else if (bucket < this.lastBucket) {
      return; // the clock went back: ignore rather than corrupt the ring
    }
    const slot = bucket % SLOTS;
    this.sums[slot] = (this.sums[slot] as number) + value;
    this.counts[slot] = Math.min(65_535, (this.counts[slot] as number) + 1);
  }

  /** Median over completed buckets in the window; null until `minBuckets` of them have data. */
  median(now: number): number | null {
    const current = Math.floor(now / this.bucketMs);
    if (current === this.cachedFor) return this.cached;
    const means: number[] = [];
    for (let b = current - SLOTS + 1; b < current; b++) {
      if (b > this.lastBucket || b < this.lastBucket - SLOTS + 1) continue;
      const slot = ((b % SLOTS) + SLOTS) % SLOTS;
      const count = this.counts[slot] as number;
      if (count > 0) means.push((this.sums[slot] as number) / count);
    }
    let result: number | null = null;
    if (means.length >= this.minBuckets && means.length > 0) {
      means.sort((a, b) => a - b);
      const mid = means.length >> 1;
      result = means.length % 2 ? (means[mid] as number) : ((means[mid - 1] as number) + (means[mid] as number)) / 2;
    }
    this.cachedFor = current;
    this.cached = result;
    return result;
  }
}

interface ShareSnapshot {
  t: number;
  accepted: number;
  rejected: number;
}

export interface RejectRate {
  rate: number;
  shares: number;
}

/**
 * Reject rate from deltas of the cumulative accepted/rejected counters over a sliding window: lifetime totals
 * would hide a problem that started an hour ago behind weeks of good shares. A counter that goes down (reboot,
 * pool switch) restarts the window.
 */
export class ShareWindow {
  private readonly snapshots: ShareSnapshot[] = [];

  constructor(private readonly windowMs: number) {}

  /** Records the counters; returns the rate over the window, or null with too few new shares to judge. */
  add(now: number, accepted: number, rejected: number, minShares: number): RejectRate | null {
    const last = this.snapshots[this.snapshots.length - 1];
    if (last && (accepted < last.accepted || rejected < last.rejected)) this.snapshots.length = 0;
    while (this.snapshots.length > 1 && (this.snapshots[1] as ShareSnapshot).t <= now - this.windowMs) this.snapshots.shift();
    const base = this.snapshots[0];
    const latest = this.snapshots[this.snapshots.length - 1];
    if (!latest || now - latest.t >= this.windowMs / 10) this.snapshots.push({ t: now, accepted, rejected });
    if (!base) return null;
    const dAccepted = accepted - base.accepted;
    const dRejected = rejected - base.rejected;
    const shares = dAccepted + dRejected;
    return shares >= minShares ? { rate: dRejected / shares, shares } : null;
  }
}
