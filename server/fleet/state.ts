import type { AgentStatus, FleetRollup, RigStatus, RigView, Sample, SiteRollup } from '../contract/index.js';
import { degradedReasons, type HealthThresholds } from './health.js';
import { rollup, type Rollup } from './rollup.js';

export interface FleetStateOptions extends HealthThresholds {
  missedIntervals: number;
  siteNames: ReadonlyMap<string, string>;
  now?: () => number;
}

export interface RigRecord {
  sample: Sample;
  /** Server time of the last live sample: agent clocks may be wrong, the server's decides silence. */
  lastSeen: number;
  /** The MQTT connection (rig or site controller) that last reported this rig; its Last Will takes it offline. */
  source: string;
  status: RigStatus;
  reasons: string[];
}

/**
 * Live fleet state: the latest live sample per rig and its status, with site and fleet rollups. Historical
 * (replayed) samples never change it. Tracks which rigs and sites changed, for realtime pushes.
 */
export class FleetState {
  private readonly rigs = new Map<string, RigRecord>();
  private readonly bySite = new Map<string, Set<string>>();
  private readonly siteCache = new Map<string, Rollup>();
  private readonly changedRigs = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: FleetStateOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Applies live samples from one source; returns how many changed live state. */
  applySamples(source: string, samples: Sample[]): number {
    const now = this.now();
    let applied = 0;
    for (const sample of samples) {
      if (sample.historical) continue;
      const current = this.rigs.get(sample.rig);
      if (current && current.sample.ts > sample.ts) continue; // late, out-of-order sample: keep the newer one
      const reasons = degradedReasons(sample, this.options, current?.sample);
      this.rigs.set(sample.rig, { sample, lastSeen: now, source, status: reasons.length ? 'degraded' : 'online', reasons });
      if (!current || current.sample.site !== sample.site) this.index(sample.rig, sample.site, current?.sample.site);
      this.touch(sample.rig, sample.site);
      applied++;
    }
    return applied;
  }

  /**
   * Whether a sample may speak for this rig from this site. A rig id belongs to the site that reports it while it is
   * online: another site naming it is impersonation (or a misconfigured agent) and is refused. Once the rig is offline
   * it may reappear under another site, as a miner moved between sites does.
   */
  mayReport(site: string, rig: string): boolean {
    const current = this.rigs.get(rig);
    return !current || current.sample.site === site || current.status === 'offline';
  }

  /** An 'offline' status (Last Will or graceful stop) takes every rig last reported by that source offline. */
  applyStatus(site: string, source: string, status: AgentStatus): number {
    if (status.state !== 'offline') return 0;
    let changed = 0;
    for (const rigId of this.bySite.get(site) ?? []) {
      const record = this.rigs.get(rigId) as RigRecord;
      if (record.source !== source || record.status === 'offline') continue;
      this.setOffline(rigId, record, status.reason ?? 'agent disconnected');
      changed++;
    }
    return changed;
  }

  /** Marks rigs offline that missed `missedIntervals` of their own polling intervals. */
  sweep(): number {
    const now = this.now();
    let changed = 0;
    for (const [rigId, record] of this.rigs) {
      if (record.status === 'offline') continue;
      const silentMs = now - record.lastSeen;
      if (silentMs > this.options.missedIntervals * record.sample.interval_s * 1000) {
        this.setOffline(rigId, record, `no sample for ${Math.round(silentMs / 1000)} s`);
        changed++;
      }
    }
    return changed;
  }

  private setOffline(rigId: string, record: RigRecord, reason: string): void {
    record.status = 'offline';
    record.reasons = [reason];
    this.touch(rigId, record.sample.site);
  }

  private index(rigId: string, site: string, previousSite: string | undefined): void {
    if (previousSite) {
      this.bySite.get(previousSite)?.delete(rigId);
      this.siteCache.delete(previousSite);
    }
    let members = this.bySite.get(site);
    if (!members) this.bySite.set(site, (members = new Set()));
    members.add(rigId);
  }

  private touch(rigId: string, site: string): void {
    this.siteCache.delete(site);
    this.changedRigs.add(rigId);
  }

  siteIds(): string[] {
    return [...this.bySite.keys()].sort();
  }

  private siteRollupOf(site: string): Rollup {
    let cached = this.siteCache.get(site);
    if (!cached) {
      cached = rollup([...(this.bySite.get(site) ?? [])].map((id) => this.rigs.get(id) as RigRecord));
      this.siteCache.set(site, cached);
    }
    return cached;
  }

  site(id: string): SiteRollup | null {
    if (!this.bySite.has(id)) return null;
    return { id, name: this.options.siteNames.get(id) ?? id, ...this.siteRollupOf(id) };
  }

  sites(): SiteRollup[] {
    return this.siteIds().map((id) => this.site(id) as SiteRollup);
  }

  fleet(): FleetRollup {
    return { sites: this.bySite.size, ...rollup(this.rigs.values()) };
  }

  rig(id: string): RigView | null {
    const record = this.rigs.get(id);
    return record ? view(record) : null;
  }

  rigsOf(site?: string): RigView[] {
    const ids = site === undefined ? [...this.rigs.keys()] : [...(this.bySite.get(site) ?? [])];
    return ids.sort().map((id) => view(this.rigs.get(id) as RigRecord));
  }

  /**
   * Live records without copying: for server-side scans (paged rig tables, alert rules) over sites of 100,000
   * rigs, where building a RigView per rig would dominate. Callers must not modify them.
   */
  *records(site?: string): IterableIterator<[string, Readonly<RigRecord>]> {
    if (site === undefined) {
      yield* this.rigs.entries();
      return;
    }
    for (const id of this.bySite.get(site) ?? []) yield [id, this.rigs.get(id) as RigRecord];
  }

  /** The connection (MQTT source) that last reported a rig: who can act on it (issue 14). */
  sourceOf(rig: string): string | null {
    return this.rigs.get(rig)?.source ?? null;
  }

  siteRigCount(site: string): number {
    return this.bySite.get(site)?.size ?? 0;
  }

  get rigCount(): number {
    return this.rigs.size;
  }

  /** Rigs changed since the last call, grouped by site; clears the change set. */
  takeChanges(): Map<string, RigView[]> {
    const bySite = new Map<string, RigView[]>();
    for (const rigId of this.changedRigs) {
      const record = this.rigs.get(rigId);
      if (!record) continue;
      const list = bySite.get(record.sample.site) ?? [];
      list.push(view(record));
      bySite.set(record.sample.site, list);
    }
    this.changedRigs.clear();
    return bySite;
  }
}

function view(record: RigRecord): RigView {
  return { ...record.sample, status: record.status, status_reasons: record.reasons, last_seen: record.lastSeen } as RigView;
}
