import { z } from 'zod';

/** Where a market figure came from: the config, or the named live adapter. */
export const MarketProvenance = z.enum(['config', 'mempool', 'bitcoind']);

export const MarketSnapshot = z.object({
  source: MarketProvenance,
  btc_price_usd: z.number(),
  difficulty: z.number(),
  fees_btc_per_block: z.number(),
  block_subsidy_btc: z.number(),
  pool_fee: z.number(),
  /** Gross USD per PH/s per day before pool fee: 86,400 × 10^15 / (difficulty × 2^32) × (subsidy + fees) × price. */
  hashprice_usd_per_ph_day: z.number(),
  provenance: z.object({ btc_price_usd: MarketProvenance, difficulty: MarketProvenance, fees_btc_per_block: MarketProvenance, block_subsidy_btc: MarketProvenance }),
  /** When the live figures were fetched (ms since the epoch); null for config figures or before the first success. */
  updated_at: z.number().nullable(),
  /** Seconds since updated_at; null when not live. */
  age_s: z.number().nullable(),
  /** True when live figures are older than market.stale_after_s, or none has arrived yet. */
  stale: z.boolean(),
  /** The last refresh's failure, if the last attempt failed (the last good figures stay in use). */
  error: z.string().nullable(),
});
export type MarketSnapshot = z.infer<typeof MarketSnapshot>;

const side = {
  revenue_usd_per_day: z.number(),
  power_cost_usd_per_day: z.number(),
  margin_usd_per_day: z.number(),
  /** Measured power of the rigs on this side (ASICs, or GPU nodes), MW. */
  power_mw: z.number(),
  /** Per MW of measured power; null when the side draws no measured power. */
  revenue_usd_per_mw_day: z.number().nullable(),
  margin_usd_per_mw_day: z.number().nullable(),
};

export const MiningEconomics = z.object({ ...side, rigs: z.number().int(), hashrate_ths: z.number() });
export type MiningEconomics = z.infer<typeof MiningEconomics>;

export const InferenceEconomics = z.object({
  ...side,
  basis: z.enum(['tokens', 'gpu_hours']),
  nodes: z.number().int(),
  gpus: z.number().int(),
  generation_tokens_per_s: z.number(),
  prompt_tokens_per_s: z.number(),
  /** Whole GPUs times their utilization: GPU-hours sold per hour. */
  busy_gpus: z.number(),
  /** Generated tokens per joule of measured GPU node power; null without tokens or power. */
  tokens_per_joule: z.number().nullable(),
});
export type InferenceEconomics = z.infer<typeof InferenceEconomics>;

export const SiteEconomics = z.object({
  id: z.string(),
  name: z.string(),
  power_price_usd_per_kwh: z.number(),
  mining: MiningEconomics,
  inference: InferenceEconomics,
});
export type SiteEconomics = z.infer<typeof SiteEconomics>;

/** GET /api/economics and the 'economics' socket event: live money per site and for the fleet. */
export const Economics = z.object({
  ts: z.number(),
  market: MarketSnapshot,
  prices: z.object({ usd_per_million_tokens: z.number(), usd_per_million_prompt_tokens: z.number(), gpu_hour_usd: z.number() }),
  sites: z.array(SiteEconomics),
  fleet: z.object({ mining: MiningEconomics, inference: InferenceEconomics }),
});
export type Economics = z.infer<typeof Economics>;
