import { parseExposition, type PromSample } from '../dcgm/exposition.js';

/** A histogram's cumulative buckets (upper bound → count, +Inf included), summed over the label sets kept. */
export interface Histogram {
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

/**
 * One scrape of a Prometheus endpoint, indexed by metric name. Counters and gauges of a name are summed over
 * their label sets (a vLLM with several engines, Triton with several models, `finished_reason` splits), so a
 * figure is the whole server's. The parser is agents/dcgm/exposition.ts (text format 0.0.4, malformed lines
 * skipped and counted).
 */
export class MetricSet {
  private readonly byName = new Map<string, PromSample[]>();
  readonly malformed: number;

  constructor(text: string) {
    const parsed = parseExposition(text);
    this.malformed = parsed.malformed;
    for (const sample of parsed.samples) {
      const list = this.byName.get(sample.name);
      if (list) list.push(sample);
      else this.byName.set(sample.name, [sample]);
    }
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  samples(name: string): readonly PromSample[] {
    return this.byName.get(name) ?? [];
  }

  /** Sum over every label set; null when the metric is absent or any value is not finite. */
  sum(name: string): number | null {
    const list = this.byName.get(name);
    if (!list || list.length === 0) return null;
    let total = 0;
    for (const s of list) {
      if (!Number.isFinite(s.value)) return null;
      total += s.value;
    }
    return total;
  }

  /** The histogram `name` (its `_bucket`, `_count` and `_sum` series), buckets summed across label sets. */
  histogram(name: string): Histogram | null {
    const bucketSeries = this.byName.get(`${name}_bucket`);
    if (!bucketSeries || bucketSeries.length === 0) return null;
    const byLe = new Map<number, number>();
    for (const s of bucketSeries) {
      const le = s.labels.le === undefined ? NaN : s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      if (Number.isNaN(le) || !Number.isFinite(s.value) || s.value < 0) return null;
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    }
    const buckets = [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
    const inf = buckets.at(-1);
    if (!inf || inf.le !== Infinity) return null;
    return { buckets, count: this.sum(`${name}_count`) ?? inf.count, sum: this.sum(`${name}_sum`) ?? 0 };
  }

  /** The most common value of a label over the given metrics, weighted by value (the busiest model), or null. */
  label(label: string, names: readonly string[]): string | null {
    const weight = new Map<string, number>();
    for (const name of names) {
      for (const s of this.samples(name)) {
        const value = s.labels[label];
        if (value === undefined || value === '') continue;
        weight.set(value, (weight.get(value) ?? 0) + (Number.isFinite(s.value) ? Math.max(0, s.value) : 0));
      }
    }
    let best: string | null = null;
    let bestWeight = -1;
    for (const [value, w] of weight) {
      if (w > bestWeight) [best, bestWeight] = [value, w];
    }
    return best;
  }
}
