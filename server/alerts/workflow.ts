import { randomUUID } from 'node:crypto';
import type { Alert, AlertKind } from '../contract/index.js';

/**
 * What operators add to alerts: notes, silences and maintenance windows. A silence (rule, site, rig, until) or a
 * maintenance window (site or rig, from, until) keeps matching alerts out of notifications while it lasts; the
 * alerts still open, show, and carry the silence's id so the page can say why nobody was paged. Kept in memory,
 * and in alerts.state_file when one is set (alerts/persistence.ts).
 */
export interface Silence {
  id: string;
  kind: 'silence' | 'maintenance';
  /** Null matches every rule (maintenance windows silence everything at their site or rig). */
  rule: AlertKind | null;
  site: string | null;
  rig: string | null;
  starts_at: number;
  ends_at: number;
  comment: string;
  created_by: string;
  created_at: number;
}

export type SilenceInput = Pick<Silence, 'kind' | 'rule' | 'site' | 'rig' | 'starts_at' | 'ends_at' | 'comment'>;

export interface AlertNote {
  at: number;
  by: string;
  text: string;
}

/** Bounds that keep a hostile or careless client from filling memory. */
export const LIMITS = { silences: 1000, notesPerAlert: 100, alertsWithNotes: 20_000 } as const;

export class AlertWorkflow {
  private readonly silences = new Map<string, Silence>();
  private readonly notes = new Map<string, AlertNote[]>();

  /** Called after every change (alerts.state_file persistence). */
  onChange: () => void = () => {};

  constructor(private readonly now: () => number = Date.now) {}

  /** Silences and notes as alerts.state_file keeps them (notes only of alerts still kept: `keep`). */
  snapshot(keep: (alertId: string) => boolean): { silences: Silence[]; notes: Record<string, AlertNote[]> } {
    this.expire();
    const notes: Record<string, AlertNote[]> = {};
    for (const [id, list] of this.notes) if (keep(id)) notes[id] = [...list];
    return { silences: [...this.silences.values()], notes };
  }

  restore(saved: { silences: readonly Silence[]; notes: Readonly<Record<string, readonly AlertNote[]>> }): void {
    for (const s of saved.silences.slice(0, LIMITS.silences)) this.silences.set(s.id, { ...s });
    for (const [id, list] of Object.entries(saved.notes).slice(-LIMITS.alertsWithNotes)) this.notes.set(id, list.slice(0, LIMITS.notesPerAlert));
    this.expire();
  }

  addSilence(input: SilenceInput, by: string): Silence | { error: 'too_many' } {
    this.expire();
    if (this.silences.size >= LIMITS.silences) return { error: 'too_many' };
    const silence: Silence = { ...input, id: randomUUID().slice(0, 12), created_by: by, created_at: this.now() };
    this.silences.set(silence.id, silence);
    this.onChange();
    return silence;
  }

  removeSilence(id: string): Silence | null {
    const silence = this.silences.get(id) ?? null;
    this.silences.delete(id);
    if (silence) this.onChange();
    return silence;
  }

  /** Silences and maintenance windows not yet over, soonest ending first. */
  listSilences(): Silence[] {
    this.expire();
    return [...this.silences.values()].sort((a, b) => a.ends_at - b.ends_at);
  }

  /** The silence in effect for this alert now, if any. */
  silencing(alert: Pick<Alert, 'kind' | 'site' | 'rig'>, at = this.now()): Silence | null {
    for (const s of this.silences.values()) {
      if (at < s.starts_at || at >= s.ends_at) continue;
      if (s.rule !== null && s.rule !== alert.kind) continue;
      if (s.site !== null && s.site !== alert.site) continue;
      if (s.rig !== null && s.rig !== alert.rig) continue;
      return s;
    }
    return null;
  }

  addNote(alertId: string, by: string, text: string): AlertNote[] | { error: 'too_many' } {
    let list = this.notes.get(alertId);
    if (!list) {
      if (this.notes.size >= LIMITS.alertsWithNotes) this.notes.delete(this.notes.keys().next().value as string); // oldest first
      this.notes.set(alertId, (list = []));
    }
    if (list.length >= LIMITS.notesPerAlert) return { error: 'too_many' };
    list.push({ at: this.now(), by, text });
    this.onChange();
    return [...list];
  }

  notesOf(alertId: string): AlertNote[] {
    return [...(this.notes.get(alertId) ?? [])];
  }

  /** An alert as the API shows it: with its notes and the silence that keeps it quiet. */
  decorate(alert: Alert): Alert & { notes: AlertNote[]; silenced_by: string | null } {
    return { ...alert, notes: this.notesOf(alert.id), silenced_by: alert.state === 'resolved' ? null : (this.silencing(alert)?.id ?? null) };
  }

  private expire(): void {
    const now = this.now();
    for (const [id, s] of this.silences) if (s.ends_at <= now) this.silences.delete(id);
  }
}
