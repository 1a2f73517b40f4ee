/** Ranges this close are merged into one backfill (one query pair instead of many over nearly the same minutes). */
const MERGE_GAP_MS = 5 * 60_000;
/** More ranges than this and the two nearest are merged: memory stays bounded whatever the late data. */
const MAX_RANGES = 64;

export interface LateRange {
  /** Oldest and newest late sample time, ms. */
  from: number;
  to: number;
  /** Not before this time: the minutes it covers must be closed first. */
  readyAt: number;
  /** What must have left the write buffers before it runs; taken when it first becomes ready. */
  barrier?: number[];
}

/**
 * Sample times whose rollups must be recomputed from raw points (InfluxStore.backfillLate), bounded and merged.
 * A range is handed out once its time has come and the write buffers have written everything queued up to then.
 */
export class LateRanges {
  private ranges: LateRange[] = [];

  add(from: number, to: number, readyAt: number): void {
    const near = this.ranges.find((r) => from <= r.to + MERGE_GAP_MS && to >= r.from - MERGE_GAP_MS);
    if (near) {
      [near.from, near.to, near.readyAt] = [Math.min(near.from, from), Math.max(near.to, to), Math.max(near.readyAt, readyAt)];
      delete near.barrier; // more was queued since the barrier was taken
      return;
    }
    this.ranges.push({ from, to, readyAt });
    if (this.ranges.length > MAX_RANGES) this.mergeNearest();
  }

  /**
   * The first range whose time has come and whose barrier (snapshot() when it first became ready) passed() says is
   * written; it is removed. null when none is.
   */
  takeReady(now: number, snapshot: () => number[], passed: (barrier: number[]) => boolean): LateRange | null {
    const index = this.ranges.findIndex((r) => r.readyAt <= now);
    if (index < 0) return null;
    const range = this.ranges[index] as LateRange;
    range.barrier ??= snapshot();
    if (!passed(range.barrier)) return null;
    this.ranges.splice(index, 1);
    return range;
  }

  hasReady(now: number): boolean {
    return this.ranges.some((r) => r.readyAt <= now);
  }

  get size(): number {
    return this.ranges.length;
  }

  private mergeNearest(): void {
    this.ranges.sort((a, b) => a.from - b.from);
    let best = 0;
    for (let i = 1; i < this.ranges.length - 1; i++) {
      const gap = (this.ranges[i + 1] as LateRange).from - (this.ranges[i] as LateRange).to;
      if (gap < (this.ranges[best + 1] as LateRange).from - (this.ranges[best] as LateRange).to) best = i;
    }
    const [a, b] = [this.ranges[best] as LateRange, this.ranges[best + 1] as LateRange];
    this.ranges.splice(best, 2, { from: Math.min(a.from, b.from), to: Math.max(a.to, b.to), readyAt: Math.max(a.readyAt, b.readyAt) });
  }
}
