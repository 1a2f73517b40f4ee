import { z } from 'zod';
import { DEFAULT_THROUGHPUT_REALISM } from './gpu-hour.js';

/**
 * Wire contract of the planner: the input of `POST /api/plan` and `rigline-plan`, and the shape of its answer.
 * Field names are fixed by issue #6 (other tools rely on them); additions are optional and backwards compatible.
 * The web app imports this file too, so it holds schemas and types only.
 */

/**
 * Every number is bounded so no product of inputs can overflow a double (issue #13: difficulty 1e-300 or a BTC
 * price of 1e308 answered null, ∞ or NaN): a value out of range is refused naming its field.
 */
const MAX_USD = 1e15;
const money = z.number().finite().nonnegative().max(MAX_USD);
const share = z.number().finite().min(0).max(1);
const positive = z.number().finite().positive().max(1e9);
const months = z.number().int().min(0).max(600);

/** Defaults of every optional assumption; the server's config `planner` section starts from these. */
export const PLANNER_DEFAULTS = {
  market: {
    block_subsidy_btc: 3.125,
    /** Block 1,050,000: ~125,000 blocks after late 2025 at 10 minutes each (estimate; pass it when known). */
    halving_date: '2028-04-15',
    difficulty_growth_per_month: 0,
  },
  ai: {
    power_draw_share: 1,
    throughput_realism: DEFAULT_THROUGHPUT_REALISM,
    noi_margin: 0.8,
    gross_to_it: 1.4,
  },
  finance: {
    horizon_months: 60,
    discount_rate: 0.12,
    gpu_life_years: 5,
    facility_life_years: 15,
    conversion_months: 9,
    target_payback_months: 24,
  },
} as const;

export const MarketInput = z
  .object({
    btc_price_usd: positive,
    /** Network difficulty (e.g. 141.7e12); 1 is the protocol's minimum. */
    difficulty: z.number().finite().min(1).max(1e30),
    fees_btc_per_block: money.max(21e6),
    block_subsidy_btc: positive.max(50).default(PLANNER_DEFAULTS.market.block_subsidy_btc),
    pool_fee: z.number().finite().min(0).lt(1),
    /** ISO date of the next halving; the subsidy halves from that month on. */
    halving_date: z.iso.date().default(PLANNER_DEFAULTS.market.halving_date),
    /** Date the plan starts (ISO); month 0 of the horizon. Defaults to today. */
    as_of: z.iso.date().optional(),
    /** Monthly difficulty growth (0.02 = +2 % a month): hashprice falls by 1 / (1 + g) each month. */
    difficulty_growth_per_month: z.number().finite().gt(-0.5).lt(1).default(PLANNER_DEFAULTS.market.difficulty_growth_per_month),
  })
  .strict();

export const SiteInput = z
  .object({
    id: z.string().min(1).max(64),
    name: z.string().max(128).optional(),
    power_mw: positive.max(1e5),
    /** USD/kWh; for a hosted site the all-in hosting rate. */
    power_price_usd_per_kwh: money.max(100),
    uptime: share.default(1),
    efficiency_jth: z.number().finite().min(0.01).max(1e5).optional(),
    /** Defaults to true for an owned site, false for a hosted one (issue #13). */
    ai_eligible: z.boolean().optional(),
    /** Staff, maintenance and fees outside the kWh price (issue #13). */
    site_opex_usd_per_day: money.default(0),
    /** Book value of the site's miners, depreciated straight-line over `miner_life_years`. */
    miner_book_value_usd: money.default(0),
    miner_life_years: positive.max(100).default(4),
    /** Hosted: the site runs in someone else's facility; `power_price_usd_per_kwh` is the all-in hosting rate. */
    hosted: z.boolean().default(false),
    /** Share of the hosting bill owed even when the miners are off, while the contract runs. */
    take_or_pay_share: share.default(0),
    contract_months_left: months.default(0),
    /** This site's retrofit cost per MW of IT, when it differs from `ai.facility_capex_usd_per_mw_it`. */
    facility_capex_usd_per_mw_it: money.optional(),
    /** Hourly power prices (USD/kWh); when given, mining curtails in hours that lose money. */
    hourly_power_prices_usd_per_kwh: z.array(z.number().finite().min(-100).max(100)).min(1).max(24 * 366).optional(),
  })
  .strict()
  .superRefine((site, ctx) => {
    if (site.hosted && site.hourly_power_prices_usd_per_kwh) {
      ctx.addIssue({ code: 'custom', path: ['hourly_power_prices_usd_per_kwh'], message: 'a hosted site pays its all-in hosting rate: no hourly series' });
    }
  })
  .transform((site) => ({ ...site, ai_eligible: site.ai_eligible ?? !site.hosted }));

export const AiModel = z.enum(['gpu_rental', 'tokens', 'colocation']);

export const AiInput = z
  .object({
    model: AiModel,
    pue: z.number().finite().min(1).max(3),
    it_kw_per_gpu: z.number().finite().min(0.01).max(1000),
    gpu_hour_usd: money,
    utilization: share,
    other_opex_usd_per_gpu_hour: money,
    power_draw_share: share.default(PLANNER_DEFAULTS.ai.power_draw_share),
    facility_capex_usd_per_mw_it: money,
    gpu_capex_usd: money,
    tokens_per_s_per_gpu: money.max(1e9).optional(),
    throughput_realism: share.default(PLANNER_DEFAULTS.ai.throughput_realism),
    usd_per_million_tokens: money.optional(),
    lease_usd_per_mw_it_year: money.optional(),
    noi_margin: share.default(PLANNER_DEFAULTS.ai.noi_margin),
    gross_to_it: z.number().finite().min(1).max(3).default(PLANNER_DEFAULTS.ai.gross_to_it),
    /** d: gpu_rental and tokens revenue in plan month m is multiplied by (1 − d)^(m / 12) (issue #13). */
    price_decline_per_year: z.number().finite().min(0).lt(1).default(0),
    /** R: revenue in the k-th month of operation (k = 0, 1, …) is multiplied by min(1, (k + 1) / R); 0 = no ramp. */
    ramp_months: z.number().finite().min(0).max(120).default(0),
  })
  .strict()
  .superRefine((ai, ctx) => {
    const need = (field: keyof typeof ai) => {
      if (ai[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required when model is '${ai.model}'` });
    };
    if (ai.model === 'tokens') (['tokens_per_s_per_gpu', 'usd_per_million_tokens'] as const).forEach(need);
    if (ai.model === 'colocation') need('lease_usd_per_mw_it_year');
  });

export const FinanceInput = z
  .object({
    horizon_months: z.number().int().min(1).max(600).default(PLANNER_DEFAULTS.finance.horizon_months),
    /** Annual discount rate (0.12 = 12 %). */
    discount_rate: z.number().finite().min(0).max(1).default(PLANNER_DEFAULTS.finance.discount_rate),
    gpu_life_years: z.number().finite().min(1 / 24).max(100).default(PLANNER_DEFAULTS.finance.gpu_life_years),
    facility_life_years: z.number().finite().min(1 / 12).max(100).default(PLANNER_DEFAULTS.finance.facility_life_years),
    conversion_months: z.number().int().min(0).max(120).default(PLANNER_DEFAULTS.finance.conversion_months),
    /** Payback for which the plan reports the GPU-hour price needed. */
    target_payback_months: positive.max(1200).default(PLANNER_DEFAULTS.finance.target_payback_months),
    /** Corporate overhead (G&A) per year, in the fleet's all-in cost per BTC. */
    overhead_usd_per_year: money.default(0),
    /** Buy the GPUs again every round(gpu_life_years × 12) months of operation while inside the horizon. */
    replace_gpus: z.boolean().default(false),
    /** `book`: the converted path adds the facility's and GPUs' remaining straight-line book value at the horizon. */
    terminal_value: z.enum(['none', 'book']).default('none'),
  })
  .strict();

/** Selling BTC, repaying debt and funding capex (issue #13). Without `constraints.capex_budget_usd` the capex it leaves is the budget. */
export const TreasuryInput = z
  .object({
    btc_held: money.max(21e6).default(0),
    sell_btc: money.max(21e6).default(0),
    /** Defaults to `market.btc_price_usd`. */
    sell_price_usd: positive.optional(),
    cash_usd: money.default(0),
    debt_usd: money.default(0),
    debt_interest_rate: z.number().finite().min(0).max(1).default(0),
    repay_debt_usd: money.default(0),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.sell_btc > t.btc_held) ctx.addIssue({ code: 'custom', path: ['sell_btc'], message: `cannot sell more than btc_held (${t.btc_held})` });
    if (t.repay_debt_usd > t.debt_usd) ctx.addIssue({ code: 'custom', path: ['repay_debt_usd'], message: `cannot repay more than debt_usd (${t.debt_usd})` });
  });

/** Conversion in stages: a site starts at the start of one period, capex spent then; the budget is cumulative. */
export const StagesInput = z
  .object({
    period_months: z.number().int().min(1).max(120),
    periods: z.number().int().min(1).max(40),
    capex_budget_usd_per_period: z.union([money, z.array(money).min(1).max(40)]),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (Array.isArray(s.capex_budget_usd_per_period) && s.capex_budget_usd_per_period.length !== s.periods) {
      ctx.addIssue({ code: 'custom', path: ['capex_budget_usd_per_period'], message: `expected ${s.periods} budgets, one per period` });
    }
  });

/** Monte Carlo risk of the chosen plan (issue #13). */
export const MonteCarloInput = z
  .object({
    runs: z.number().int().min(1).max(10_000).default(1000),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    btc_price_vol_annual: z.number().finite().min(0).max(5).default(0.6),
    gpu_hour_vol_annual: z.number().finite().min(0).max(5).default(0.3),
  })
  .strict();

export const ConstraintsInput = z
  .object({
    capex_budget_usd: money.optional(),
    max_gpus: money.optional(),
    min_mining_mw: money.default(0),
    whole_sites: z.boolean().default(false),
    stages: StagesInput.optional(),
    /** Solver limits: relative MIP gap and wall time. */
    mip_gap: z.number().min(0).max(0.5).default(0.001),
    time_limit_s: z.number().positive().max(600).default(10),
  })
  .strict();

export const AnalysisInput = z
  .object({
    scenarios: z.boolean().default(true),
    tornado: z.boolean().default(true),
    btc_prices_usd: z.array(positive).min(1).max(25).optional(),
    gpu_hour_prices_usd: z.array(money).min(1).max(25).optional(),
    difficulty_growth_per_month: z.array(z.number().finite().gt(-0.5).lt(1)).min(1).max(5).optional(),
    /** Tornado swing: each input moved down and up by this share. */
    tornado_swing: z.number().gt(0).lt(1).default(0.2),
    /** Solver time for all scenario and tornado re-solves together (each gets an equal share, at most 2 s). */
    time_limit_s: z.number().positive().max(600).default(20),
    monte_carlo: MonteCarloInput.optional(),
  })
  .strict();

export const PlanInput = z
  .object({
    market: MarketInput,
    sites: z.array(SiteInput).min(1).max(20_000),
    ai: AiInput,
    finance: FinanceInput.prefault({}),
    constraints: ConstraintsInput.prefault({}),
    analysis: AnalysisInput.prefault({}),
    treasury: TreasuryInput.optional(),
  })
  .strict()
  .superRefine((plan, ctx) => {
    const t = plan.treasury;
    if (t) {
      const available = t.cash_usd + t.sell_btc * (t.sell_price_usd ?? plan.market.btc_price_usd) - t.repay_debt_usd;
      if (available < 0) ctx.addIssue({ code: 'custom', path: ['treasury', 'repay_debt_usd'], message: `repaying more than cash plus BTC proceeds leaves ${Math.round(available)} USD for capex` });
    }
    const seen = new Set<string>();
    plan.sites.forEach((site, i) => {
      if (seen.has(site.id)) ctx.addIssue({ code: 'custom', path: ['sites', i, 'id'], message: `duplicate site id '${site.id}'` });
      seen.add(site.id);
    });
  });

export type PlanInputRaw = z.input<typeof PlanInput>;
export type PlanInput = z.output<typeof PlanInput>;
export type MarketInput = z.output<typeof MarketInput>;
export type SiteInput = z.output<typeof SiteInput>;
export type AiInput = z.output<typeof AiInput>;
export type FinanceInput = z.output<typeof FinanceInput>;
export type ConstraintsInput = z.output<typeof ConstraintsInput>;
export type TreasuryInput = z.output<typeof TreasuryInput>;
export type StagesInput = z.output<typeof StagesInput>;
export type MonteCarloInput = z.output<typeof MonteCarloInput>;

/** One line per problem, `path: reason`, e.g. `sites.2.power_mw: Too small: expected number to be >0`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
}

// ---- Output -------------------------------------------------------------------------------------------------

export interface MarketResult {
  /** Today's BTC price (the input), next to which the fleet's cost per BTC reads. */
  btc_price_usd: number;
  btc_per_ph_day: number;
  hashprice_usd_per_ph_day: number;
  /** Hashprice after the halving at today's difficulty and fees. */
  hashprice_after_halving_usd_per_ph_day: number;
  halving_month: number | null;
}

export interface MiningResult {
  hashrate_phs: number;
  btc_per_day: number;
  revenue_usd_per_day: number;
  power_cost_usd_per_day: number;
  margin_usd_per_day: number;
  breakeven_power_usd_per_kwh: number;
  breakeven_btc_price_usd: number;
  /** Present when the site has an hourly price series. */
  curtailment?: CurtailmentResult;
}

export interface CurtailmentResult {
  hours: number;
  curtailed_hours: number;
  /** Mean margin per day mining every hour, and curtailing the hours that lose money. */
  margin_always_on_usd_per_day: number;
  margin_curtailed_usd_per_day: number;
  value_usd_per_day: number;
}

export interface AiResult {
  it_mw: number;
  gpus: number;
  revenue_usd_per_day: number;
  opex_usd_per_day: number;
  ebitda_usd_per_day: number;
  capex_usd: number;
  payback_months: number | null;
  depreciation_usd_per_day: number;
  ebit_usd_per_day: number;
  breakeven_gpu_hour_usd: number | null;
  gpu_hour_usd_for_target_payback: number | null;
}

export interface SiteResult {
  id: string;
  name: string;
  power_mw: number;
  efficiency_jth: number;
  mining: MiningResult;
  ai: AiResult;
  npv: { mining_usd: number; converted_usd: number; gain_usd: number };
  per_mw: { mining_margin_usd_per_day: number; ai_ebitda_usd_per_day: number };
  /** start_month: the month the site starts converting (null when it never does). */
  decision: { convert_share: number; converted_mw: number; greedy_share: number; start_month: number | null };
  /** One plain sentence: convert or keep mining, the NPV gain, payback, the GPU-hour price that flips it. */
  verdict: string;
}

/** Fleet totals at today's market with every site mining (issue #13). Costs per BTC are null when it mines none. */
export interface FleetResult {
  btc_per_day: number;
  btc_per_year: number;
  revenue_usd_per_day: number;
  power_cost_usd_per_day: number;
  site_opex_usd_per_day: number;
  depreciation_usd_per_day: number;
  overhead_usd_per_day: number;
  interest_usd_per_day: number;
  cash_cost_per_btc_usd: number | null;
  all_in_cost_per_btc_usd: number | null;
  margin_usd_per_day: number;
}

export interface TreasuryResult {
  proceeds_usd: number;
  debt_after_usd: number;
  interest_saved_usd_per_year: number;
  btc_held_after: number;
  capex_available_usd: number;
}

export interface ScheduleEntry {
  period: number;
  start_month: number;
  converted_mw: number;
  capex_usd: number;
}

export type BindingConstraint = 'capex_budget' | 'max_gpus' | 'min_mining_mw' | 'stages_budget';

export interface RiskResult {
  runs: number;
  npv_p10_usd: number;
  npv_p50_usd: number;
  npv_p90_usd: number;
  mining_only_npv_p50_usd: number;
  prob_plan_beats_mining: number;
  /** Every run's plan NPV, sorted ascending: the distribution the planner page draws (at most 1,000, evenly picked). */
  npv_samples_usd: number[];
}

export interface PlanTotals {
  converted_mw: number;
  mining_mw: number;
  gpus: number;
  capex_usd: number;
  /** Fleet NPV with the plan: every site's mining NPV plus the gain of what it converts. */
  npv_usd: number;
  /** Fleet NPV if nothing converts. */
  npv_mining_only_usd: number;
  optimality_gap: number;
  solver_status: string;
  solve_ms: number;
  greedy_npv_usd: number;
  greedy_converted_mw: number;
  /** How much more the optimum earns than the greedy rule (USD). */
  gain_over_greedy_usd: number;
  /** When each share starts converting and what it spends then (one period at month 0 without stages). */
  schedule: ScheduleEntry[];
  /** Constraints at their limit: each keeps a profitable conversion out of the plan. */
  binding: BindingConstraint[];
}

export interface ScenarioGrid {
  difficulty_growth_per_month: number;
  /** Rows follow btc_prices_usd, columns gpu_hour_prices_usd. */
  converted_mw: number[][];
  npv_usd: number[][];
  /** Relative gap each cell's re-solve proved (its incumbent against its bound; ≤ constraints.mip_gap when solved). */
  optimality_gap: number[][];
}

export interface ScenarioResult {
  btc_prices_usd: number[];
  gpu_hour_prices_usd: number[];
  grids: ScenarioGrid[];
}

export interface TornadoBar {
  input: string;
  base_value: number;
  low_value: number;
  high_value: number;
  npv_low_usd: number;
  npv_high_usd: number;
  /** Relative gap the low and high re-solves proved. */
  optimality_gap_low: number;
  optimality_gap_high: number;
}

export interface PlanResult {
  market: MarketResult;
  fleet: FleetResult;
  treasury: TreasuryResult | null;
  sites: SiteResult[];
  plan: PlanTotals;
  risk: RiskResult | null;
  scenarios: ScenarioResult | null;
  tornado: TornadoBar[] | null;
  warnings: string[];
}

// ---- Live baseline (GET /api/plan/baseline) -----------------------------------------------------------------

export type Provenance = 'measured' | 'config' | 'assumed';

/**
 * What a site's GPU nodes serve now, from their inference servers (agent source `inference`) and GPU telemetry.
 * Tokens are generated tokens; a busy GPU is a whole GPU times its utilization.
 */
export interface BaselineInference {
  nodes: number;
  gpus: number;
  busy_gpus: number;
  generation_tokens_per_s: number;
  /** Generated tokens/s per busy GPU: what one GPU serves while it works (the `tokens` model's tokens/s per GPU). */
  tokens_per_s_per_gpu: number | null;
  /** Mean utilization of the site's whole GPUs, 0..1. */
  utilization: number | null;
  power_kw: number;
  tokens_per_joule: number | null;
}

export interface BaselineSite {
  id: string;
  name: string;
  power_mw: number;
  power_price_usd_per_kwh: number;
  uptime: number;
  efficiency_jth: number | null;
  ai_eligible: boolean;
  provenance: { power_mw: Provenance; power_price_usd_per_kwh: Provenance; uptime: Provenance; efficiency_jth: Provenance };
  measured: {
    hashrate_ths: number | null;
    power_kw: number | null;
    efficiency_jth: number | null;
    uptime: number | null;
    /** Rigs per power_source (measured, miner, nameplate, estimated, unknown) among the site's live ASICs. */
    power_sources: Record<string, number>;
    rigs: number;
    /** The ASICs' draw (hashrate × J/TH), which sets the mining MW when config gives no capacity. */
    asic_power_kw: number | null;
    /** Non-empty telemetry buckets behind the means, and the time they cover. */
    window_points: number;
    window_covered_s: number;
    /** Whether window_points reaches config `planner.min_measured_points`; if not, uptime and efficiency are not "measured". */
    sufficient: boolean;
  };
  /** Live inference at the site; null when it has no GPU node reporting tokens. */
  inference: BaselineInference | null;
}

export interface Baseline {
  window: { from: number; to: number };
  sites: BaselineSite[];
  /** A complete plan input built from the baseline and the configured assumptions; post it as is. */
  input: PlanInputRaw;
  /**
   * Where the `tokens` model's figures in `input.ai` come from: `measured` when GPU nodes report tokens (tokens/s per
   * busy GPU, realism 1, and under the tokens model the measured utilization), else `config` (benchmark × realism).
   */
  ai_provenance: { tokens_per_s_per_gpu: Provenance; throughput_realism: Provenance; utilization: Provenance };
}
