import { describe, expect, it } from 'vitest';
import { GpuSample, type InferenceBlock } from '../../server/contract/index.js';
import { encodeSample } from '../../server/store/influx/schema.js';
import { sampleMetrics } from '../../server/store/metrics.js';

const block: InferenceBlock = {
  server: 'vllm',
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  prompt_tokens_per_s: 1200.5,
  generation_tokens_per_s: 2400,
  requests_per_s: 3.5,
  requests_running: 12,
  requests_waiting: 0,
  ttft_p50_ms: 212.5,
  ttft_p99_ms: null,
  tpot_p50_ms: 24.94,
  kv_cache_usage_pct: 42,
};
const sample = {
  schema: 1 as const,
  kind: 'gpu' as const,
  site: 'tx-1',
  rig: 'gpu-node-01',
  ts: 1_700_000_000_000,
  interval_s: 10,
  host_model: null,
  driver_version: null,
  gpus: [],
  tokens_per_s: 2400,
  power_w: 5600,
  power_source: 'measured' as const,
  errors: [],
};

describe('GPU sample inference block', () => {
  it('is optional and nullable, so agents older than the inference source stay valid', () => {
    expect(GpuSample.safeParse(sample).success).toBe(true);
    expect(GpuSample.safeParse({ ...sample, inference: null }).success).toBe(true);
    expect(GpuSample.safeParse({ ...sample, inference: block }).success).toBe(true);
  });

  it('refuses forged figures', () => {
    for (const bad of [{ kv_cache_usage_pct: 140 }, { generation_tokens_per_s: -1 }, { server: 'ollama' }, { model: 'x'.repeat(600) }, { requests_per_s: Infinity }]) {
      expect(GpuSample.safeParse({ ...sample, inference: { ...block, ...bad } }).success).toBe(false);
    }
  });

  it('is stored as one point of the inference measurement, nulls left out', () => {
    const { lines, points } = encodeSample({ ...sample, inference: block });
    const line = lines.split('\n').find((l) => l.startsWith('inference,'));
    expect(points).toBe(2);
    expect(line).toBe(
      'inference,model=meta-llama/Llama-3.1-8B-Instruct,rig=gpu-node-01,server=vllm,site=tx-1 prompt_tokens_per_s=1200.5,generation_tokens_per_s=2400,requests_per_s=3.5,requests_running=12,requests_waiting=0,ttft_p50_ms=212.5,tpot_p50_ms=24.94,kv_cache_usage_pct=42 1700000000000',
    );
    expect(encodeSample(sample).points).toBe(1);
    expect(sampleMetrics(sample).tokens_per_s).toBe(2400);
  });
});
