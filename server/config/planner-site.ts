import { z } from 'zod';

/**
 * Per-site planner economics in config `sites[]` (issue #13); the planner baseline copies them into the plan input
 * so the planner page starts from them. All optional: a site without them plans as an owned site with no opex.
 */
export const PlannerSiteFields = {
  /** Hosted in someone else's facility: `power_price_usd_per_kwh` is then the all-in hosting rate. */
  hosted: z.boolean().optional(),
  /** Share of the hosting bill owed while the miners are off, until the contract ends. */
  take_or_pay_share: z.number().min(0).max(1).optional(),
  contract_months_left: z.number().int().min(0).max(600).optional(),
  /** Staff, maintenance and fees outside the kWh price. */
  site_opex_usd_per_day: z.number().nonnegative().optional(),
  miner_book_value_usd: z.number().nonnegative().optional(),
  miner_life_years: z.number().positive().max(100).optional(),
};
