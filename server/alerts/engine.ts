import type { Alert, AlertState, RigStatus, Sample, SiteRollup } from '../contract/index.js';
import type { AlertRules } from '../config/alerts-schema.js';
import { sampleConditions, type Condition, type RigMemory } from './rules.js';

export type AlertEvent = 'opened' | 'acknowledged' | 'resolved';
export type AlertListener = (alert: Alert, event: AlertEvent) => void;

/** What the engine reads from live fleet state each evaluation (FleetState satisfies it). */
export interface FleetView {
  records(): Iterable<[string, { readonly sample: Sample; readonly status: RigStatus; readonly reasons: string[] }]>;
  site(id: string): SiteRollup | null;
}

export interface AlertEngineOptions {
  rules: AlertRules;
  historyLimit: number;
  /** Site capacity in kW, from config `sites[].capacity_mw`; sites without one have no power rule. */
  siteCapacityKw: ReadonlyMap<string, number>;
  /** Injected so rules are testable with a fake clock. */
  now?: () => number;
}

/** Debounce state of one rule on one rig or site. */
interface Track {
  key: string;
  last: Condition;
  pendingSince: number | null;
  clearSince: number | null;
  alert: Alert | null;
  /** Resolved by hand while the condition held: stays quiet until the condition clears once. */
  latched: boolean;
}

export interface AlertFilter {
  state?: AlertState | 'active' | 'all';
  site?: string;
  rig?: string;
  limit?: number;
  /** Alerts to skip first (paging, contract/paging.ts). */
  offset?: number;
}

const SEVERITY_ORDER = { critical: 0, warning: 1 } as const;

/**
 * The alerts engine. Per-sample rules run as samples arrive (observe); time-based rules (rig offline, site power)
 * and debounce timers run on evaluate(). A condition opens an alert after holding `for_s`, and resolves it after
 * staying clear `clear_s`. One track per rule and rig (or site) means one open alert per condition, however
 * often it is seen: listeners (webhooks) hear 'opened' once per episode, never again while it stays open.
 */
export class AlertEngine {
  private readonly tracks = new Map<string, Track>();
  private readonly timed = new Set<Track>();
  private readonly memory = new Map<string, RigMemory>();
  /** Rigs with a rig_offline track: the once-a-second scan skips every other reporting rig without a lookup key. */
  private readonly offlineTracked = new Set<string>();
  /** The offline reason last applied per offline rig: evaluate() skips rigs whose reason did not change. */
  private readonly offlineReasons = new Map<string, string>();
  /** How many tracks each rig has (any rule). */
  private readonly rigTracks = new Map<string, number>();
  private readonly active = new Map<string, Alert>();
  private resolved: Alert[] = [];
  private readonly listeners: AlertListener[] = [];
  private readonly now: () => number;
  private seq = 0;

  constructor(private readonly options: AlertEngineOptions) {
    this.now = options.now ?? Date.now;
  }

  onChange(listener: AlertListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs the per-sample rules on live samples (historical replays never raise alerts). `judged` gives the verdicts
   * fleet state's rig health already reached for a sample (the same rules, thresholds and memory: fleet/health.ts),
   * so each sample is judged once; a sample it has none for (a late one fleet state did not take) is skipped.
   * Without `judged` the engine judges every sample itself.
   */
  observe(samples: readonly Sample[], judged?: (sample: Sample) => readonly Condition[] | null): void {
    const now = this.now();
    for (const sample of samples) {
      if (sample.historical) continue;
      let conditions: readonly Condition[] | null;
      if (judged) conditions = judged(sample);
      else {
        let memory = this.memory.get(sample.rig);
        if (!memory) this.memory.set(sample.rig, (memory = { baseline: null, shares: null }));
        conditions = sampleConditions(sample, memory, this.options.rules, now);
      }
      if (!conditions) continue;
      // A rig with no track has nothing to resolve: only its active conditions need a lookup (most samples: none).
      const tracked = this.rigTracks.has(sample.rig);
      for (const c of conditions) if (c.active || tracked) this.apply(c, now);
    }
  }

  /** Time-based rules and debounce timers; call periodically (alerts.evaluate_interval_ms). */
  evaluate(fleet: FleetView): void {
    const now = this.now();
    const rules = this.options.rules;
    if (rules.rig_offline.enabled) {
      for (const [rig, r] of fleet.records()) {
        const offline = r.status === 'offline';
        if (!offline && !this.offlineTracked.has(rig)) continue; // nothing to open or resolve
        const reason = r.reasons[0] ?? 'no telemetry';
        // Still offline for the same reason: nothing to tell the track (its hold timer runs through `timed` below).
        if (offline && this.offlineReasons.get(rig) === reason && this.offlineTracked.has(rig)) continue;
        if (offline) this.offlineReasons.set(rig, reason);
        else this.offlineReasons.delete(rig);
        this.apply({ kind: 'rig_offline', site: r.sample.site, rig, active: offline, message: `offline: ${reason}`, value: null, threshold: null }, now);
      }
    }
    if (rules.site_power.enabled) {
      for (const [id, capacity] of this.options.siteCapacityKw) {
        const site = fleet.site(id);
        if (!site) continue;
        const limit = capacity * rules.site_power.max_share;
        const over = site.power_kw > limit;
        const message = `${site.name} draws ${(site.power_kw / 1000).toFixed(2)} MW, above ${(limit / 1000).toFixed(2)} MW (${(100 * site.power_kw / capacity).toFixed(0)}% of capacity)`;
        this.apply({ kind: 'site_power', site: site.id, rig: null, active: over, message, value: site.power_kw, threshold: limit }, now);
      }
    }
    for (const track of [...this.timed]) this.step(track, now);
  }

  private apply(c: Condition, now: number): void {
    const key = `${c.kind}:${c.rig ?? c.site}`;
    let track = this.tracks.get(key);
    if (!track) {
      if (!c.active) return;
      track = { key, last: c, pendingSince: null, clearSince: null, alert: null, latched: false };
      this.addTrack(track);
    }
    if (c.active) {
      track.last = c;
      track.clearSince = null;
      if (track.alert) {
        track.alert.message = c.message;
        track.alert.value = c.value;
        track.alert.updated_at = now;
      } else if (!track.latched) track.pendingSince ??= now;
    } else {
      track.pendingSince = null;
      track.latched = false;
      if (track.alert) track.clearSince ??= now;
    }
    this.step(track, now);
  }

  /** Fires due timers of one track and drops tracks with nothing left to remember. */
  private step(track: Track, now: number): void {
    const rule = this.options.rules[track.last.kind];
    if (track.pendingSince !== null && now - track.pendingSince >= rule.for_s * 1000) {
      track.pendingSince = null;
      track.alert = this.open(track.last, now);
    }
    if (track.alert && track.clearSince !== null && now - track.clearSince >= rule.clear_s * 1000) {
      this.finish(track.alert, now, 'cleared');
      track.alert = null;
      track.clearSince = null;
    }
    if (track.pendingSince !== null || track.clearSince !== null) this.timed.add(track);
    else this.timed.delete(track);
    if (!track.alert && track.pendingSince === null && !track.latched) this.dropTrack(track);
  }

  private addTrack(track: Track): void {
    this.tracks.set(track.key, track);
    const rig = track.last.rig;
    if (rig === null) return;
    this.rigTracks.set(rig, (this.rigTracks.get(rig) ?? 0) + 1);
    if (track.last.kind === 'rig_offline') this.offlineTracked.add(rig);
  }

  private dropTrack(track: Track): void {
    if (!this.tracks.delete(track.key)) return;
    const rig = track.last.rig;
    if (rig === null) return;
    const left = (this.rigTracks.get(rig) ?? 1) - 1;
    if (left > 0) this.rigTracks.set(rig, left);
    else this.rigTracks.delete(rig);
    if (track.last.kind === 'rig_offline') {
      this.offlineTracked.delete(rig);
      this.offlineReasons.delete(rig);
    }
  }

  private open(c: Condition, now: number): Alert {
    const alert: Alert = {
      id: `${now.toString(36)}-${(this.seq++).toString(36)}`,
      kind: c.kind,
      severity: this.options.rules[c.kind].severity,
      site: c.site,
      rig: c.rig,
      state: 'open',
      message: c.message,
      value: c.value,
      threshold: c.threshold,
      opened_at: now,
      updated_at: now,
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
    };
    this.active.set(alert.id, alert);
    this.emit(alert, 'opened');
    return alert;
  }

  private finish(alert: Alert, now: number, by: 'cleared' | 'manual'): void {
    alert.state = 'resolved';
    alert.resolved_at = now;
    alert.resolved_by = by;
    alert.updated_at = now;
    this.active.delete(alert.id);
    this.resolved.push(alert);
    // Trim in batches: one splice per 10% overflow rather than a shift per alert.
    if (this.resolved.length > this.options.historyLimit * 1.1) this.resolved = this.resolved.slice(-this.options.historyLimit);
    this.emit(alert, 'resolved');
  }

  private emit(alert: Alert, event: AlertEvent): void {
    const copy = { ...alert };
    for (const listener of this.listeners) listener(copy, event);
  }

  get(id: string): Alert | null {
    const alert = this.active.get(id) ?? this.resolved.find((a) => a.id === id);
    return alert ? { ...alert } : null;
  }

  /** Acknowledges an active alert (idempotent); a resolved alert cannot be acknowledged. */
  acknowledge(id: string, by: string | null): { alert: Alert } | { error: 'not_found' | 'resolved' } {
    const alert = this.active.get(id);
    if (!alert) return { error: this.get(id) ? 'resolved' : 'not_found' };
    if (alert.state === 'open') {
      const now = this.now();
      alert.state = 'acknowledged';
      alert.acknowledged_at = now;
      alert.acknowledged_by = by;
      alert.updated_at = now;
      this.emit(alert, 'acknowledged');
    }
    return { alert: { ...alert } };
  }

  /** Resolves an active alert by hand (`by`: who); the rule stays quiet until its condition has cleared once. */
  resolve(id: string, by: string | null = null): { alert: Alert } | { error: 'not_found' | 'resolved' } {
    const alert = this.active.get(id);
    if (!alert) return { error: this.get(id) ? 'resolved' : 'not_found' };
    const track = this.tracks.get(`${alert.kind}:${alert.rig ?? alert.site}`);
    if (track) {
      track.alert = null;
      track.clearSince = null;
      track.latched = true;
      this.timed.delete(track);
    }
    alert.resolved_by_user = by;
    this.finish(alert, this.now(), 'manual');
    return { alert: { ...alert } };
  }

  /** What alerts.state_file keeps: the id counter, active alerts and the resolved history (oldest first). */
  snapshot(): { seq: number; active: Alert[]; resolved: Alert[] } {
    return { seq: this.seq, active: [...this.active.values()].map((a) => ({ ...a })), resolved: this.resolved.slice(-this.options.historyLimit).map((a) => ({ ...a })) };
  }

  /**
   * Takes back saved alerts at start, before any sample: each active alert gets its track again, so the same
   * condition seen in live telemetry updates it (same id, acknowledgement kept, no second 'opened'), and the
   * condition seen clear resolves it after clear_s as usual. Alerts of rules now disabled stay listed until resolved.
   */
  restore(saved: { seq: number; active: readonly Alert[]; resolved: readonly Alert[] }): void {
    this.seq = Math.max(this.seq, saved.seq);
    this.resolved = saved.resolved.slice(-this.options.historyLimit).map((a) => ({ ...a }));
    for (const a of saved.active) {
      const alert = { ...a };
      const key = `${alert.kind}:${alert.rig ?? alert.site}`;
      if (this.tracks.has(key)) continue; // one alert per condition, as the engine keeps it
      this.active.set(alert.id, alert);
      const last: Condition = { kind: alert.kind, site: alert.site, rig: alert.rig, active: true, message: alert.message, value: alert.value, threshold: alert.threshold };
      this.addTrack({ key, last, pendingSince: null, clearSince: null, alert, latched: false });
    }
  }

  /** Active alerts first (critical, then newest), then resolved ones (newest first). */
  list(filter: AlertFilter = {}): Alert[] {
    return this.listPage(filter).items;
  }

  /** One page of list(): `total` counts every alert the filter matches; only the page's alerts are copied. */
  listPage(filter: AlertFilter = {}): { total: number; items: Alert[] } {
    const state = filter.state ?? 'active';
    const match = (a: Alert): boolean =>
      (filter.site === undefined || a.site === filter.site) && (filter.rig === undefined || a.rig === filter.rig);
    const out: Alert[] = [];
    if (state !== 'resolved') {
      const active = [...this.active.values()].filter((a) => match(a) && (state === 'active' || state === 'all' || a.state === state));
      active.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.opened_at - a.opened_at);
      out.push(...active);
    }
    if (state === 'resolved' || state === 'all') {
      for (let i = this.resolved.length - 1; i >= 0; i--) {
        const a = this.resolved[i] as Alert;
        if (match(a)) out.push(a);
      }
    }
    const offset = filter.offset ?? 0;
    return { total: out.length, items: out.slice(offset, offset + (filter.limit ?? out.length)).map((a) => ({ ...a })) };
  }

  counts(): { open: number; acknowledged: number } {
    let open = 0;
    for (const a of this.active.values()) if (a.state === 'open') open++;
    return { open, acknowledged: this.active.size - open };
  }
}
