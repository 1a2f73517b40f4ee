import type { AgentStatus, FleetRollup, RigStatus, RigView, Sample, SiteRollup } from '../contract/index.js';
import type { AlertRules } from '../config/alerts-schema.js';
import { adoptSample, holdSample, sampleCopy } from './adopt.js';
import { formatAge, RigHealth, type StatusReason } from './health.js';
import { rollup, type Rollup } from './rollup.js';
import type { Condition } from '../alerts/rules.js';

export interface FleetStateOptions {
  /** Thresholds and hold / clear times of degraded reasons: the alert rules' (config `alerts.rules`). */
  rules: AlertRules;
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
  /** The messages of `details`: what the alert engine and the rig table read. */
  reasons: string[];
  /** Why the rig is degraded or offline, each with the time it began. */
  details: StatusReason[];
  /** When the rig entered its current status. */
  statusSince: number;
  /** Why it went offline (Last Will reason, or silence); null while it reports. */
  offlineCause: string | null;
  /** The age and cause the offline reason was last worded with (sweep rewords it only when they change). */
  offlineAge?: string;
  offlineAgeCause?: string | null;
  health: RigHealth;
  /** Listed in `changed` since the last takeChanges(). */
  changed?: boolean;
}

/**
 * Live fleet state: the latest live sample per rig and its status, with site and fleet rollups. Historical
 * (replayed) samples never change it. Tracks which rigs and sites changed, for realtime pushes.
 */
export class FleetState {
  private readonly rigs = new Map<string, RigRecord>();
  private readonly bySite = new Map<string, Set<string>>();
  private readonly siteCache = new Map<string, Rollup>();
  /**
   * Rigs changed since the last takeChanges(): the first `changedCount` entries, each flagged on its record so it is
   * listed once. A list kept at its size rather than a Set cleared on every take: the Set's table was reallocated
   * as it grew again after each clear, and those tables lived until the next take (the broadcaster's interval),
   * long enough to be promoted (heap sample of `npm run bench:ingest`, one rig per message).
   */
  private readonly changed: string[] = [];
  private changedCount = 0;
  /** Reporting rigs whose health has a hold or clear timer running: sweep() fires them. */
  private readonly waiting = new Set<string>();
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
      const record: RigRecord = current ?? {
        // State's own copy: the parsed sample goes on to the store, and later samples are written into this one.
        sample: holdSample(sample), lastSeen: now, source, status: 'online', reasons: [], details: [], statusSince: now, offlineCause: null, health: new RigHealth(this.options.rules),
      };
      const previousSite = current?.sample.site;
      // The new values go into the object the rig already holds: the parsed sample then dies young (adopt.ts).
      if (current) record.sample = adoptSample(current.sample, sample);
      record.lastSeen = now;
      // The same connection again (as good as always): keep the string held, not this message's copy of it, which
      // would otherwise be promoted with the record and swept later.
      if (record.source !== source) record.source = source;
      record.offlineCause = null;
      // Health unchanged and already reporting: status and reasons stand (no new arrays for every sample).
      if (record.health.observe(sample, now) || !current || record.status === 'offline') this.judge(sample.rig, record, now);
      else if (record.health.waiting) this.waiting.add(sample.rig);
      else if (this.waiting.size > 0) this.waiting.delete(sample.rig); // mostly empty: no lookup per sample then
      if (!current) this.rigs.set(sample.rig, record);
      if (!current || previousSite !== sample.site) this.index(sample.rig, sample.site, previousSite);
      this.touch(sample.rig, record);
      applied++;
    }
    return applied;
  }

  /** An 'offline' status (Last Will or graceful stop) takes every rig last reported by that source offline. */
  applyStatus(site: string, source: string, status: AgentStatus): number {
    if (status.state !== 'offline') return 0;
    let changed = 0;
    for (const rigId of this.bySite.get(site) ?? []) {
      const record = this.rigs.get(rigId) as RigRecord;
      if (record.source !== source || record.status === 'offline') continue;
      this.setOffline(rigId, record, status.reason ?? 'agent disconnected', this.now());
      changed++;
    }
    return changed;
  }

  /**
   * Marks rigs offline that missed `missedIntervals` of their own polling intervals, fires health hold / clear timers,
   * and keeps offline reasons current ("no sample for 7 min", not the 15 s it was when the rig went quiet).
   */
  sweep(): number {
    const now = this.now();
    let changed = 0;
    for (const rigId of this.waiting) {
      const record = this.rigs.get(rigId);
      if (!record || record.status === 'offline') {
        this.waiting.delete(rigId);
        continue;
      }
      if (record.health.tick(now) && this.judge(rigId, record, now)) changed++;
      else if (!record.health.waiting) this.waiting.delete(rigId);
    }
    for (const [rigId, record] of this.rigs) {
      if (record.status === 'offline') {
        this.describeOffline(record, now);
        continue;
      }
      const silentMs = now - record.lastSeen;
      if (silentMs > this.options.missedIntervals * record.sample.interval_s * 1000) {
        this.setOffline(rigId, record, null, now);
        changed++;
      }
    }
    return changed;
  }

  /**
   * Forgets rigs offline and silent for longer than `afterMs` (config ingest.forget_after): live state holds only
   * rigs that exist; their history stays in the store. Returns how many were forgotten.
   */
  forget(afterMs: number): number {
    const now = this.now();
    let forgotten = 0;
    for (const [rigId, record] of this.rigs) {
      if (record.status !== 'offline' || now - record.lastSeen <= afterMs) continue;
      this.rigs.delete(rigId);
      this.bySite.get(record.sample.site)?.delete(rigId);
      if (this.bySite.get(record.sample.site)?.size === 0) this.bySite.delete(record.sample.site);
      this.siteCache.delete(record.sample.site);
      // An id left in `changed` finds no record (or a new, unflagged one) at the next take, and is skipped.
      this.waiting.delete(rigId);
      forgotten++;
    }
    return forgotten;
  }

  /** Sets a reporting rig's status from its health; returns whether status or reasons changed. */
  private judge(rigId: string, record: RigRecord, now: number): boolean {
    const details = record.health.reasons();
    const status: RigStatus = details.length > 0 ? 'degraded' : 'online';
    if (record.health.waiting) this.waiting.add(rigId);
    else this.waiting.delete(rigId);
    const changed = status !== record.status || details.length !== record.details.length || details.some((d, i) => d.message !== record.details[i]?.message);
    if (status !== record.status) record.statusSince = now;
    record.status = status;
    record.details = details;
    record.reasons = details.map((d) => d.message);
    if (changed) this.touch(rigId, record);
    return changed;
  }

  private setOffline(rigId: string, record: RigRecord, cause: string | null, now: number): void {
    record.status = 'offline';
    record.statusSince = now;
    record.offlineCause = cause;
    this.describeOffline(record, now);
    this.waiting.delete(rigId);
    this.touch(rigId, record);
  }

  /** The offline reason, with its age as of `now`; `since` is the last sample, the rig's last sign of life. */
  private describeOffline(record: RigRecord, now: number): void {
    const age = formatAge(now - record.lastSeen);
    // Swept every second for every offline rig: the words change only when the age, in its own unit, does.
    if (record.details[0]?.kind === 'rig_offline' && record.offlineAge === age && record.offlineAgeCause === record.offlineCause) return;
    record.offlineAge = age;
    record.offlineAgeCause = record.offlineCause;
    const message = record.offlineCause ? `${record.offlineCause}; last sample ${age} ago` : `no sample for ${age}`;
    record.details = [{ kind: 'rig_offline', message, since: record.lastSeen }];
    record.reasons = [message];
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

  private touch(rigId: string, record: RigRecord): void {
    this.siteCache.delete(record.sample.site);
    if (record.changed) return;
    record.changed = true;
    this.changed[this.changedCount++] = rigId;
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

  /**
   * The alert rules' verdicts on `sample`, if it is the sample this rig's health last judged (else null). Handed over
   * once: the health lets go of them, so they die young instead of being kept (and promoted by the GC) per rig.
   */
  takeConditions(sample: Sample): readonly Condition[] | null {
    return this.rigs.get(sample.rig)?.health.takeConditions(sample) ?? null;
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

  /**
   * Rigs changed since the last call, grouped by site; clears the change set. Every changed site is a key, but rig
   * views (a copy of each sample) are built only for sites `wanted` accepts: the realtime broadcaster asks only for
   * sites someone watches, so a busy ingest builds nothing for the rest.
   */
  takeChanges(wanted: (site: string) => boolean = () => true): Map<string, RigView[]> {
    const bySite = new Map<string, RigView[]>();
    const wantedSites = new Map<string, boolean>();
    for (let i = 0; i < this.changedCount; i++) {
      const rigId = this.changed[i] as string;
      const record = this.rigs.get(rigId);
      if (!record?.changed) continue;
      record.changed = false;
      const site = record.sample.site;
      let want = wantedSites.get(site);
      if (want === undefined) {
        wantedSites.set(site, (want = wanted(site)));
        bySite.set(site, []);
      }
      if (want) (bySite.get(site) as RigView[]).push(view(record));
    }
    this.changedCount = 0;
    return bySite;
  }
}

/** A rig's view: a copy, since the held sample is rewritten in place by the rig's next sample (adopt.ts). */
function view(record: RigRecord): RigView {
  return {
    ...sampleCopy(record.sample),
    status: record.status,
    status_reasons: record.reasons,
    status_details: record.details,
    status_since: record.statusSince,
    last_seen: record.lastSeen,
  } as RigView;
}
