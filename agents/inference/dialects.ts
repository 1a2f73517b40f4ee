import type { InferenceServer } from '../../server/contract/index.js';
import type { Histogram, MetricSet } from './metrics.js';

/**
 * How to read one inference server's /metrics: one row per server, like the cgminer family table. Every reader
 * is pure. Counters are running totals (turned into rates in rates.ts); gauges are read as they are; histograms
 * are cumulative and turned into percentiles of what was observed between polls.
 */
export interface Reading {
  server: InferenceServer;
  model: string | null;
  counters: { promptTokens: number | null; generationTokens: number | null; requests: number | null };
  running: number | null;
  waiting: number | null;
  /** KV-cache use, percent 0..100. */
  kvCachePct: number | null;
  /** Histograms in seconds. */
  ttft: Histogram | null;
  tpot: Histogram | null;
}

export interface Dialect {
  server: InferenceServer;
  /** Whether a scrape's metric names are this server's (`server: auto`). */
  detect(metrics: MetricSet): boolean;
  read(metrics: MetricSet): Reading;
}

const ratioPct = (ratio: number | null): number | null => (ratio === null ? null : Math.min(100, Math.max(0, ratio * 100)));

/** The first name that is present, so one dialect covers several releases of a server. */
function pick(metrics: MetricSet, names: readonly string[]): string | null {
  return names.find((n) => metrics.has(n)) ?? null;
}
const sumOf = (metrics: MetricSet, names: readonly string[]): number | null => {
  const name = pick(metrics, names);
  return name === null ? null : metrics.sum(name);
};
const histogramOf = (metrics: MetricSet, names: readonly string[]): Histogram | null => {
  for (const name of names) {
    const h = metrics.histogram(name);
    if (h) return h;
  }
  return null;
};

/** Scales a histogram's bounds (Triton reports milliseconds, the readings are in seconds). */
function scaled(h: Histogram | null, factor: number): Histogram | null {
  return h && { buckets: h.buckets.map((b) => ({ le: b.le * factor, count: b.count })), count: h.count, sum: h.sum * factor };
}

/**
 * vLLM and the servers built on it. `prefix` is `vllm:` (docs.vllm.ai "Production Metrics"), `ray_vllm:` when
 * vLLM runs inside Ray Serve (Ray prefixes every custom metric with `ray_`), or '' for NVIDIA NIM, which exports
 * vLLM's metrics without a prefix. V0 names KV use `gpu_cache_usage_perc` and per-token time
 * `time_per_output_token_seconds`; V1 has `kv_cache_usage_perc` and `inter_token_latency_seconds`. Both are ratios
 * 0..1 despite the name. Ray exports counters with or without `_total`.
 */
function readVllmFamily(server: InferenceServer, metrics: MetricSet, prefixes: readonly string[]): Reading {
  const names = (...bases: string[]): string[] => prefixes.flatMap((p) => bases.map((b) => `${p}${b}`));
  const counter = (base: string): number | null => sumOf(metrics, names(`${base}_total`, base));
  const requests = sumOf(metrics, names('request_success_total', 'request_success')) ?? metrics.histogram(names('e2e_request_latency_seconds')[0] as string)?.count ?? null;
  return {
    server,
    model: metrics.label('model_name', names('generation_tokens_total', 'generation_tokens', 'num_requests_running')),
    counters: { promptTokens: counter('prompt_tokens'), generationTokens: counter('generation_tokens'), requests },
    running: sumOf(metrics, names('num_requests_running')),
    waiting: sumOf(metrics, names('num_requests_waiting')),
    kvCachePct: ratioPct(sumOfMean(metrics, names('kv_cache_usage_perc', 'gpu_cache_usage_perc'))),
    ttft: histogramOf(metrics, names('time_to_first_token_seconds')),
    tpot: histogramOf(metrics, names('time_per_output_token_seconds', 'request_time_per_output_token_seconds', 'inter_token_latency_seconds')),
  };
}

/** A gauge that is a ratio per engine: the mean over label sets, not the sum. */
function sumOfMean(metrics: MetricSet, names: readonly string[]): number | null {
  const name = pick(metrics, names);
  if (name === null) return null;
  const list = metrics.samples(name).filter((s) => Number.isFinite(s.value));
  return list.length === 0 ? null : list.reduce((sum, s) => sum + s.value, 0) / list.length;
}

const startsWith = (metrics: MetricSet, prefix: string): boolean => {
  for (const name of metrics.names()) if (name.startsWith(prefix)) return true;
  return false;
};

export const DIALECTS: readonly Dialect[] = [
  {
    server: 'vllm',
    detect: (m) => startsWith(m, 'vllm:') || startsWith(m, 'ray_vllm:'),
    read: (m) => readVllmFamily('vllm', m, startsWith(m, 'vllm:') ? ['vllm:'] : ['ray_vllm:']),
  },
  {
    // docs.sglang.ai "Production Metrics"; older releases name per-token time time_per_output_token_seconds, newer
    // inter_token_latency_seconds. token_usage is the KV pool's used fraction 0..1.
    server: 'sglang',
    detect: (m) => startsWith(m, 'sglang:'),
    read: (m) => ({
      server: 'sglang',
      model: m.label('model_name', ['sglang:generation_tokens_total', 'sglang:num_running_reqs']),
      counters: {
        promptTokens: m.sum('sglang:prompt_tokens_total'),
        generationTokens: m.sum('sglang:generation_tokens_total'),
        requests: m.sum('sglang:num_requests_total') ?? m.histogram('sglang:e2e_request_latency_seconds')?.count ?? null,
      },
      running: m.sum('sglang:num_running_reqs'),
      waiting: m.sum('sglang:num_queue_reqs'),
      kvCachePct: ratioPct(sumOfMean(m, ['sglang:token_usage'])),
      ttft: m.histogram('sglang:time_to_first_token_seconds'),
      tpot: histogramOf(m, ['sglang:time_per_output_token_seconds', 'sglang:inter_token_latency_seconds']),
    }),
  },
  {
    // llama.cpp tools/server/README.md "GET /metrics": counters llamacpp:prompt_tokens_total and
    // tokens_predicted_total, gauges requests_processing, requests_deferred and (until late 2025)
    // kv_cache_usage_ratio. No histograms and no request counter; no model label.
    server: 'llamacpp',
    detect: (m) => startsWith(m, 'llamacpp:'),
    read: (m) => ({
      server: 'llamacpp',
      model: null,
      counters: { promptTokens: m.sum('llamacpp:prompt_tokens_total'), generationTokens: m.sum('llamacpp:tokens_predicted_total'), requests: null },
      running: m.sum('llamacpp:requests_processing'),
      waiting: m.sum('llamacpp:requests_deferred'),
      kvCachePct: ratioPct(m.sum('llamacpp:kv_cache_usage_ratio')),
      ttft: null,
      tpot: null,
    }),
  },
  {
    // Hugging Face TGI (router/src/server.rs metrics): token totals are the sums of the per-request
    // input_length and generated_tokens histograms; counters carry no `_total`. No time-to-first-token metric.
    server: 'tgi',
    detect: (m) => startsWith(m, 'tgi_'),
    read: (m) => ({
      server: 'tgi',
      model: null,
      counters: {
        promptTokens: m.sum('tgi_request_input_length_sum'),
        generationTokens: m.sum('tgi_request_generated_tokens_sum'),
        requests: m.sum('tgi_request_success'),
      },
      running: m.sum('tgi_batch_current_size'),
      waiting: m.sum('tgi_queue_size'),
      kvCachePct: null,
      ttft: null,
      tpot: m.histogram('tgi_request_mean_time_per_token_duration'),
    }),
  },
  {
    // NVIDIA NIM for LLMs: vLLM's metric names without the `vllm:` prefix.
    server: 'nim',
    detect: (m) => m.has('num_requests_running') && (m.has('generation_tokens_total') || m.has('prompt_tokens_total')),
    read: (m) => readVllmFamily('nim', m, ['']),
  },
  {
    // Triton (docs "Metrics"): request counters and durations per model, no token counts (those come from a
    // TensorRT-LLM backend's own metrics). nv_inference_first_response_histogram_ms exists for decoupled models.
    server: 'triton',
    detect: (m) => startsWith(m, 'nv_inference_'),
    read: (m) => ({
      server: 'triton',
      model: m.label('model', ['nv_inference_request_success']),
      counters: { promptTokens: null, generationTokens: null, requests: m.sum('nv_inference_request_success') },
      running: null,
      waiting: m.sum('nv_inference_pending_request_count'),
      kvCachePct: null,
      ttft: scaled(m.histogram('nv_inference_first_response_histogram_ms'), 1 / 1000),
      tpot: null,
    }),
  },
];

export function dialectFor(server: InferenceServer): Dialect {
  return DIALECTS.find((d) => d.server === server) as Dialect;
}

/** `server: auto`: the first dialect whose metric names the scrape has, in table order. */
export function detectDialect(metrics: MetricSet): Dialect | null {
  return DIALECTS.find((d) => d.detect(metrics)) ?? null;
}
