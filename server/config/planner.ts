import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { PLANNER_DEFAULTS } from '../planner/contract.js';

/**
 * Planner assumptions the live baseline starts from (config key `planner`). Everything here is an assumption, not
 * a measurement; the planner page and `GET /api/plan/baseline` say so. Sources for the defaults: README "Planner".
 */
const nonNeg = z.number().finite().nonnegative();
const share = z.number().min(0).max(1);

export const PlannerConfigSchema = z
  .object({
    /**
     * Saved plans (POST /api/plans) are kept in this JSON file; null keeps them in memory only (demo, tests). Relative
     * paths resolve from the working directory: production configs give an absolute path or one under config/.
     */
    saved_plans_file: z.string().min(1).nullable().default(null),
    /** At most this many saved plans; saving one more answers 409 until one is deleted. */
    saved_plans_max: z.number().int().positive().max(100_000).default(1000),
    /**
     * Plan worker threads (POST /api/plan, POST /api/plans); requesters take turns on them (issue #10). Default:
     * min(2, CPU cores), so plans never take every core from ingest.
     */
    workers: z.number().int().min(1).max(64).default(() => Math.min(2, availableParallelism())),
    /** Plans one requester (user, token, or anonymous address) may have queued or running; more → 429 plan_busy. */
    max_queued_per_user: z.number().int().min(1).max(1000).default(4),
    /** Body limit of the plan routes (bytes); 10,000 named sites, the schema's most, are ~1.3 MB. Other routes: 1 MB. */
    max_body_bytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
    /** Telemetry window the baseline averages over (hours). */
    window_hours: z.number().positive().max(24 * 90).default(24),
    /** Power price for sites whose `sites[].power_price_usd_per_kwh` is not set. */
    default_power_price_usd_per_kwh: nonNeg.default(0.05),
    /** Efficiency for sites with no live ASIC telemetry. */
    default_efficiency_jth: z.number().positive().default(22),
    /**
     * Telemetry buckets (of the window ÷ 300, at least 10 s; the live rollup counts as one before any is stored) a
     * site needs before its uptime and efficiency count as measured; with fewer the baseline falls back to config
     * and the defaults, and says so (issue #13). config/rigline.yaml asks for 12 (an hour of a 24 h window).
     */
    min_measured_points: z.number().int().min(1).max(300).default(1),
    market: z
      .object({
        btc_price_usd: z.number().positive().default(75_000),
        difficulty: z.number().positive().default(141.7e12),
        fees_btc_per_block: nonNeg.default(0.02),
        block_subsidy_btc: z.number().positive().default(PLANNER_DEFAULTS.market.block_subsidy_btc),
        pool_fee: z.number().min(0).lt(1).default(0.02),
        halving_date: z.iso.date().default(PLANNER_DEFAULTS.market.halving_date),
        difficulty_growth_per_month: z.number().gt(-0.5).lt(1).default(PLANNER_DEFAULTS.market.difficulty_growth_per_month),
      })
      .strict()
      .prefault({}),
    ai: z
      .object({
        model: z.enum(['gpu_rental', 'tokens', 'colocation']).default('gpu_rental'),
        pue: z.number().min(1).max(3).default(1.3),
        it_kw_per_gpu: z.number().positive().default(1.4),
        gpu_hour_usd: nonNeg.default(2.2),
        utilization: share.default(0.75),
        other_opex_usd_per_gpu_hour: nonNeg.default(0.25),
        power_draw_share: share.default(PLANNER_DEFAULTS.ai.power_draw_share),
        facility_capex_usd_per_mw_it: nonNeg.default(8_000_000),
        gpu_capex_usd: nonNeg.default(30_000),
        tokens_per_s_per_gpu: nonNeg.default(2_500),
        throughput_realism: share.default(PLANNER_DEFAULTS.ai.throughput_realism),
        usd_per_million_tokens: nonNeg.default(0.6),
        lease_usd_per_mw_it_year: nonNeg.default(1_600_000),
        noi_margin: share.default(PLANNER_DEFAULTS.ai.noi_margin),
        gross_to_it: z.number().min(1).max(3).default(PLANNER_DEFAULTS.ai.gross_to_it),
      })
      .strict()
      .prefault({}),
    finance: z
      .object({
        horizon_months: z.number().int().min(1).max(600).default(PLANNER_DEFAULTS.finance.horizon_months),
        discount_rate: z.number().min(0).max(1).default(PLANNER_DEFAULTS.finance.discount_rate),
        gpu_life_years: z.number().positive().default(PLANNER_DEFAULTS.finance.gpu_life_years),
        facility_life_years: z.number().positive().default(PLANNER_DEFAULTS.finance.facility_life_years),
        conversion_months: z.number().int().min(0).max(120).default(PLANNER_DEFAULTS.finance.conversion_months),
        target_payback_months: z.number().positive().default(PLANNER_DEFAULTS.finance.target_payback_months),
        overhead_usd_per_year: nonNeg.default(0),
      })
      .strict()
      .prefault({}),
    constraints: z
      .object({
        capex_budget_usd: nonNeg.optional(),
        max_gpus: nonNeg.optional(),
        min_mining_mw: nonNeg.default(0),
        whole_sites: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** The company's treasury (issue #13); when set, the planner page starts from it and its capex is the budget. */
    treasury: z
      .object({
        btc_held: nonNeg.default(0),
        sell_btc: nonNeg.default(0),
        cash_usd: nonNeg.default(0),
        debt_usd: nonNeg.default(0),
        debt_interest_rate: share.default(0),
        repay_debt_usd: nonNeg.default(0),
      })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({});

export type PlannerConfig = z.infer<typeof PlannerConfigSchema>;
