import { z } from 'zod';
import { DEFAULT_THROUGHPUT_REALISM } from './gpu-hour.js';

/**
 * Wire contract of the planner: the input of `POST /api/plan` and `rigline-plan`, and the shape of its answer.
 * Field names are fixed by issue #6 (other tools rely on them); additions are optional and backwards compatible.
 * The web app imports this file too, so it holds schemas and types only.
 */

const money = z.number().finite().nonnegative();
const share = z.number().finite().min(0).max(1);
const positive = z.number().finite().positive();

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
    /** Network difficulty (e.g. 141.7e12). */
    difficulty: positive,
    fees_btc_per_block: money,
    block_subsidy_btc: positive.default(PLANNER_DEFAULTS.market.block_subsidy_btc),
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
    power_mw: positive,
    power_price_usd_per_kwh: money,
    uptime: share.default(1),
    efficiency_jth: positive.optional(),
    ai_eligible: z.boolean().default(true),
    /** This site's retrofit cost per MW of IT, when it differs from `ai.facility_capex_usd_per_mw_it`. */
    facility_capex_usd_per_mw_it: money.optional(),
    /** Hourly power prices (USD/kWh); when given, mining curtails in hours that lose money. */
    hourly_power_prices_usd_per_kwh: z.array(z.number().finite()).min(1).max(24 * 366).optional(),
  })
  .strict();

export const AiModel = z.enum(['gpu_rental', 'tokens', 'colocation']);

export const AiInput = z
  .object({
    model: AiModel,
    pue: z.number().finite().min(1).max(3),
    it_kw_per_gpu: positive,
    gpu_hour_usd: money,
    utilization: share,
    other_opex_usd_per_gpu_hour: money,
    power_draw_share: share.default(PLANNER_DEFAULTS.ai.power_draw_share),
    facility_capex_usd_per_mw_it: money,
    gpu_capex_usd: money,
    tokens_per_s_per_gpu: money.optional(),
    throughput_realism: share.default(PLANNER_DEFAULTS.ai.throughput_realism),
    usd_per_million_tokens: money.optional(),
    lease_usd_per_mw_it_year: money.optional(),
    noi_margin: share.default(PLANNER_DEFAULTS.ai.noi_margin),
    gross_to_it: z.number().finite().min(1).max(3).default(PLANNER_DEFAULTS.ai.gross_to_it),
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
    gpu_life_years: positive.default(PLANNER_DEFAULTS.finance.gpu_life_years),
    facility_life_years: positive.default(PLANNER_DEFAULTS.finance.facility_life_years),
    conversion_months: z.number().int().min(0).max(120).default(PLANNER_DEFAULTS.finance.conversion_months),
    /** Payback for which the plan reports the GPU-hour price needed. */
    target_payback_months: positive.default(PLANNER_DEFAULTS.finance.target_payback_months),
  })
  .strict();

export const ConstraintsInput = z
  .object({
    capex_budget_usd: money.optional(),
    max_gpus: money.optional(),
    min_mining_mw: money.default(0),
    whole_sites: z.boolean().default(false),
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
  })
  .strict()
  .superRefine((plan, ctx) => {
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

/** One line per problem, `path: reason`, e.g. `sites.2.power_mw: Too small: expected number to be >0`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
}

// ---- Output -------------------------------------------------------------------------------------------------

export interface MarketResult {
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
  decision: { convert_share: number; converted_mw: number; greedy_share: number };
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
}

export interface ScenarioGrid {
  difficulty_growth_per_month: number;
  /** Rows follow btc_prices_usd, columns gpu_hour_prices_usd. */
  converted_mw: number[][];
  npv_usd: number[][];
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
}

export interface PlanResult {
  market: MarketResult;
  sites: SiteResult[];
  plan: PlanTotals;
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
    window_points: number;
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
