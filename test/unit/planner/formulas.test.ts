import { describe, expect, it } from 'vitest';
import { aiDay } from '../../../server/planner/ai.js';
import { AiInput } from '../../../server/planner/contract.js';
import { btcPerPhDay, DAYS_PER_MONTH, hashpriceUsdPerPhDay, marketPath, monthsUntil, subsidyInMonth } from '../../../server/planner/market.js';
import { curtail, miningDay, operatingMarginPerDay } from '../../../server/planner/mining.js';
import { discountFactor, siteNpv } from '../../../server/planner/npv.js';

const finance = { gpu_life_years: 5, facility_life_years: 15, target_payback_months: 24 };

describe('market', () => {
  it('expected BTC per PH/s per day = 86,400 × 10^15 / (difficulty × 2^32) × (subsidy + fees)', () => {
    // By hand: 8.64e19 / (1e14 × 4,294,967,296) = 2.01166e-4 blocks a day; × 3.15 BTC = 6.33672e-4 BTC.
    expect(btcPerPhDay(1e14, 3.125, 0.025)).toBeCloseTo(6.336718797683716e-4, 12);
    expect(hashpriceUsdPerPhDay(1e14, 3.125, 0.025, 100_000)).toBeCloseTo(63.36718797683716, 9);
  });

  it("reproduces Luxor's hashprice of $33.34/PH/day on 2 Feb 2026 within 5 % (difficulty 141.7 T, BTC $75k)", () => {
    // Published: Luxor Hashrate Index, 2 Feb 2026; fees were about 0.01–0.03 BTC a block that week.
    for (const fees of [0.01, 0.02, 0.03]) {
      const hashprice = hashpriceUsdPerPhDay(141.7e12, 3.125, fees, 75_000);
      expect(Math.abs(hashprice / 33.34 - 1)).toBeLessThan(0.05);
    }
  });

  it('halves the subsidy at the halving, prorating the month it falls in', () => {
    // 1 Jan → 2 Mar 2026 is 60 days = 60 / 30.4375 = 1.97125 months.
    const halving = monthsUntil('2026-01-01', '2026-03-02') as number;
    expect(halving).toBeCloseTo(1.971252566735113, 12);
    expect(subsidyInMonth(0, 3.125, halving)).toBe(3.125);
    expect(subsidyInMonth(1, 3.125, halving)).toBeCloseTo(3.125 * 0.971252566735113 + 1.5625 * 0.028747433264887, 12);
    expect(subsidyInMonth(2, 3.125, halving)).toBe(1.5625);
    expect(subsidyInMonth(40, 3.125, null)).toBe(3.125);
    expect(monthsUntil('2026-01-01', '2025-12-31')).toBeNull();
  });

  it('hashprice path: halving inside the horizon and compounding difficulty growth', () => {
    const market = { btc_price_usd: 100_000, difficulty: 1e14, fees_btc_per_block: 0, block_subsidy_btc: 3.125, difficulty_growth_per_month: 0.1 };
    const path = marketPath(market, 4, 2);
    const base = 63.36718797683716 * (3.125 / 3.15); // the hashprice above without fees
    expect(path.hashprice[0]).toBeCloseTo(base, 9);
    expect(path.hashprice[1]).toBeCloseTo(base / 1.1, 9);
    expect(path.hashprice[2]).toBeCloseTo(base / 2 / 1.21, 9);
    expect(path.hashprice[3]).toBeCloseTo(base / 2 / 1.331, 9);
  });
});

describe('mining per site', () => {
  const market = { btc_per_ph_day: 40 / 75_000, hashprice_usd_per_ph_day: 40, btc_price_usd: 75_000, pool_fee: 0.02 };

  it('revenue, power cost, margin and both break-evens', () => {
    const r = miningDay({ power_mw: 10, power_price_usd_per_kwh: 0.05, uptime: 0.9, efficiency_jth: 25 }, market);
    expect(r.hashrate_phs).toBe(400); // 10 MW × 1000 / 25 J/TH
    expect(r.revenue_usd_per_day).toBeCloseTo(14_112, 6); // 400 × 40 × 0.98 × 0.9
    expect(r.power_cost_usd_per_day).toBeCloseTo(10_800, 6); // 10,000 kW × 24 h × 0.9 × $0.05
    expect(r.margin_usd_per_day).toBeCloseTo(3_312, 6);
    expect(r.btc_per_day).toBeCloseTo((400 * 40 * 0.98 * 0.9) / 75_000, 9);
    expect(r.breakeven_power_usd_per_kwh).toBeCloseTo(0.0653333, 6); // 40 × 0.98 / (24 × 25)
    expect(r.breakeven_btc_price_usd).toBeCloseTo(57_397.959, 2); // 24 × 25 × 0.05 / (5.3333e-4 × 0.98)
  });

  it('curtails the hours that lose money on an hourly price series', () => {
    // 1 MW at 20 J/TH = 50 PH/s; net hashprice $48 → $100 an hour; power costs 1000 kWh × price.
    const site = { power_mw: 1, power_price_usd_per_kwh: 0.05, uptime: 1, efficiency_jth: 20 };
    const prices = [0.02, 0.1, 0.03, 0.2]; // margins 80, 0, 70, −100 over 4 h = 1/6 day
    const c = curtail(site, 48, prices);
    expect(c.curtailed_hours).toBe(2);
    expect(c.margin_always_on_usd_per_day).toBeCloseTo(300, 9);
    expect(c.margin_curtailed_usd_per_day).toBeCloseTo(900, 9);
    expect(c.value_usd_per_day).toBeCloseTo(600, 9);
    expect(operatingMarginPerDay({ ...site, hourly_power_prices_usd_per_kwh: prices }, 48)).toBeCloseTo(900, 9);
  });

  it('a site that loses money on flat power banks nothing rather than a loss', () => {
    const site = { power_mw: 1, power_price_usd_per_kwh: 0.2, uptime: 1, efficiency_jth: 20 };
    expect(operatingMarginPerDay(site, 48)).toBe(0);
    expect(operatingMarginPerDay({ ...site, power_price_usd_per_kwh: 0.05 }, 48)).toBeCloseTo(50 * 48 - 1200, 9);
  });
});

describe('AI business models', () => {
  const base = { pue: 1.3, it_kw_per_gpu: 1.25, gpu_hour_usd: 2, utilization: 0.75, other_opex_usd_per_gpu_hour: 0.25, facility_capex_usd_per_mw_it: 8e6, gpu_capex_usd: 30_000 };
  const site = { power_mw: 13, power_price_usd_per_kwh: 0.05 };

  it('gpu_rental: GPUs, revenue, opex, EBITDA, capex, payback, EBIT and both GPU-hour prices', () => {
    const r = aiDay(site, AiInput.parse({ model: 'gpu_rental', ...base }), finance);
    expect(r.it_mw).toBeCloseTo(10, 9); // 13 / 1.3
    expect(r.gpus).toBe(8000); // 10,000 kW / 1.25
    expect(r.revenue_usd_per_day).toBeCloseTo(288_000, 6); // 8000 × 24 × 2 × 0.75
    expect(r.opex_usd_per_day).toBeCloseTo(63_600, 6); // 13,000 × 24 × 0.05 + 8000 × 24 × 0.25
    expect(r.ebitda_usd_per_day).toBeCloseTo(224_400, 6);
    expect(r.capex_usd).toBeCloseTo(320e6, 0); // 8e6 × 10 + 30,000 × 8000
    expect(r.payback_months).toBeCloseTo(46.8509, 3); // 320e6 / (224,400 × 30.4375)
    expect(r.depreciation_usd_per_day).toBeCloseTo(146_118.72, 1); // 240e6 / (5 × 365) + 80e6 / (15 × 365)
    expect(r.ebit_usd_per_day).toBeCloseTo(78_281.28, 1);
    expect(r.breakeven_gpu_hour_usd).toBeCloseTo(0.441667, 5); // 63,600 / (8000 × 24 × 0.75)
    expect(r.gpu_hour_usd_for_target_payback).toBeCloseTo(3.483723, 5); // (63,600 + 320e6 / (24 × 30.4375)) / 144,000
  });

  it("a site's own facility capex overrides the fleet figure", () => {
    const r = aiDay({ ...site, facility_capex_usd_per_mw_it: 12e6 }, AiInput.parse({ model: 'gpu_rental', ...base }), finance);
    expect(r.capex_usd).toBeCloseTo(12e6 * 10 + 30_000 * 8000, 0);
  });

  it('power_draw_share scales the power bill', () => {
    const r = aiDay(site, AiInput.parse({ model: 'gpu_rental', ...base, power_draw_share: 0.5 }), finance);
    expect(r.opex_usd_per_day).toBeCloseTo(7_800 + 48_000, 6);
  });

  it('tokens: revenue from tokens per second, realism, utilization and the token price', () => {
    const ai = AiInput.parse({ model: 'tokens', ...base, tokens_per_s_per_gpu: 3000, throughput_realism: 0.5, usd_per_million_tokens: 0.5 });
    const r = aiDay(site, ai, finance);
    // 8000 × 3000 × 0.5 × 0.75 × 86,400 × 0.5 / 1e6 = $388,800 a day
    expect(r.revenue_usd_per_day).toBeCloseTo(388_800, 6);
    expect(r.ebitda_usd_per_day).toBeCloseTo(388_800 - 63_600, 6);
    expect(r.capex_usd).toBeCloseTo(320e6, 0);
  });

  it('colocation: lease on IT MW, EBITDA at the NOI margin, facility capex only', () => {
    const ai = AiInput.parse({ model: 'colocation', ...base, lease_usd_per_mw_it_year: 1.5e6, noi_margin: 0.8, gross_to_it: 1.4 });
    const r = aiDay({ power_mw: 14, power_price_usd_per_kwh: 0.05 }, ai, finance);
    expect(r.it_mw).toBeCloseTo(10, 9);
    expect(r.gpus).toBe(0);
    expect(r.revenue_usd_per_day).toBeCloseTo(15e6 / 365, 6);
    expect(r.ebitda_usd_per_day).toBeCloseTo((15e6 / 365) * 0.8, 6);
    expect(r.capex_usd).toBeCloseTo(80e6, 0);
    expect(r.payback_months).toBeCloseTo(79.9452, 3);
    expect(r.ebit_usd_per_day).toBeCloseTo((15e6 / 365) * 0.8 - 80e6 / (15 * 365), 6);
  });

  it('payback is null when EBITDA is not positive', () => {
    const r = aiDay(site, AiInput.parse({ model: 'gpu_rental', ...base, gpu_hour_usd: 0.1 }), finance);
    expect(r.payback_months).toBeNull();
  });
});

describe('NPV', () => {
  it('keeps mining during conversion, then earns AI EBITDA; capex at month 0', () => {
    const npv = siteNpv({ miningMarginPerDay: [100, 100, 50, 50], aiEbitdaPerDay: 300, capexUsd: 1000, conversionMonths: 1, discountRate: 0 });
    expect(npv.mining_usd).toBeCloseTo(300 * DAYS_PER_MONTH, 9);
    expect(npv.converted_usd).toBeCloseTo(-1000 + 100 * DAYS_PER_MONTH + 900 * DAYS_PER_MONTH, 9);
    expect(npv.gain_usd).toBeCloseTo(npv.converted_usd - npv.mining_usd, 9);
  });

  it('discounts month m at (1 + r)^−((m + 1) / 12)', () => {
    expect(discountFactor(0.12, 11)).toBeCloseTo(1 / 1.12, 12);
    const npv = siteNpv({ miningMarginPerDay: [10, 10], aiEbitdaPerDay: 0, capexUsd: 0, conversionMonths: 0, discountRate: 0.12 });
    expect(npv.mining_usd).toBeCloseTo(10 * DAYS_PER_MONTH * (1.12 ** (-1 / 12) + 1.12 ** (-2 / 12)), 9);
  });
});
