import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GpuSample } from '../../../server/contract/index.js';
import { quantile } from '../../../agents/inference/histogram.js';
import { counterRate, InferenceRates } from '../../../agents/inference/rates.js';
import { readInferenceMetrics } from '../../../agents/inference/reading.js';
import { createInferenceSource, InferenceScraper, withInference } from '../../../agents/inference/source.js';
import { parseAgentConfig } from '../../../agents/runtime/config.js';
import { buildSources } from '../../../agents/runtime/sources.js';
import type { PollSource } from '../../../agents/source.js';
import { scaleHistogram, setMetric, startFakeInferenceServer, type FakeInferenceServer } from '../../helpers/fake-inference.js';

const fixture = (file: string): string => readFileSync(`test/fixtures/inference/${file}`, 'utf8');

function read(file: string) {
  const result = readInferenceMetrics(fixture(file), 'auto');
  if (!result.ok) throw new Error(result.error);
  expect(result.malformed).toBe(0);
  return { reading: result.reading, block: new InferenceRates().update(result.reading, 1_000) };
}

// Figures read by hand from each capture. Percentiles interpolate inside the bucket the rank falls in, as
// Prometheus's histogram_quantile() does; worked examples are in the comments.
describe('inference /metrics parsers on every capture', () => {
  it('vLLM 0.4.3 (V0 engine)', () => {
    const { reading, block } = read('datadog__vllm-0.4.3-opt-125m.prom');
    expect(block.server).toBe('vllm');
    expect(block.model).toBe('facebook/opt-125m');
    expect(reading.counters).toEqual({ promptTokens: 5, generationTokens: 7, requests: 1 });
    expect([block.requests_running, block.requests_waiting, block.kv_cache_usage_pct]).toEqual([0, 0, 0]);
    // One request, TTFT bucket (0.25, 0.5]: p50 = 0.25 + 0.25 × 0.5 = 0.375 s; p99 = 0.25 + 0.25 × 0.99 s.
    expect(block.ttft_p50_ms).toBe(375);
    expect(block.ttft_p99_ms).toBe(497.5);
    // The first scrape has nothing to take a rate against.
    expect([block.prompt_tokens_per_s, block.generation_tokens_per_s, block.requests_per_s]).toEqual([null, null, null]);
  });

  it('vLLM V1 engine, idle', () => {
    const { reading, block } = read('hardware-aware-router__vllm-v1-qwen1.5-0.5b-chat.prom');
    expect(block.server).toBe('vllm');
    expect(block.model).toBe('Qwen/Qwen1.5-0.5B-Chat');
    expect(reading.counters).toEqual({ promptTokens: 0, generationTokens: 0, requests: 0 });
    expect(block.kv_cache_usage_pct).toBe(0); // V1's kv_cache_usage_perc
    expect(reading.tpot).not.toBeNull(); // V1's inter_token_latency_seconds
    // Nothing observed: no percentile rather than a made-up 0.
    expect([block.ttft_p50_ms, block.ttft_p99_ms, block.tpot_p50_ms]).toEqual([null, null, null]);
  });

  it('vLLM under Ray Serve (ray_vllm: prefix, constructed from docs)', () => {
    const { reading, block } = read('ray-serve-vllm-constructed-from-docs.prom');
    expect(block.server).toBe('vllm');
    expect(block.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(reading.counters).toEqual({ promptTokens: 120000, generationTokens: 48000, requests: 200 });
    expect([block.requests_running, block.requests_waiting, block.kv_cache_usage_pct]).toEqual([12, 3, 42]);
    // TTFT 200 observations: rank 100 in (0.1, 0.25] holding 40..120 → 0.1 + 0.15 × 60/80 = 0.2125 s;
    // rank 198 in (0.5, 1] holding 190..200 → 0.5 + 0.5 × 8/10 = 0.9 s.
    expect(block.ttft_p50_ms).toBe(212.5);
    expect(block.ttft_p99_ms).toBe(900);
    // Inter-token latency rank 23,900 in (0.01, 0.025] holding 0..24,000 → 24.94 ms.
    expect(block.tpot_p50_ms).toBe(24.94);
  });

  it('SGLang docs capture under load (sum before buckets, long TTFT tail)', () => {
    const { reading, block } = read('sglang-docs__sglang-llama-3.1-8b-instruct.prom');
    expect(block.server).toBe('sglang');
    expect(block.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(reading.counters.promptTokens).toBe(8_128_902);
    expect(reading.counters.generationTokens).toBe(7_557_572);
    expect(reading.counters.requests).toBe(11_228); // e2e latency histogram count: this SGLang has no request counter
    expect([block.requests_running, block.requests_waiting, block.kv_cache_usage_pct]).toEqual([162, 2826, 28]);
    // 2,513 of 11,008 first tokens came within 30 s: the median lies in +Inf, reported as the last finite bound.
    expect(block.ttft_p50_ms).toBe(30_000);
    expect(block.tpot_p50_ms).toBeGreaterThan(75);
    expect(block.tpot_p50_ms).toBeLessThan(100); // 4.95 M of 7.56 M per-token times within 0.1 s
  });

  it('SGLang 0.5.10 (modern names)', () => {
    const { reading, block } = read('datadog__sglang-0.5.10.post1-opt-125m.prom');
    expect(block.server).toBe('sglang');
    expect(block.model).toBe('facebook/opt-125m');
    expect(reading.counters).toEqual({ promptTokens: 5, generationTokens: 32, requests: 1 });
    expect(block.kv_cache_usage_pct).toBe(25);
    expect(reading.tpot).not.toBeNull(); // inter_token_latency_seconds
  });

  it('TGI (counters without _total, le after the other labels, no model label)', () => {
    const { reading, block } = read('datadog__tgi-unknown-version.prom');
    expect(block.server).toBe('tgi');
    expect(block.model).toBeNull();
    expect(reading.counters).toEqual({ promptTokens: 662, generationTokens: 3423, requests: 109 });
    expect([block.requests_running, block.requests_waiting]).toEqual([0, 0]);
    expect(block.ttft_p50_ms).toBeNull(); // TGI has no time-to-first-token metric
    expect(block.tpot_p50_ms).not.toBeNull();
    expect(block.kv_cache_usage_pct).toBeNull();
  });

  it('Triton (requests per model, no tokens)', () => {
    const { reading, block } = read('datadog__triton-2.38.0-densenet.prom');
    expect(block.server).toBe('triton');
    expect(block.model).toBe('densenet_onnx'); // the model that served the requests
    expect(reading.counters).toEqual({ promptTokens: null, generationTokens: null, requests: 3 });
    expect(block.requests_waiting).toBe(0);
  });

  it('NIM (vLLM names without the prefix)', () => {
    const { reading, block } = read('datadog__nim-1.0.0-llama-3.1-8b-instruct.prom');
    expect(block.server).toBe('nim');
    expect(block.model).toBe('meta/llama-3.1-8b-instruct');
    expect(reading.counters).toEqual({ promptTokens: 109, generationTokens: 174, requests: 5 });
    // 5 TTFTs: rank 2.5 in (0.02, 0.04] holding 2..4 → 25 ms; rank 4.95 in (0.5, 0.75] holding 4..5 → 737.5 ms.
    expect(block.ttft_p50_ms).toBe(25);
    expect(block.ttft_p99_ms).toBe(737.5);
  });

  it('llama.cpp server (constructed from docs)', () => {
    const { reading, block } = read('llamacpp-constructed-from-docs.prom');
    expect(block.server).toBe('llamacpp');
    expect(reading.counters).toEqual({ promptTokens: 33065, generationTokens: 7801, requests: null });
    expect([block.requests_running, block.requests_waiting, block.kv_cache_usage_pct]).toEqual([1, 2, 12.5]);
  });

  it('a named server must be in the reply; unknown metrics are refused', () => {
    const vllm = fixture('datadog__vllm-0.4.3-opt-125m.prom');
    expect(readInferenceMetrics(vllm, 'vllm').ok).toBe(true);
    expect(readInferenceMetrics(vllm, 'sglang')).toEqual({ ok: false, error: 'no sglang metrics in the reply' });
    expect(readInferenceMetrics('node_cpu_seconds_total 5\n', 'auto').ok).toBe(false);
    expect(readInferenceMetrics('<html>nope</html>', 'auto').ok).toBe(false);
  });
});

describe('rates between polls', () => {
  const base = fixture('datadog__vllm-0.4.3-opt-125m.prom');
  const at = (prompt: number, gen: number, requests: number, ttftScale = 1): string =>
    scaleHistogram(
      setMetric(setMetric(setMetric(base, 'vllm:prompt_tokens_total', prompt), 'vllm:generation_tokens_total', gen), 'vllm:request_success_total', requests),
      'vllm:time_to_first_token_seconds',
      ttftScale,
    );
  const reading = (text: string) => {
    const r = readInferenceMetrics(text, 'auto');
    if (!r.ok) throw new Error(r.error);
    return r.reading;
  };

  it('counters become per-second rates, and a counter reset counts from zero', () => {
    const rates = new InferenceRates();
    rates.update(reading(at(1000, 500, 10)), 0);
    const second = rates.update(reading(at(3000, 1500, 30)), 10_000);
    expect(second.prompt_tokens_per_s).toBe(200);
    expect(second.generation_tokens_per_s).toBe(100);
    expect(second.requests_per_s).toBe(2);
    // The server restarted: counters went back down. 400 tokens since the restart, over 10 s.
    const third = rates.update(reading(at(400, 200, 4)), 20_000);
    expect(third.prompt_tokens_per_s).toBe(40);
    expect(third.generation_tokens_per_s).toBe(20);
    expect(third.requests_per_s).toBe(0.4);
    const fourth = rates.update(reading(at(900, 700, 9)), 25_000);
    expect(fourth.prompt_tokens_per_s).toBe(100);
  });

  it('percentiles come from the window only; an idle window has none', () => {
    const rates = new InferenceRates();
    rates.update(reading(at(1, 1, 1, 1)), 0);
    const busy = rates.update(reading(at(2, 2, 2, 4)), 1_000); // 3 new observations, same bucket as the first
    expect(busy.ttft_p50_ms).toBe(375);
    const idle = rates.update(reading(at(2, 2, 2, 4)), 2_000);
    expect(idle.ttft_p50_ms).toBeNull();
    expect(idle.prompt_tokens_per_s).toBe(0);
  });

  it('counterRate handles unknowns', () => {
    expect(counterRate(null, 1, 1)).toBeNull();
    expect(counterRate(5, null, 1)).toBeNull();
    expect(counterRate(5, 1, 0)).toBeNull();
    expect(counterRate(5, 1, 2)).toBe(2);
  });

  it('quantile follows histogram_quantile', () => {
    const h = { buckets: [{ le: 1, count: 0 }, { le: 2, count: 10 }, { le: Infinity, count: 10 }], count: 10, sum: 15 };
    expect(quantile(0.5, h)).toBe(1.5);
    expect(quantile(0.5, { ...h, buckets: [{ le: Infinity, count: 0 }] })).toBeNull();
  });
});

describe('inference source', () => {
  let server: FakeInferenceServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  const capture = fixture('datadog__nim-1.0.0-llama-3.1-8b-instruct.prom');

  it('without nvidia-smi, a node still sends a GPU sample (no GPUs) with its inference block', async () => {
    server = await startFakeInferenceServer((n) => setMetric(capture, 'generation_tokens_total', 174 + n * 1000));
    const source = createInferenceSource({ site: 'tx-1', rig: 'gpu-node-01', url: server.url, server: 'auto', intervalS: 1 });
    const first = await source.poll();
    const second = await source.poll();
    expect(first.ok && second.ok).toBe(true);
    if (!second.ok) return;
    const sample = GpuSample.parse(second.samples[0]);
    expect(sample.gpus).toEqual([]);
    expect(sample.inference?.server).toBe('nim');
    expect(sample.inference?.generation_tokens_per_s).toBeGreaterThan(0);
    expect(sample.tokens_per_s).toBe(sample.inference?.generation_tokens_per_s);
  });

  it('joins the GPU sample of its rig; a dead server costs only the block', async () => {
    const gpu: PollSource = {
      rig: 'gpu-node-01',
      description: 'fake GPUs',
      poll: async () => ({
        ok: true,
        samples: [
          { schema: 1, kind: 'gpu', site: 'tx-1', rig: 'gpu-node-01', ts: 1, interval_s: 1, host_model: null, driver_version: null, gpus: [], tokens_per_s: null, power_w: 700, power_source: 'measured', errors: [] },
        ],
      }),
    };
    server = await startFakeInferenceServer(() => capture);
    const joined = withInference(gpu, new InferenceScraper({ url: server.url, server: 'auto', timeoutMs: 2000 }));
    const ok = await joined.poll();
    expect(ok.ok && ok.samples[0]?.kind === 'gpu' && ok.samples[0].inference?.model).toBe('meta/llama-3.1-8b-instruct');
    // A GPU poll that fails sends nothing, so its scrape is not the base of the next rates.
    let gpuUp = true;
    const flaky: PollSource = { ...gpu, poll: async () => (gpuUp ? gpu.poll() : { ok: false, error: 'nvidia-smi timed out' }) };
    const counting = await startFakeInferenceServer((n) => setMetric(capture, 'generation_tokens_total', n * 1000));
    const withFlaky = withInference(flaky, new InferenceScraper({ url: counting.url, server: 'auto', timeoutMs: 2000 }));
    const first = await withFlaky.poll(); // scrape 0, sent
    gpuUp = false;
    expect((await withFlaky.poll()).ok).toBe(false); // scrape 1, nothing sent
    gpuUp = true;
    const after = await withFlaky.poll(); // scrape 2: 2,000 tokens since the last sample sent
    await counting.close();
    const [s0, s2] = [first, after].map((r) => (r.ok ? r.samples[0] : undefined));
    if (s0?.kind !== 'gpu' || s2?.kind !== 'gpu' || !s2.inference) throw new Error('no inference block');
    expect(s2.inference.generation_tokens_per_s).toBeCloseTo(2000 / ((s2.ts - s0.ts) / 1000), 1);
    const dead = withInference(gpu, new InferenceScraper({ url: 'http://127.0.0.1:1/metrics', server: 'auto', timeoutMs: 2000 }));
    const result = await dead.poll();
    expect(result.ok).toBe(true);
    if (!result.ok || result.samples[0]?.kind !== 'gpu') return;
    expect(result.samples[0].inference).toBeNull();
    expect(result.samples[0].power_w).toBe(700);
    expect(result.samples[0].errors.join()).toMatch(/127\.0\.0\.1:1/);
  });

  it('refuses a reply over the size limit', async () => {
    const big = createServer((_req, res) => {
      res.writeHead(200);
      res.end('x'.repeat(64 * 1024));
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(big.address() as AddressInfo).port}/metrics`;
    const result = await new InferenceScraper({ url, server: 'auto', maxBytes: 1024 }).scrape(Date.now());
    await new Promise<void>((resolve) => big.close(() => resolve()));
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.error).toMatch(/limit/);
  });

  it('config: an inference source shares its GPU node rig; two on one rig or on a miner are refused', () => {
    const base = { site: 'tx-1', agent_id: 'agent-1' };
    const config = parseAgentConfig({
      ...base,
      sources: [
        { type: 'nvidia-smi', rig: 'gpu-node-01' },
        { type: 'inference', rig: 'gpu-node-01', url: 'http://127.0.0.1:8000/metrics' },
        { type: 'inference', rig: 'gpu-node-02', url: 'http://127.0.0.1:8001/metrics', server: 'sglang' },
      ],
    });
    const sources = buildSources(config);
    expect(sources.map((s) => s.rig)).toEqual(['gpu-node-01', 'gpu-node-02']);
    expect(sources[0]?.description).toMatch(/nvidia-smi.*\+ inference server/);
    expect(() =>
      parseAgentConfig({
        ...base,
        sources: [
          { type: 'cgminer', host: '10.0.0.2', rig: 'miner-1' },
          { type: 'inference', rig: 'miner-1', url: 'http://127.0.0.1:8000/metrics' },
          { type: 'inference', rig: 'miner-1', url: 'http://127.0.0.1:8001/metrics' },
          { type: 'inference', rig: 'gpu-9', url: 'ftp://127.0.0.1/metrics', server: 'bogus' },
        ],
      }),
    ).toThrow(/sources\.1\.rig: miner-1 is the ASIC rig[\s\S]*sources\.2\.rig: miner-1 already has|sources\.3/);
  });
});
