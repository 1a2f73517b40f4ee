import { COLUMNS, type Values } from './schema.js';

/**
 * The parts of a rig (hashboards, fans) packed into one row as little-endian float32s: [boards, fans, then per board
 * hashrate_ths, temp_c, chip_temp_c, then per fan rpm]; NaN where a figure is unknown. One row per rig and minute
 * rather than one per board and fan keeps a 30-day minute tier of a fleet to a third of the size.
 */
export const BOARD_FIGURES = ['hashrate_ths', 'temp_c', 'chip_temp_c'] as const;

export interface Parts {
  boards: (number | null)[][];
  fans: (number | null)[];
}

export interface Bucket {
  sid: number;
  ts: number;
  n: number;
  sums: Float64Array;
  counts: Uint32Array;
  /** Per-part sums and counts, in the packed order; null for series without parts (sites). */
  partSums: Float64Array | null;
  partCounts: Uint32Array | null;
  boards: number;
  fans: number;
}

/**
 * Means in the making, per series and bucket (a minute or an hour). Buckets are handed over once they have ended
 * (take); a sample arriving later for a bucket already handed over starts a new one that the database merges by
 * weight.
 */
export class BucketAccumulator {
  private readonly buckets = new Map<number, Bucket>();

  constructor(readonly bucketMs: number) {}

  add(sid: number, ts: number, values: Values, parts: Parts | null): void {
    const index = Math.floor(ts / this.bucketMs);
    // A numeric key (sid above, bucket index below 2^26 ≈ year 2097 in minutes) avoids a string per sample.
    const key = sid * 67_108_864 + index;
    let bucket = this.buckets.get(key);
    const boards = parts?.boards.length ?? 0;
    const fans = parts?.fans.length ?? 0;
    if (!bucket || (parts && (bucket.boards !== boards || bucket.fans !== fans))) {
      if (bucket) this.buckets.delete(key); // the rig changed shape mid-bucket: start again rather than misalign
      const width = parts ? boards * BOARD_FIGURES.length + fans : 0;
      bucket = {
        sid, ts: index * this.bucketMs, n: 0, sums: new Float64Array(COLUMNS.length), counts: new Uint32Array(COLUMNS.length),
        partSums: parts ? new Float64Array(width) : null, partCounts: parts ? new Uint32Array(width) : null, boards, fans,
      };
      this.buckets.set(key, bucket);
    }
    bucket.n++;
    for (let i = 0; i < COLUMNS.length; i++) {
      const value = values[COLUMNS[i] as keyof Values];
      if (value === null || value === undefined || !Number.isFinite(value)) continue;
      bucket.sums[i] = (bucket.sums[i] as number) + value;
      bucket.counts[i] = (bucket.counts[i] as number) + 1;
    }
    if (parts && bucket.partSums && bucket.partCounts) {
      let j = 0;
      const put = (value: number | null): void => {
        if (value !== null && Number.isFinite(value)) {
          (bucket as Bucket).partSums![j] = ((bucket as Bucket).partSums![j] as number) + value;
          (bucket as Bucket).partCounts![j] = ((bucket as Bucket).partCounts![j] as number) + 1;
        }
        j++;
      };
      for (const board of parts.boards) for (const v of board) put(v);
      for (const rpm of parts.fans) put(rpm);
    }
  }

  /** Removes and returns the buckets that ended at or before `before` (all of them when it is Infinity). */
  take(before: number): Bucket[] {
    const out: Bucket[] = [];
    for (const [key, bucket] of this.buckets) {
      if (bucket.ts + this.bucketMs > before) continue;
      out.push(bucket);
      this.buckets.delete(key);
    }
    return out;
  }
}

/** A bucket's mean per column, null where no sample had the figure. */
export function means(bucket: Bucket): (number | null)[] {
  return COLUMNS.map((_, i) => ((bucket.counts[i] as number) > 0 ? (bucket.sums[i] as number) / (bucket.counts[i] as number) : null));
}

/** The packed part means of a bucket, or null when it has no parts. */
export function packParts(bucket: Bucket): Buffer | null {
  if (!bucket.partSums || !bucket.partCounts) return null;
  const out = new Float32Array(2 + bucket.partSums.length);
  out[0] = bucket.boards;
  out[1] = bucket.fans;
  for (let i = 0; i < bucket.partSums.length; i++) {
    const count = bucket.partCounts[i] as number;
    out[2 + i] = count > 0 ? (bucket.partSums[i] as number) / count : NaN;
  }
  return Buffer.from(out.buffer);
}

/** One figure of every hashboard ("b0", "b1"…) or fan ("f0"…) from a packed row. */
export function unpackParts(blob: Buffer, scope: 'board' | 'fan', figure: string): { id: string; value: number | null }[] {
  const f = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
  const boards = f[0] as number;
  const fans = f[1] as number;
  const value = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v);
  if (scope === 'fan') return Array.from({ length: fans }, (_, i) => ({ id: `f${i}`, value: value(f[2 + boards * BOARD_FIGURES.length + i]) }));
  const k = (BOARD_FIGURES as readonly string[]).indexOf(figure);
  if (k < 0) return [];
  return Array.from({ length: boards }, (_, i) => ({ id: `b${i}`, value: value(f[2 + i * BOARD_FIGURES.length + k]) }));
}
