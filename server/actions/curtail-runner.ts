import type { Logger } from 'pino';
import type { CurtailmentSiteConfig } from '../config/actions-schema.js';
import type { CurtailmentStatus } from '../contract/index.js';
import { liveHashrateThs } from '../fleet/health.js';
import type { FleetState } from '../fleet/state.js';
import { breakEvenUsdPerMwh, decideCurtailment, priceAt, type BreakEvenMarket, type CurtailRig } from './curtailment.js';
import type { ActionService } from './service.js';

export interface CurtailmentRunnerOptions {
  service: ActionService;
  state: FleetState;
  market: BreakEvenMarket;
  /** Efficiency for the break-even when the site reports none (planner.default_efficiency_jth). */
  defaultEfficiencyJth: number;
  sites: readonly CurtailmentSiteConfig[];
  log: Logger;
}

interface SiteRun {
  settings: CurtailmentSiteConfig;
  /** Rigs curtailment slept: what each drew and its J/TH just before. */
  asleep: Map<string, { fromW: number; efficiencyJth: number | null }>;
  status: CurtailmentStatus;
}

const REQUESTER = 'curtailment';

/**
 * Per-site curtailment: each tick measures the site from live telemetry, takes the price of the current hour (or the
 * current price), compares it with the threshold (default: the planner's break-even power price at the site's
 * measured J/TH) and sends sleep / wake actions through the same audited path as operators do (requester
 * `curtailment`). A dry run only records what it would send.
 */
export class CurtailmentRunner {
  private readonly sites = new Map<string, SiteRun>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: CurtailmentRunnerOptions) {
    for (const settings of options.sites) this.set(settings);
  }

  set(settings: CurtailmentSiteConfig): CurtailmentStatus {
    const existing = this.sites.get(settings.site);
    const run: SiteRun = { settings, asleep: existing?.asleep ?? new Map(), status: existing?.status ?? this.emptyStatus(settings) };
    run.status = { ...run.status, enabled: true, dry_run: settings.dry_run, target_mw: settings.target_mw };
    this.sites.set(settings.site, run);
    return run.status;
  }

  /** Stops curtailing a site and wakes what it slept (unless it was a dry run). */
  clear(site: string, nowMs = Date.now()): CurtailmentStatus | null {
    const run = this.sites.get(site);
    if (!run) return null;
    run.settings = { ...run.settings, prices: [], current_price_usd_per_mwh: undefined, threshold_usd_per_mwh: Number.POSITIVE_INFINITY };
    this.tickSite(run, nowMs);
    this.sites.delete(site);
    return { ...run.status, enabled: false };
  }

  status(site: string): CurtailmentStatus | null {
    return this.sites.get(site)?.status ?? null;
  }

  settings(site: string): CurtailmentSiteConfig | null {
    return this.sites.get(site)?.settings ?? null;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  tick(nowMs = Date.now()): void {
    for (const run of this.sites.values()) this.tickSite(run, nowMs);
  }

  private emptyStatus(settings: CurtailmentSiteConfig): CurtailmentStatus {
    return {
      site: settings.site, enabled: true, dry_run: settings.dry_run, at: null, price_usd_per_mwh: null, threshold_usd_per_mwh: null,
      threshold_source: settings.threshold_usd_per_mwh === undefined ? 'break_even' : 'configured', curtailing: false,
      target_mw: settings.target_mw, measured_mw: 0, shed_mw: 0, projected_mw: 0, asleep: [], planned: { sleep: [], wake: [] },
    };
  }

  private tickSite(run: SiteRun, nowMs: number): void {
    const { settings } = run;
    const { state, log } = this.options;
    const rigs: CurtailRig[] = [];
    let shedW = 0;
    for (const [rig, record] of state.records(settings.site)) {
      const s = record.sample;
      if (s.kind !== 'asic') continue;
      const powerW = record.status === 'offline' ? 0 : (s.power_w ?? 0);
      const ths = liveHashrateThs(s);
      const slept = run.asleep.get(rig);
      if (slept) shedW += Math.max(0, slept.fromW - powerW);
      rigs.push({
        rig,
        powerW,
        efficiencyJth: slept ? slept.efficiencyJth : ths && s.power_w ? s.power_w / ths : null,
        asleep: slept !== undefined,
        sleptFromW: slept?.fromW ?? null,
      });
    }
    const price = settings.prices.length > 0 ? priceAt(settings.prices, nowMs) : (settings.current_price_usd_per_mwh ?? null);
    const siteEfficiency = state.site(settings.site)?.efficiency_jth ?? this.options.defaultEfficiencyJth;
    const threshold = settings.threshold_usd_per_mwh ?? breakEvenUsdPerMwh(this.options.market, siteEfficiency);
    const decision = decideCurtailment(price, threshold, settings.target_mw, rigs);
    if (!settings.dry_run) {
      const byRig = new Map(rigs.map((r) => [r.rig, r]));
      for (const rig of decision.sleep) {
        if (this.send(rig, 'sleep')) run.asleep.set(rig, { fromW: byRig.get(rig)?.powerW ?? 0, efficiencyJth: byRig.get(rig)?.efficiencyJth ?? null });
      }
      for (const rig of decision.wake) if (this.send(rig, 'wake')) run.asleep.delete(rig);
      if (decision.sleep.length + decision.wake.length > 0) {
        log.info({ site: settings.site, price, threshold, sleep: decision.sleep.length, wake: decision.wake.length }, 'curtailment acted');
      }
    }
    run.status = {
      site: settings.site,
      enabled: true,
      dry_run: settings.dry_run,
      at: new Date(nowMs).toISOString(),
      price_usd_per_mwh: price,
      threshold_usd_per_mwh: Number.isFinite(threshold) ? Math.round(threshold * 100) / 100 : null,
      threshold_source: settings.threshold_usd_per_mwh === undefined ? 'break_even' : 'configured',
      curtailing: decision.curtail,
      target_mw: settings.target_mw,
      measured_mw: round(decision.measuredMw),
      shed_mw: round(shedW / 1e6),
      projected_mw: round(decision.projectedMw),
      asleep: [...run.asleep.keys()].sort(),
      planned: { sleep: decision.sleep, wake: decision.wake },
    };
  }

  private send(rig: string, action: 'sleep' | 'wake'): boolean {
    try {
      this.options.service.create(rig, { action }, REQUESTER);
      return true;
    } catch (err) {
      this.options.log.warn({ rig, action, err: (err as Error).message }, 'curtailment could not send an action');
      return false;
    }
  }
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;
