import type { AlertKind, Sample } from '../contract/index.js';
import { ALERT_TITLES } from '../contract/alert-titles.js';
import type { AlertRules } from '../config/alerts-schema.js';
import { sampleConditions, type Condition, type RigMemory } from '../alerts/rules.js';

export { isSha256, liveHashrateThs } from './hashrate.js';

/** One reason a rig is degraded or offline, with the time it began (server clock, epoch ms). */
export interface StatusReason {
  kind: AlertKind;
  message: string;
  since: number;
}

/** Debounce state of one rule on one rig, as the alert engine keeps it (server/alerts/engine.ts). */
interface Held {
  kind: AlertKind;
  message: string;
  /** The condition has been seen since then but not yet for `for_s`. */
  pendingSince: number | null;
  /** The condition held for `for_s`: it counts, from the time it began. */
  activeSince: number | null;
  /** Active, and clear since then; it stops counting after `clear_s`. */
  clearSince: number | null;
}

/**
 * A rig's health with memory. The same per-sample rules as the alerts (server/alerts/rules.ts: rates over a window
 * with a minimum share count, hashrate against its own median) and the same `for_s` / `clear_s` debounce and
 * thresholds (config `alerts.rules`), so a rig is degraded exactly while a rule would keep its alert open: one
 * 5-second sample with one rejected share in ten no longer flips a rig to degraded and back.
 */
export class RigHealth {
  private readonly memory: RigMemory = { baseline: null, shares: null };
  private readonly held = new Map<AlertKind, Held>();

  constructor(private readonly rules: AlertRules) {}

  /** The sample last judged and the rules' verdicts on it, until the alert engine takes them (alerts/engine.ts). */
  private judgedSample: Sample | null = null;
  private judged: readonly Condition[] | null = null;

  /** Judges one live sample; returns whether the set of counting reasons changed. */
  observe(sample: Sample, now: number): boolean {
    const before = this.signature();
    const conditions = sampleConditions(sample, this.memory, this.rules, now);
    this.judgedSample = sample;
    this.judged = conditions;
    for (const c of conditions) this.apply(c, now);
    this.step(now);
    return this.signature() !== before;
  }

  /** The rules' verdicts on `sample` if it is the one last judged and they were not taken yet; null otherwise. */
  takeConditions(sample: Sample): readonly Condition[] | null {
    if (this.judgedSample !== sample) return null;
    const conditions = this.judged;
    this.judgedSample = this.judged = null;
    return conditions;
  }

  /** Fires due hold and clear timers; returns whether the set of counting reasons changed. */
  tick(now: number): boolean {
    const before = this.signature();
    this.step(now);
    return this.signature() !== before;
  }

  /** Whether a timer is running (tick() may change something later). */
  get waiting(): boolean {
    for (const h of this.held.values()) if (h.pendingSince !== null || h.clearSince !== null) return true;
    return false;
  }

  /** Reasons that count now, oldest first. */
  reasons(): StatusReason[] {
    const out: StatusReason[] = [];
    for (const h of this.held.values()) {
      if (h.activeSince !== null) out.push({ kind: h.kind, message: `${ALERT_TITLES[h.kind].toLowerCase()}: ${h.message}`, since: h.activeSince });
    }
    return out.sort((a, b) => a.since - b.since);
  }

  private apply(c: Condition, now: number): void {
    let h = this.held.get(c.kind);
    if (!h) {
      if (!c.active) return;
      this.held.set(c.kind, (h = { kind: c.kind, message: c.message, pendingSince: null, activeSince: null, clearSince: null }));
    }
    if (c.active) {
      h.message = c.message;
      h.clearSince = null;
      if (h.activeSince === null) h.pendingSince ??= now;
    } else {
      h.pendingSince = null;
      if (h.activeSince !== null) h.clearSince ??= now;
    }
  }

  private step(now: number): void {
    for (const [kind, h] of this.held) {
      const rule = this.rules[kind];
      if (h.pendingSince !== null && now - h.pendingSince >= rule.for_s * 1000) {
        h.activeSince = h.pendingSince;
        h.pendingSince = null;
      }
      if (h.activeSince !== null && h.clearSince !== null && now - h.clearSince >= rule.clear_s * 1000) {
        h.activeSince = null;
        h.clearSince = null;
      }
      if (h.activeSince === null && h.pendingSince === null) this.held.delete(kind);
    }
  }

  private signature(): string {
    let key = '';
    for (const h of this.held.values()) if (h.activeSince !== null) key += `${h.kind}:${h.message}|`;
    return key;
  }
}

/** How long ago, in words an operator reads at a glance: "45 s", "7 min", "3 h 20 min", "2 d 4 h". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
