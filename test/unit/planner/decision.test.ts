import { describe, expect, it } from 'vitest';
import { bookValue, convertedNpv, declineFactor, rampFactor, startOfMonthFactor, type AiCashflow, type PathTerms } from '../../../server/planner/cashflow.js';
import { assertFinite } from '../../../server/planner/finite.js';
import { DAYS_PER_MONTH as D } from '../../../server/planner/market.js';
import { miningMargins } from '../../../server/planner/mining.js';
import { parsePlanInput, PlanInputError, runPlan } from '../../../server/planner/plan.js';
import { tornado } from '../../../server/planner/scenarios.js';
import { limitsOf } from '../../../server/planner/solve.js';

/** Difficulty at which 1 PH/s earns exactly 0.001 BTC a day with a 3.125 BTC subsidy and no fees. */
const MILLI_DIFFICULTY = (86_400 * 1e15 * 3.125) / 2 ** 32 / 0.001;

const base = () => ({
  market: { btc_price_usd: 100_000, difficulty: MILLI_DIFFICULTY, fees_btc_per_block: 0, pool_fee: 0, as_of: '2026-01-01', halving_date: '2030-01-01' },
  sites: [
    { id: 'a', power_mw: 1, power_price_usd_per_kwh: 0.05, efficiency_jth: 20, site_opex_usd_per_day: 500, miner_book_value_usd: 3_650_000, miner_life_years: 4 },
    { id: 'b', power_mw: 2, power_price_usd_per_kwh: 0.08, efficiency_jth: 25, hosted: true },
  ],
  ai: { model: 'gpu_rental', pue: 1.25, it_kw_per_gpu: 1, gpu_hour_usd: 2, utilization: 0.5, other_opex_usd_per_gpu_hour: 0, facility_capex_usd_per_mw_it: 1e6, gpu_capex_usd: 10_000 },
  finance: { horizon_months: 12, discount_rate: 0, conversion_months: 0, overhead_usd_per_year: 365_000 },
  treasury: { btc_held: 100, sell_btc: 30, cash_usd: 1_000_000, debt_usd: 10_000_000, debt_interest_rate: 0.1, repay_debt_usd: 2_700_000 },
  analysis: { scenarios: false, tornado: false },
});

describe('fleet cost per BTC and the treasury move', () => {
  it('adds up BTC, every cost and both costs per BTC (hand-computed)', async () => {
    const r = await runPlan(base());
    // a: 1 MW / 20 J/TH = 50 PH/s × 0.001 = 0.05 BTC/day, $5,000 revenue; power 1,000 kW × 24 h × $0.05 = $1,200.
    // b: 2 MW / 25 J/TH = 80 PH/s → 0.08 BTC/day, $8,000; power 2,000 × 24 × $0.08 = $3,840.
    const f = r.fleet;
    expect(f.btc_per_day).toBeCloseTo(0.13, 12);
    expect(f.btc_per_year).toBeCloseTo(47.45, 9); // × 365
    expect(f.revenue_usd_per_day).toBeCloseTo(13_000, 6);
    expect(f.power_cost_usd_per_day).toBeCloseTo(5_040, 6);
    expect(f.site_opex_usd_per_day).toBe(500);
    expect(f.depreciation_usd_per_day).toBeCloseTo(2_500, 9); // 3,650,000 / (4 × 365)
    expect(f.overhead_usd_per_day).toBeCloseTo(1_000, 9); // 365,000 / 365
    expect(f.interest_usd_per_day).toBeCloseTo(2_000, 9); // (10M − 2.7M) × 10 % / 365
    expect(f.cash_cost_per_btc_usd).toBeCloseTo(5_540 / 0.13, 6); // (5,040 + 500) / 0.13 = $42,615.38
    expect(f.all_in_cost_per_btc_usd).toBeCloseTo(11_040 / 0.13, 6); // + 2,500 + 1,000 + 2,000 = $84,923.08
    expect(f.margin_usd_per_day).toBeCloseTo(1_960, 6); // 13,000 − 11,040
    expect(r.market.btc_price_usd).toBe(100_000);
  });

  it('sells BTC at the market price by default, repays debt and makes what is left the capex budget', async () => {
    const r = await runPlan(base());
    // Proceeds 30 × $100,000 = $3M; capex available = $1M cash + $3M − $2.7M repaid = $1.3M.
    expect(r.treasury).toEqual({ proceeds_usd: 3e6, debt_after_usd: 7.3e6, interest_saved_usd_per_year: 270_000, btc_held_after: 70, capex_available_usd: 1.3e6 });
    expect(limitsOf(parsePlanInput(base())).capex_budget_usd).toBe(1.3e6);
    const explicit = base() as ReturnType<typeof base> & { constraints?: object };
    explicit.constraints = { capex_budget_usd: 5e6 };
    expect(limitsOf(parsePlanInput(explicit)).capex_budget_usd).toBe(5e6);
    const priced = base();
    (priced.treasury as Record<string, number>).sell_price_usd = 90_000;
    expect((await runPlan(priced)).treasury?.proceeds_usd).toBe(2.7e6);
  });

  it('refuses selling more than is held, repaying more than is owed, and a negative capex left', async () => {
    const bad = base();
    Object.assign(bad.treasury, { sell_btc: 101, repay_debt_usd: 11e6 });
    await expect(runPlan(bad)).rejects.toThrow(/treasury\.sell_btc: cannot sell more than btc_held[\s\S]*treasury\.repay_debt_usd: cannot repay more than debt_usd/);
    const short = base();
    Object.assign(short.treasury, { repay_debt_usd: 5e6 }); // 1M + 3M − 5M = −1M
    await expect(runPlan(short)).rejects.toThrow(/treasury\.repay_debt_usd: repaying more than cash plus BTC proceeds leaves -1000000 USD/);
  });

  it('without a treasury the budget and interest are what they were', async () => {
    const plain = base() as Partial<ReturnType<typeof base>>;
    delete plain.treasury;
    const r = await runPlan(plain);
    expect(r.treasury).toBeNull();
    expect(r.fleet.interest_usd_per_day).toBe(0);
    expect(limitsOf(parsePlanInput(plain)).capex_budget_usd).toBeUndefined();
  });
});

describe('hosted sites', () => {
  // 1 MW at 20 J/TH = 50 PH/s; hosting at $0.10 all-in = 1,000 kW × 24 h × $0.10 = $2,400 a day.
  const hosted = { power_mw: 1, power_price_usd_per_kwh: 0.1, uptime: 1, efficiency_jth: 20, hosted: true, take_or_pay_share: 0.5, contract_months_left: 2 };

  it('owe take-or-pay while the contract runs: max(margin, −share × power cost), then stop for free', () => {
    // Net hashprice $10: revenue 50 × 10 = $500, margin −$1,900; the floor is −0.5 × 2,400 = −$1,200.
    expect(miningMargins(hosted, [10, 10, 10])).toEqual([-1200, -1200, 0]);
    // Hashprice $40: margin 2,000 − 2,400 = −$400, above the floor: the site mines at a loss rather than pay $1,200 idle.
    expect(miningMargins(hosted, [40, 40, 40])).toEqual([-400, -400, 0]);
    expect(miningMargins(hosted, [60])).toEqual([600]);
    // An owned site stops for free.
    expect(miningMargins({ ...hosted, hosted: false }, [10, 40])).toEqual([0, 0]);
  });

  it('are not AI-eligible unless said so, take no hourly series, and carry their take-or-pay into the mining NPV', async () => {
    const plan = parsePlanInput(base());
    expect(plan.sites.map((s) => s.ai_eligible)).toEqual([true, false]);
    const bad = base();
    (bad.sites[1] as Record<string, unknown>).hourly_power_prices_usd_per_kwh = [0.05];
    await expect(runPlan(bad)).rejects.toThrow(/sites\.1\.hourly_power_prices_usd_per_kwh: a hosted site pays its all-in hosting rate/);
    const { treasury: _unused, ...losing } = base();
    losing.market.btc_price_usd = 20_000; // b: 0.08 BTC × $20k = $1,600 against $3,840 of hosting: margin −$2,240
    Object.assign(losing.sites[1]!, { take_or_pay_share: 0.5, contract_months_left: 3 });
    const r = await runPlan(losing);
    // Floor −0.5 × 3,840 = −$1,920 for 3 months, then 0; no discounting.
    expect(r.sites[1]!.npv.mining_usd).toBeCloseTo(-1_920 * 3 * D, 6);
  });
});

describe('converted path: AI price decline, ramp, GPU replacement, book value, start month', () => {
  const terms = (over: Partial<PathTerms> = {}): PathTerms => ({
    horizonMonths: 3, discountRate: 0, conversionMonths: 1, priceDeclinePerYear: 0, rampMonths: 0, gpuLifeMonths: 12,
    facilityLifeMonths: 120, replaceGpus: false, terminalBook: false, ...over,
  });
  const ai = (over: Partial<AiCashflow> = {}): AiCashflow => ({ revenuePerDay: 90, opexPerDay: 30, facilityCapexUsd: 1000, gpuCapexUsd: 0, declines: true, ...over });

  it('decline (1 − d)^(m/12) and ramp min(1, (k + 1)/R)', () => {
    expect(declineFactor(0.19, 12)).toBeCloseTo(0.81, 12);
    expect(declineFactor(0.19, 24)).toBeCloseTo(0.6561, 12);
    expect(declineFactor(0.19, 6)).toBeCloseTo(0.9, 12); // √0.81
    expect(declineFactor(0, 40)).toBe(1);
    expect([0, 1, 2, 5].map((k) => rampFactor(3, k))).toEqual([1 / 3, 2 / 3, 1, 1]);
    expect(rampFactor(0, 0)).toBe(1);
  });

  it('mines during conversion, ramps revenue but pays opex in full', () => {
    // Month 0 mines $70/day; month 1 (k = 0, R = 2) earns 90 × 0.5 − 30 = $15/day; month 2 earns 90 − 30 = $60/day.
    const v = convertedNpv([70, 70, 70], ai(), terms({ rampMonths: 2 }), 0);
    expect(v.npv).toBeCloseTo(-1000 + (70 + 15 + 60) * D, 9);
    expect(v.revenueWeight).toBeCloseTo(1.5 * D, 9);
  });

  it('declines GPU-hour revenue by plan month, colocation leases not', () => {
    // 13 months, no conversion; d = 0.19: month 12 earns 90 × 0.81 − 30.
    const t = terms({ horizonMonths: 13, conversionMonths: 0, priceDeclinePerYear: 0.19 });
    const zero = new Array<number>(13).fill(0);
    const withDecline = convertedNpv(zero, ai({ facilityCapexUsd: 0 }), t, 0);
    const flat = convertedNpv(zero, ai({ facilityCapexUsd: 0, declines: false }), t, 0);
    let expected = 0;
    for (let m = 0; m < 13; m++) expected += (90 * 0.81 ** (m / 12) - 30) * D;
    expect(withDecline.npv).toBeCloseTo(expected, 9);
    expect(flat.npv).toBeCloseTo(13 * 60 * D, 9);
  });

  it('buys GPUs again every L months inside the horizon and adds book value at the end', () => {
    // H = 30, L = 12, r = 12 %: GPUs bought at 0, 12 and 24 (each later one with month 11's and 23's factor:
    // 1/1.12 and 1/1.12²). At H the facility has served 30 of 120 months (75 % left), the GPUs 6 of 12 (50 % left),
    // both discounted with month 29's factor 1.12^−2.5. No revenue, no opex, nothing mined.
    const F = 1000;
    const G = 400;
    const t = terms({ horizonMonths: 30, conversionMonths: 0, discountRate: 0.12, replaceGpus: true, terminalBook: true });
    const zero = new Array<number>(30).fill(0);
    const v = convertedNpv(zero, ai({ revenuePerDay: 0, opexPerDay: 0, facilityCapexUsd: F, gpuCapexUsd: G }), t, 0);
    expect(v.npv).toBeCloseTo(-(F + G) - G * (1 / 1.12 + 1 / 1.12 ** 2) + (0.75 * F + 0.5 * G) * 1.12 ** -2.5, 9);
    // Without replacement the first GPUs have served 30 > 12 months: no GPU book value.
    const once = convertedNpv(zero, ai({ revenuePerDay: 0, opexPerDay: 0, facilityCapexUsd: F, gpuCapexUsd: G }), { ...t, replaceGpus: false }, 0);
    expect(once.npv).toBeCloseTo(-(F + G) + 0.75 * F * 1.12 ** -2.5, 9);
    expect(bookValue(100, 150, 120)).toBe(0);
    // H = 24: the purchase at month 24 is outside the horizon; the one at 12 has served 12 of 12 months.
    const t24 = { ...t, horizonMonths: 24 };
    const v24 = convertedNpv(zero.slice(0, 24), ai({ revenuePerDay: 0, opexPerDay: 0, facilityCapexUsd: F, gpuCapexUsd: G }), t24, 0);
    expect(v24.npv).toBeCloseTo(-(F + G) - G / 1.12 + 0.8 * F * 1.12 ** -2, 9);
  });

  it('a later start spends capex with the start-of-month factor and counts lifetimes from its own operation start', () => {
    expect(startOfMonthFactor(0.12, 0)).toBe(1);
    expect(startOfMonthFactor(0.12, 12)).toBeCloseTo(1 / 1.12, 12); // month 11's month-end factor
    // Start at 6, convert 0 months, H = 12, r = 12 %: capex 1000 × 1.12^−0.5; AI months 6–11 earn $60/day.
    const t = terms({ horizonMonths: 12, conversionMonths: 0, discountRate: 0.12 });
    const margins = new Array<number>(12).fill(10);
    const v = convertedNpv(margins, ai(), t, 6);
    let expected = -1000 * 1.12 ** -0.5;
    for (let m = 0; m < 12; m++) expected += (m < 6 ? 10 : 60) * D * 1.12 ** (-(m + 1) / 12);
    expect(v.npv).toBeCloseTo(expected, 9);
  });

  it('replace_gpus and terminal_value book change a long plan (GPU life matters)', async () => {
    const plan = base();
    plan.finance = { ...plan.finance, horizon_months: 150, discount_rate: 0.1 } as typeof plan.finance;
    const none = (await runPlan(plan)).sites[0]!.npv.gain_usd;
    const replaced = (await runPlan({ ...plan, finance: { ...plan.finance, replace_gpus: true } })).sites[0]!.npv.gain_usd;
    const book = (await runPlan({ ...plan, finance: { ...plan.finance, replace_gpus: true, terminal_value: 'book' } })).sites[0]!.npv.gain_usd;
    expect(replaced).toBeLessThan(none); // GPUs bought again at 60 and 120 months
    expect(book).toBeGreaterThan(replaced); // plus what is left at 150 months: 1/6 of the facility, half the GPUs
  });
});

describe('overflow and the tornado', () => {
  it('refuses inputs that would overflow, naming the field, and never answers ∞ or NaN', async () => {
    const tiny = base();
    tiny.market.difficulty = 1e-300;
    await expect(runPlan(tiny)).rejects.toThrow(/^market\.difficulty: /m);
    const huge = base();
    huge.market.btc_price_usd = 1e308;
    await expect(runPlan(huge)).rejects.toThrow(/^market\.btc_price_usd: /m);
    expect(() => assertFinite({ a: { b: [1, Infinity] } })).toThrow(PlanInputError);
    expect(() => assertFinite({ a: { b: [1, Number.NaN] } })).toThrow(/a\.b\.1: not finite/);
    expect(() => assertFinite({ a: null, b: [1, 2] })).not.toThrow();
  });

  it("moves every site's own retrofit cost with the retrofit bar", async () => {
    const plan = parsePlanInput({ ...base(), treasury: undefined, finance: { horizon_months: 120, discount_rate: 0, conversion_months: 0 } });
    plan.sites = plan.sites.map((s) => ({ ...s, facility_capex_usd_per_mw_it: 2e6, ai_eligible: true }));
    const bar = (await tornado(plan, '2026-01-01', 1)).find((b) => b.input.startsWith('facility_capex_usd_per_mw_it'));
    // Every site has its own figure: the bar is a multiplier, and it moves NPV (it moved nothing before).
    expect(bar).toMatchObject({ base_value: 1, low_value: 0.8, high_value: 1.2 });
    expect(bar!.npv_low_usd).toBeGreaterThan(bar!.npv_high_usd);
  });
});
