import { z } from 'zod';
import { SiteId } from '../contract/index.js';

/** Operator actions on rigs (issue 14): config key `actions`. config/rigline.yaml documents each key. */
const PricePoint = z.object({ hour: z.string().datetime({ offset: true }), usd_per_mwh: z.number().finite().min(-10_000).max(100_000) }).strict();

export const CurtailmentSiteSchema = z
  .object({
    site: SiteId,
    /** Sleep miners while the power price is above this (USD/MWh); default: the planner's break-even power price. */
    threshold_usd_per_mwh: z.number().finite().optional(),
    /** How far to bring the site's power down while the price is above the threshold (MW; 0 sleeps every ASIC). */
    target_mw: z.number().min(0).max(10_000).default(0),
    /** Hourly prices (start of each hour); the hour containing now decides. Empty: use current_price_usd_per_mwh. */
    prices: z.array(PricePoint).max(24 * 400).default([]),
    current_price_usd_per_mwh: z.number().finite().optional(),
    /** Plan and show what would happen, send nothing. */
    dry_run: z.boolean().default(true),
  })
  .strict();
export type CurtailmentSiteConfig = z.infer<typeof CurtailmentSiteSchema>;

export const ActionsConfigSchema = z
  .object({
    /** Audit trail and pending commands (JSON lines, appended); null keeps them in memory only (demo, tests). */
    audit_file: z.string().min(1).nullable().default(null),
    /** Actions kept in the audit trail; the oldest finished ones are forgotten first. */
    max_records: z.number().int().min(100).max(10_000_000).default(200_000),
    /** A command not carried out within this time expires: the agent never runs it after that. */
    expire_after_ms: z.number().int().min(1000).max(7 * 86_400_000).default(300_000),
    bulk: z
      .object({
        /** A bulk action issues at most this share of the site's rigs per window (default 5 % per minute). */
        pace_pct_per_minute: z.number().min(0.1).max(100).default(5),
        /** The pace window; a minute in production, shorter in tests. */
        window_ms: z.number().int().min(100).max(3_600_000).default(60_000),
      })
      .strict()
      .prefault({}),
    curtailment: z
      .object({
        /** How often each curtailed site is re-planned against the price and its measured power. */
        interval_ms: z.number().int().min(100).max(3_600_000).default(60_000),
        sites: z.array(CurtailmentSiteSchema).max(1000).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
export type ActionsConfig = z.infer<typeof ActionsConfigSchema>;
