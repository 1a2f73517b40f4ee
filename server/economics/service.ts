import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Economics } from '../contract/index.js';
import type { FleetState } from '../fleet/state.js';
import { MarketFeed } from '../market/feed.js';
import { computeEconomics, type Prices } from './compute.js';

/** Computed at most this often: every GET and push in between shares one pass over the fleet. */
const CACHE_MS = 1000;

/** Live economics of the fleet: the market feed plus one cached pass over live state. */
export class EconomicsService {
  readonly feed: MarketFeed;
  private cached: { at: number; value: Economics } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly state: FleetState,
    private readonly config: Config,
    log?: Logger,
    feed?: MarketFeed,
  ) {
    this.feed = feed ?? new MarketFeed(config, log);
  }

  private prices(): Prices {
    const ai = this.config.planner.ai;
    return {
      usd_per_million_tokens: ai.usd_per_million_tokens,
      usd_per_million_prompt_tokens: this.config.market.usd_per_million_prompt_tokens,
      gpu_hour_usd: ai.gpu_hour_usd,
      basis: this.config.market.inference_basis,
    };
  }

  current(now = Date.now()): Economics {
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.value;
    const configured = new Map(this.config.sites.map((s) => [s.id, s]));
    const defaultPrice = this.config.planner.default_power_price_usd_per_kwh;
    const sites = this.state.siteIds().map((id) => ({
      id,
      name: this.state.site(id)?.name ?? id,
      power_price_usd_per_kwh: configured.get(id)?.power_price_usd_per_kwh ?? defaultPrice,
      rigs: [...this.state.records(id)].map(([, record]) => record),
    }));
    const value = computeEconomics(sites, this.feed.snapshot(), this.prices(), now);
    this.cached = { at: now, value };
    return value;
  }

  /** Starts the market feed and pushes economics to connected dashboards every market.push_interval_ms. */
  start(emit: (economics: Economics) => void, hasClients: () => boolean): void {
    this.feed.start();
    this.timer = setInterval(() => {
      if (hasClients()) emit(this.current());
    }, this.config.market.push_interval_ms);
    this.timer.unref();
  }

  stop(): void {
    this.feed.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
