import { z } from 'zod';

/**
 * Live market inputs for `GET /api/economics` (config key `market`). `source: config` uses `planner.market` as it
 * is; `mempool` reads difficulty, recent fees and the BTC price from a mempool.space-compatible HTTP API (your own
 * mempool instance, or the public one); `bitcoind` reads difficulty, subsidy and fees from a node's RPC
 * (`getmininginfo`, `getblockstats`) and, having no price, keeps `planner.market.btc_price_usd`.
 */
const url = z.string().url().refine((u) => /^https?:/i.test(u), 'must be an http(s) URL');

export const MarketConfigSchema = z
  .object({
    source: z.enum(['config', 'mempool', 'bitcoind']).default('config'),
    /** How often the adapter is asked again. */
    refresh_s: z.number().int().min(10).max(86_400).default(300),
    /** Per request; the adapter's answer is also cut off at max_reply_bytes. */
    timeout_ms: z.number().int().min(100).max(60_000).default(5000),
    max_reply_bytes: z.number().int().min(1024).max(8 * 1024 * 1024).default(256 * 1024),
    /** Live figures older than this are flagged stale on the page (they are still used: the last good ones). */
    stale_after_s: z.number().int().min(60).max(30 * 86_400).default(3600),
    /** Blocks the mean fee per block is taken over. */
    fee_blocks: z.number().int().min(1).max(1008).default(144),
    mempool: z.object({ url: url.default('https://mempool.space') }).strict().prefault({}),
    bitcoind: z
      .object({ url: url.default('http://127.0.0.1:8332'), username: z.string().optional(), password: z.string().optional() })
      .strict()
      .prefault({}),
    /** How inference earns: generated tokens × `planner.ai.usd_per_million_tokens`, or busy GPU-hours × `planner.ai.gpu_hour_usd`. */
    inference_basis: z.enum(['tokens', 'gpu_hours']).default('tokens'),
    /** Price of prompt (input) tokens; 0 counts generated tokens only, the basis of the planner's tokens/s. */
    usd_per_million_prompt_tokens: z.number().finite().nonnegative().default(0),
    /** How often live economics are pushed to dashboards over socket.io. */
    push_interval_ms: z.number().int().min(500).max(600_000).default(5000),
  })
  .strict()
  .prefault({});

export type MarketConfig = z.infer<typeof MarketConfigSchema>;
