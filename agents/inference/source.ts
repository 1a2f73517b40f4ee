import { SCHEMA_VERSION, type GpuSample, type InferenceBlock, type Sample } from '../../server/contract/index.js';
import type { PollResult, PollSource } from '../source.js';
import { InferenceRates } from './rates.js';
import { readInferenceMetrics, type ServerSetting } from './reading.js';
import { fetchBounded, MAX_METRICS_BYTES } from '../../server/util/fetch-bounded.js';

export interface InferenceSourceOptions {
  site: string;
  rig: string;
  url: string;
  server: ServerSetting;
  timeoutMs?: number;
  intervalS: number;
  maxBytes?: number;
}

export type InferenceResult = { ok: true; block: InferenceBlock; warnings: string[]; commit: () => void } | { ok: false; error: string };

/** Scrapes one inference server and keeps the previous reading, so each call yields rates since the last. */
export class InferenceScraper {
  private readonly rates = new InferenceRates();

  constructor(private readonly options: Pick<InferenceSourceOptions, 'url' | 'server' | 'timeoutMs' | 'maxBytes'>) {}

  get description(): string {
    return `inference server ${this.options.url}`;
  }

  async scrape(ts: number): Promise<InferenceResult> {
    let text: string;
    try {
      text = await fetchBounded(this.options.url, this.options.timeoutMs ?? 5000, this.options.maxBytes ?? MAX_METRICS_BYTES);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') return { ok: false, error: `${this.options.url} timed out` };
      // fetch() says only "fetch failed"; the reason (ECONNREFUSED…) is in its cause.
      const cause = e.cause?.code ?? e.cause?.message;
      return { ok: false, error: e.message.includes(this.options.url) ? e.message : `${this.options.url}: ${e.message}${cause ? ` (${cause})` : ''}` };
    }
    const read = readInferenceMetrics(text, this.options.server);
    if (!read.ok) return { ok: false, error: `${this.options.url}: ${read.error}` };
    const warnings = read.malformed > 0 ? [`${read.malformed} malformed lines in ${this.options.url}`] : [];
    const { block, commit } = this.rates.compute(read.reading, ts);
    return { ok: true, block, warnings, commit };
  }
}

/** The contract's node-level tokens/s: generated tokens, the basis of MLPerf's and the planner's tokens/s. */
export function attachInference(sample: GpuSample, block: InferenceBlock | null, errors: string[]): GpuSample {
  return {
    ...sample,
    inference: block,
    tokens_per_s: block?.generation_tokens_per_s ?? sample.tokens_per_s,
    errors: [...sample.errors, ...errors].slice(0, 64).map((e) => e.slice(0, 512)),
  };
}

/**
 * A node with an inference server and no nvidia-smi or DCGM source: a GPU sample without GPUs, carrying the
 * inference block, so the node still reports the work it does.
 */
export function createInferenceSource(options: InferenceSourceOptions): PollSource {
  const scraper = new InferenceScraper(options);
  return {
    rig: options.rig,
    description: scraper.description,
    async poll(): Promise<PollResult> {
      const ts = Date.now();
      const result = await scraper.scrape(ts);
      if (!result.ok) return { ok: false, error: result.error };
      result.commit();
      const sample: GpuSample = {
        schema: SCHEMA_VERSION,
        kind: 'gpu',
        site: options.site,
        rig: options.rig,
        ts,
        interval_s: options.intervalS,
        host_model: null,
        driver_version: null,
        gpus: [],
        tokens_per_s: null,
        power_w: null,
        power_source: null,
        errors: [],
      };
      return { ok: true, samples: [attachInference(sample, result.block, result.warnings)] };
    },
  };
}

/**
 * Joins an inference server to the GPU source of the same rig: both are read at once, and the block rides on
 * that rig's GPU sample. An inference server that does not answer costs only its block (null, with the reason in
 * `errors`), never the GPU sample.
 */
export function withInference(gpu: PollSource, scraper: InferenceScraper): PollSource {
  return {
    rig: gpu.rig,
    description: `${gpu.description} + ${scraper.description}`,
    async poll(): Promise<PollResult> {
      // One clock for both: the scrape starts first (spawning nvidia-smi can take a while on a busy host), and the
      // joined sample carries the scrape's time, so stored rates and sample times agree.
      const ts = Date.now();
      const scraping = scraper.scrape(ts);
      const [result, inference] = await Promise.all([gpu.poll(), scraping]);
      if (!result.ok) return result; // no sample: the scrape is not committed, the next rates reach back further
      if (inference.ok) inference.commit();
      const samples: Sample[] = result.samples.map((s) => {
        if (s.kind !== 'gpu' || s.rig !== gpu.rig) return s;
        return inference.ok ? { ...attachInference(s, inference.block, inference.warnings), ts } : attachInference(s, null, [inference.error]);
      });
      return { ok: true, samples };
    },
    close: gpu.close?.bind(gpu),
  };
}
