import type { InferenceBlock } from '../../server/contract/index.js';
import type { Reading } from './dialects.js';
import { histogramDelta, quantile } from './histogram.js';
import type { Histogram } from './metrics.js';

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/**
 * Per-second rate of a counter between two scrapes. A counter that went down was reset (the server restarted): as
 * Prometheus's rate() does, the new value is taken as what was counted since the reset. null without a previous
 * value, or when either is unknown.
 */
export function counterRate(now: number | null, before: number | null, seconds: number): number | null {
  if (now === null || before === null || !(seconds > 0)) return null;
  const increase = now >= before ? now - before : now;
  return increase / seconds;
}

function windowed(now: Histogram | null, before: Histogram | null | undefined): Histogram | null {
  if (!now) return null;
  if (before === undefined) return now; // first scrape: the server's lifetime distribution is all there is
  if (before === null) return now;
  return histogramDelta(now, before) ?? now;
}

const ms = (seconds: number | null): number | null => (seconds === null ? null : round(seconds * 1000, 2));

/**
 * Turns successive readings of one server into contract blocks. The first reading has no rates (nothing to
 * compare with) but does have gauges and lifetime percentiles; later ones report what happened since the previous
 * poll. Percentiles come from the observations of that window only, so a latency spike shows when it happens, not
 * diluted by the server's whole history; a window with no finished request has none (null), as nothing was measured.
 */
export class InferenceRates {
  private previous: { reading: Reading; ts: number } | null = null;

  update(reading: Reading, ts: number): InferenceBlock {
    const { block, commit } = this.compute(reading, ts);
    commit();
    return block;
  }

  /**
   * The block for this reading, and `commit` to make the reading the base of the next rates. A caller whose sample
   * is not sent (its GPU source failed) does not commit, so the next rates span back to the last sample sent.
   */
  compute(reading: Reading, ts: number): { block: InferenceBlock; commit: () => void } {
    const prev = this.previous && this.previous.reading.server === reading.server ? this.previous : null;
    const seconds = prev ? (ts - prev.ts) / 1000 : 0;
    const rate = (key: keyof Reading['counters'], digits: number): number | null => {
      const r = prev ? counterRate(reading.counters[key], prev.reading.counters[key], seconds) : null;
      return r === null ? null : round(r, digits);
    };
    const ttft = windowed(reading.ttft, prev ? prev.reading.ttft : undefined);
    const tpot = windowed(reading.tpot, prev ? prev.reading.tpot : undefined);
    const block: InferenceBlock = {
      server: reading.server,
      model: reading.model === null ? null : reading.model.slice(0, 512),
      prompt_tokens_per_s: rate('promptTokens', 2),
      generation_tokens_per_s: rate('generationTokens', 2),
      requests_per_s: rate('requests', 4),
      requests_running: nonNeg(reading.running),
      requests_waiting: nonNeg(reading.waiting),
      ttft_p50_ms: ms(ttft && quantile(0.5, ttft)),
      ttft_p99_ms: ms(ttft && quantile(0.99, ttft)),
      tpot_p50_ms: ms(tpot && quantile(0.5, tpot)),
      kv_cache_usage_pct: reading.kvCachePct === null ? null : round(reading.kvCachePct, 2),
    };
    return { block, commit: () => void (this.previous = { reading, ts }) };
  }
}

function nonNeg(value: number | null): number | null {
  return value === null || !Number.isFinite(value) || value < 0 ? null : value;
}
