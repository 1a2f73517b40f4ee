import { describe, expect, it } from 'vitest';
import { buildBaseline } from '../../../server/api/plan-baseline.js';
import { parseConfig } from '../../../server/config/load.js';
import type { GpuSample } from '../../../server/contract/index.js';
import { FleetState } from '../../../server/fleet/state.js';
import { aiDay } from '../../../server/planner/ai.js';
import { AiInput, FinanceInput } from '../../../server/planner/contract.js';
import { MemoryStore } from '../../../server/store/memory.js';

const now = Date.UTC(2026, 5, 1);
const node = (rig: string, site: string, util: number, tokens: number | null): GpuSample => ({
  schema: 1, kind: 'gpu', site, rig, ts: now, interval_s: 10, power_w: 5600, power_source: 'measured', errors: [], host_model: null,
  driver_version: null, tokens_per_s: null,
  gpus: Array.from({ length: 8 }, (_, index) => ({
    index, uuid: null, name: 'H100', utilization_pct: util, memory_used_mib: null, memory_total_mib: null, power_w: 700, power_limit_w: 700,
    temp_c: 60, sm_clock_mhz: null, ecc_corrected: null, ecc_uncorrected: null, last_xid: null, mig: false,
  })),
  inference:
    tokens === null
      ? null
      : { server: 'vllm', model: 'm', prompt_tokens_per_s: 0, generation_tokens_per_s: tokens, requests_per_s: 1, requests_running: 1, requests_waiting: 0, ttft_p50_ms: 1, ttft_p99_ms: 2, tpot_p50_ms: 1, kv_cache_usage_pct: 1 },
});

async function baselineOf(samples: GpuSample[], model: 'tokens' | 'gpu_rental' = 'tokens') {
  const config = parseConfig({ planner: { ai: { model } }, sites: [{ id: 'gpu-a', name: 'A', capacity_mw: 1 }, { id: 'gpu-b', name: 'B', capacity_mw: 1 }] });
  const state = new FleetState({ rules: config.alerts.rules, missedIntervals: config.ingest.missed_intervals, siteNames: new Map(), now: () => now });
  state.applySamples('ctl', samples);
  return buildBaseline(state, new MemoryStore(100), config, 3_600_000, now);
}

describe('planner baseline with live inference', () => {
  it('feeds the tokens model measured tokens/s per GPU and utilization in place of the benchmark × realism', async () => {
    // Site A: 8 GPUs at 50 % making 6,000 tok/s; site B: 8 GPUs at 75 % making 12,000 tok/s.
    const baseline = await baselineOf([node('a1', 'gpu-a', 50, 6000), node('b1', 'gpu-b', 75, 12_000)]);
    const a = baseline.sites.find((s) => s.id === 'gpu-a');
    expect(a?.inference).toEqual({ nodes: 1, gpus: 8, busy_gpus: 4, generation_tokens_per_s: 6000, tokens_per_s_per_gpu: 1500, utilization: 0.5, power_kw: 5.6, tokens_per_joule: 1.0714 });
    // Fleet: 18,000 tok/s over 4 + 6 = 10 busy GPUs = 1,800 tok/s per busy GPU; mean utilization 62.5 %.
    expect(baseline.input.ai).toMatchObject({ model: 'tokens', tokens_per_s_per_gpu: 1800, throughput_realism: 1, utilization: 0.625 });
    expect(baseline.ai_provenance).toEqual({ tokens_per_s_per_gpu: 'measured', throughput_realism: 'measured', utilization: 'measured' });
    // The plan's AI revenue for a site is then GPUs × measured tokens/s per busy GPU × measured utilization × price:
    // 1 MW / PUE 1.3 / 1.4 kW per GPU = 549 GPUs × 1,800 tok/s × 0.625 × 86,400 s × 0.6 $/M = 32,017.68 $/day.
    const ai = aiDay({ power_mw: 1, power_price_usd_per_kwh: 0.05 }, AiInput.parse(baseline.input.ai), FinanceInput.parse(baseline.input.finance));
    expect(ai.gpus).toBe(549);
    expect(ai.revenue_usd_per_day).toBeCloseTo(32_017.68, 1);
  });

  it('keeps the configured assumptions, and says so, without inference telemetry', async () => {
    const baseline = await baselineOf([node('a1', 'gpu-a', 50, null)]);
    expect(baseline.sites[0]?.inference).toBeNull();
    expect(baseline.input.ai.tokens_per_s_per_gpu).toBe(2500);
    expect(baseline.input.ai.throughput_realism).toBe(0.5);
    expect(baseline.ai_provenance.tokens_per_s_per_gpu).toBe('config');
  });

  it('under the GPU-rental model only the tokens figures change', async () => {
    const baseline = await baselineOf([node('a1', 'gpu-a', 50, 6000)], 'gpu_rental');
    expect(baseline.input.ai).toMatchObject({ tokens_per_s_per_gpu: 1500, throughput_realism: 1, utilization: 0.75 });
    expect(baseline.ai_provenance.utilization).toBe('config');
  });
});
