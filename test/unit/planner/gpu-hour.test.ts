import { describe, expect, it } from 'vitest';
import { aiDay } from '../../../server/planner/ai.js';
import { PLANNER_DEFAULTS, type AiInput } from '../../../server/planner/contract.js';
import { gpuHourEquivalent } from '../../../server/planner/gpu-hour.js';

describe('revenue per sold GPU-hour (one formula for engine, scenarios and the planner page)', () => {
  const tokens = { model: 'tokens', gpu_hour_usd: 2, tokens_per_s_per_gpu: 2500, usd_per_million_tokens: 0.6 } as const;

  it('is the price for gpu_rental, the token equivalent for tokens and null for colocation', () => {
    expect(gpuHourEquivalent({ ...tokens, model: 'gpu_rental' })).toBe(2);
    // 2,500 tokens/s × 0.8 × 3,600 s × $0.60 / 10^6 = $4.32 an hour.
    expect(gpuHourEquivalent({ ...tokens, throughput_realism: 0.8 })).toBeCloseTo(4.32, 10);
    expect(gpuHourEquivalent({ ...tokens, model: 'colocation' })).toBeNull();
  });

  it("takes the planner's default realism when the page's draft input has none", () => {
    expect(PLANNER_DEFAULTS.ai.throughput_realism).toBe(0.5);
    expect(gpuHourEquivalent(tokens)).toBeCloseTo(2.7, 10);
  });

  it('is what the engine earns per sold GPU-hour for the token model', () => {
    const ai = {
      ...tokens, throughput_realism: 0.8, pue: 1.25, it_kw_per_gpu: 1.25, utilization: 0.5, other_opex_usd_per_gpu_hour: 0,
      power_draw_share: 1, facility_capex_usd_per_mw_it: 0, gpu_capex_usd: 0, noi_margin: 0.8, gross_to_it: 1.4,
    } as AiInput;
    const day = aiDay({ power_mw: 1, power_price_usd_per_kwh: 0 }, ai, { gpu_life_years: 5, facility_life_years: 20, target_payback_months: 24 });
    expect(day.gpus).toBe(640);
    expect(day.revenue_usd_per_day).toBeCloseTo(640 * 24 * 0.5 * 4.32, 6);
  });
});
