import { describe, expect, it } from 'vitest';
import { Economics, type AsicSample, type GpuSample, type MarketSnapshot } from '../../server/contract/index.js';
import { computeEconomics, type Prices } from '../../server/economics/compute.js';

const asic = (rig: string, ths: number, powerW: number): AsicSample => ({
  schema: 1, kind: 'asic', site: 'a', rig, ts: 1, interval_s: 10, power_w: powerW, power_source: 'miner', errors: [],
  model: 'S21', firmware: null, family: 'antminer', hashrate_5s_ths: ths, hashrate_avg_ths: ths, nameplate_ths: 200,
  boards: [], fans_rpm: [], pools: [], uptime_s: 100, status_text: null,
});
const gpu = (rig: string, utilization: number): GpuSample => ({
  schema: 1, kind: 'gpu', site: 'a', rig, ts: 1, interval_s: 10, power_w: 5600, power_source: 'measured', errors: [],
  host_model: null, driver_version: null, tokens_per_s: 2000,
  gpus: Array.from({ length: 8 }, (_, index) => ({
    index, uuid: null, name: 'H100', utilization_pct: utilization, memory_used_mib: null, memory_total_mib: null, power_w: 700,
    power_limit_w: 700, temp_c: 60, sm_clock_mhz: null, ecc_corrected: null, ecc_uncorrected: null, last_xid: null, mig: false,
  })),
  inference: {
    server: 'vllm', model: 'm', prompt_tokens_per_s: 4000, generation_tokens_per_s: 2000, requests_per_s: 5, requests_running: 10,
    requests_waiting: 0, ttft_p50_ms: 100, ttft_p99_ms: 300, tpot_p50_ms: 20, kv_cache_usage_pct: 40,
  },
});

const market: MarketSnapshot = {
  source: 'config', btc_price_usd: 90_000, difficulty: 1.2e14, fees_btc_per_block: 0.03, block_subsidy_btc: 3.125, pool_fee: 0.02,
  // 86,400 × 10^15 / (1.2 × 10^14 × 2^32) × (3.125 + 0.03) × 90,000
  hashprice_usd_per_ph_day: 47.60082811117172,
  provenance: { btc_price_usd: 'config', difficulty: 'config', fees_btc_per_block: 'config', block_subsidy_btc: 'config' },
  updated_at: null, age_s: null, stale: false, error: null,
};
const prices: Prices = { basis: 'tokens', usd_per_million_tokens: 0.6, usd_per_million_prompt_tokens: 0.1, gpu_hour_usd: 2.2 };

const site = {
  id: 'a',
  name: 'Site A',
  power_price_usd_per_kwh: 0.05,
  rigs: [
    { status: 'online' as const, sample: asic('m1', 100, 3250) },
    { status: 'degraded' as const, sample: asic('m2', 100, 3250) },
    { status: 'offline' as const, sample: asic('m3', 100, 3250) },
    { status: 'online' as const, sample: gpu('g1', 50) },
  ],
};

describe('live economics', () => {
  it('mining and inference money per day and per MW, by hand', () => {
    const e = Economics.parse(computeEconomics([site], market, prices, 5));
    const { mining, inference } = e.sites[0] as Economics['sites'][number];
    // 0.2 PH/s × 47.6008 $/PH/day × (1 − 2 % pool fee) = 9.3298 $/day; 6.5 kW × 24 h × 0.05 $/kWh = 7.80 $/day.
    expect(mining).toMatchObject({ rigs: 2, hashrate_ths: 200, power_mw: 0.0065, revenue_usd_per_day: 9.33, power_cost_usd_per_day: 7.8, margin_usd_per_day: 1.53 });
    expect(mining.revenue_usd_per_mw_day).toBeCloseTo(1435.35, 1);
    expect(mining.margin_usd_per_mw_day).toBeCloseTo(235.35, 1);
    // 2,000 generated tok/s × 86,400 s / 10^6 × 0.6 $ + 4,000 prompt tok/s × 86,400 / 10^6 × 0.1 $ = 138.24 $/day.
    expect(inference).toMatchObject({ nodes: 1, gpus: 8, busy_gpus: 4, revenue_usd_per_day: 138.24, power_cost_usd_per_day: 6.72, power_mw: 0.0056 });
    expect(inference.revenue_usd_per_mw_day).toBeCloseTo(24_685.71, 1);
    expect(inference.tokens_per_joule).toBeCloseTo(2000 / 5600, 4);
    expect(e.fleet.mining.revenue_usd_per_day).toBe(9.33);
    expect(e.fleet.inference.revenue_usd_per_day).toBe(138.24);
  });

  it('GPU-hours basis: busy GPUs × 24 h × price', () => {
    const e = computeEconomics([site], market, { ...prices, basis: 'gpu_hours' }, 5);
    expect(e.sites[0]?.inference.revenue_usd_per_day).toBe(211.2); // 8 GPUs × 50 % × 24 h × 2.2 $
  });

  it('a side that draws no power has no per-MW figure', () => {
    const e = computeEconomics([{ ...site, rigs: [site.rigs[0] as (typeof site.rigs)[number]] }], market, prices, 5);
    expect(e.sites[0]?.inference).toMatchObject({ revenue_usd_per_day: 0, revenue_usd_per_mw_day: null, tokens_per_joule: null });
  });
});
