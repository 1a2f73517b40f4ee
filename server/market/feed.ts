import type { Logger } from 'pino';
import type { MarketConfig } from '../config/market-schema.js';
import type { Config } from '../config/schema.js';
import type { MarketSnapshot } from '../contract/index.js';
import { hashpriceUsdPerPhDay } from '../planner/market.js';
import { readBitcoind } from './bitcoind.js';
import { implausible, type LiveFigures } from './figures.js';
import { readMempool } from './mempool.js';

type Fetcher = () => Promise<LiveFigures>;

/**
 * The market figures economics use: `planner.market` from the config, overlaid with the last good reply of the
 * configured adapter. A failed or implausible refresh keeps the last good figures and says why in `error`; their
 * age is always reported, so the page can say how old they are.
 */
export class MarketFeed {
  private live: LiveFigures = {};
  private updatedAt: number | null = null;
  private error: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private readonly fetcher: Fetcher | null;

  constructor(
    private readonly config: Pick<Config, 'planner'> & { market: MarketConfig },
    private readonly log?: Logger,
    fetcher?: Fetcher,
    private readonly now: () => number = Date.now,
  ) {
    const m = config.market;
    const options = { timeoutMs: m.timeout_ms, maxBytes: m.max_reply_bytes, feeBlocks: m.fee_blocks };
    this.fetcher =
      fetcher ??
      (m.source === 'mempool' ? () => readMempool(m.mempool.url, options) : m.source === 'bitcoind' ? () => readBitcoind(m.bitcoind, options) : null);
  }

  /** Fetches once now, then every refresh_s. */
  start(): void {
    if (!this.fetcher) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.market.refresh_s * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One refresh; concurrent calls share it. Never throws. */
  refresh(): Promise<void> {
    if (!this.fetcher) return Promise.resolve();
    this.inFlight ??= this.fetcher()
      .then((figures) => {
        const problem = implausible(figures);
        if (problem) throw new Error(`implausible reply: ${problem}`);
        this.live = figures;
        this.updatedAt = this.now();
        if (this.error) this.log?.info({ source: this.config.market.source }, 'market figures refreshed again');
        this.error = null;
      })
      .catch((err: Error) => {
        const message = err.name === 'TimeoutError' ? 'market source timed out' : err.message.slice(0, 300);
        if (this.error !== message) this.log?.warn({ source: this.config.market.source, err: message }, 'market refresh failed: keeping the last good figures');
        this.error = message;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  snapshot(): MarketSnapshot {
    const base = this.config.planner.market;
    const source = this.config.market.source;
    const pick = <K extends keyof LiveFigures>(key: K): { value: number; from: MarketSnapshot['source'] } => {
      const v = this.live[key];
      return v === undefined ? { value: base[key], from: 'config' } : { value: v, from: source };
    };
    const price = pick('btc_price_usd');
    const difficulty = pick('difficulty');
    const fees = pick('fees_btc_per_block');
    const subsidy = pick('block_subsidy_btc');
    const age = this.updatedAt === null ? null : Math.max(0, (this.now() - this.updatedAt) / 1000);
    return {
      source,
      btc_price_usd: price.value,
      difficulty: difficulty.value,
      fees_btc_per_block: fees.value,
      block_subsidy_btc: subsidy.value,
      pool_fee: base.pool_fee,
      hashprice_usd_per_ph_day: hashpriceUsdPerPhDay(difficulty.value, subsidy.value, fees.value, price.value),
      provenance: { btc_price_usd: price.from, difficulty: difficulty.from, fees_btc_per_block: fees.from, block_subsidy_btc: subsidy.from },
      updated_at: this.updatedAt,
      age_s: age === null ? null : Math.round(age),
      stale: source !== 'config' && (age === null || age > this.config.market.stale_after_s),
      error: this.error,
    };
  }
}
