import type { Logger } from 'pino';
import type { AgentStatus, Sample } from '../contract/index.js';
import type { FleetState } from '../fleet/state.js';
import type { HistoryStore } from '../store/types.js';
import type { Counters } from './counters.js';
import type { Decoded } from './decode.js';
import type { SeqDedupe } from './dedupe.js';
import type { RigSiteEntry, RigSites } from './rig-sites.js';

export type Accepted = Extract<Decoded, { ok: true }>;

export interface PipelineLimits {
  /** Samples more than this far ahead of the server clock are refused as `clock_skew`. */
  maxFutureSkewMs: number;
  /** Samples older than this (raw retention) are refused as `too_old`; Infinity keeps everything. */
  maxAgeMs: number;
  maxRigsPerAgent: number;
  maxRigsPerSite: number;
}

export interface PipelineDeps {
  limits: PipelineLimits;
  counters: Counters;
  state: FleetState;
  store: HistoryStore;
  dedupe: SeqDedupe;
  rigSites: RigSites;
  /** A rig agent's own rigs (auth/ownership.ts): why a message must be refused, or null. */
  agentRefusal: (site: string, source: string, samples: readonly Sample[]) => string | null;
  /** Live samples after they changed fleet state (the alert engine). */
  observe?: (samples: Sample[]) => void;
  /** Status messages after they changed fleet state (operator actions learn which agent serves a rig). */
  observeStatus?: (site: string, source: string, status: AgentStatus) => void;
  log: Logger;
  now?: () => number;
}

/**
 * The ingest pipeline, one unit: what a decoded message goes through before it is stored and shown. In order:
 *
 *  1. a rig agent may speak only for its own rigs (credentials file; counted `unauthorized`);
 *  2. time: a sample stamped more than `ingest.max_future_skew_ms` ahead (`clock_skew`) or older than raw retention
 *     (`too_old`) is refused, so a forged clock can neither freeze a rig's live state nor reach InfluxDB;
 *  3. ownership: a rig belongs to the site it was first seen under (rig-sites.ts; `rig_site_conflict`), and an agent
 *     or site may hold only so many distinct rig ids (`rig_limit`);
 *  4. replayed samples already taken are dropped (dedupe.ts; `duplicate`);
 *  5. stored, then applied to live state and handed to the alert engine.
 *
 * Every refusal is counted by reason (/api/health `ingest.invalid`). Peers' messages (scale-out) skip 1–5: the peer
 * that received them already checked and stored them; they are only `apply`-ed.
 */
export class IngestPipeline {
  /**
   * Distinct rigs each agent has reported, by site then source (the topic's strings, memoised by decode.ts, so both
   * lookups hash nothing new; a `site/source` key built per message cost a string and its hash every time). The number
   * of agents per site is the inner map's size. Both are bounded by the rig caps.
   */
  private readonly agentRigs = new Map<string, Map<string, Set<string>>>();
  /** New rig claims of the message being checked, written at its end (reused: flush() writes synchronously). */
  private readonly pendingClaims: RigSiteEntry[] = [];
  private readonly now: () => number;

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Checks, stores and applies one message; returns the message as taken (null when nothing of it was). `durable` is
   * called once what was taken is stored or durably queued (at once when nothing was): the broker's PUBACK.
   */
  accept(message: Accepted, durable: () => void = () => {}): Accepted | null {
    if (message.kind === 'status') {
      this.apply(message);
      durable();
      return message;
    }
    const { counters, log } = this.deps;
    const refusal = this.deps.agentRefusal(message.site, message.source, message.samples);
    if (refusal) {
      counters.reject('unauthorized');
      log.debug({ site: message.site, source: message.source, refusal }, 'message refused');
      durable();
      return null;
    }
    const timely = this.inTime(message.samples);
    const owned = this.owned(message.site, message.source, timely);
    // Replayed (historical) samples already taken are dropped and counted under invalid.duplicate.
    const samples = this.deps.dedupe.filter(owned);
    if (samples.length < owned.length) counters.reject('duplicate', owned.length - samples.length);
    if (samples.length === 0) {
      durable();
      return null;
    }
    this.deps.store.writeSamples(samples, durable);
    counters.stored += samples.length;
    // Each step hands its input back when it drops nothing (one sample per message is the common case).
    const taken = samples === message.samples ? message : { ...message, samples };
    this.apply(taken);
    return taken;
  }

  /** Applies a checked message to live state (also what peers' messages go through). */
  apply(message: Accepted): void {
    const { state } = this.deps;
    if (message.kind === 'status') {
      state.applyStatus(message.site, message.source, message.status);
      this.deps.observeStatus?.(message.site, message.source, message.status);
    } else {
      state.applySamples(message.source, message.samples);
      this.deps.observe?.(message.samples);
    }
  }

  private inTime(samples: Sample[]): Sample[] {
    const { maxFutureSkewMs, maxAgeMs } = this.deps.limits;
    const now = this.now();
    let skewed = 0;
    let old = 0;
    for (const s of samples) {
      if (s.ts > now + maxFutureSkewMs) skewed++;
      else if (now - s.ts > maxAgeMs) old++;
    }
    if (skewed === 0 && old === 0) return samples;
    if (skewed) this.deps.counters.reject('clock_skew', skewed);
    if (old) this.deps.counters.reject('too_old', old);
    return samples.filter((s) => s.ts <= now + maxFutureSkewMs && now - s.ts <= maxAgeMs);
  }

  private owned(site: string, source: string, samples: Sample[]): Sample[] {
    const { rigSites, counters, limits } = this.deps;
    let agents = this.agentRigs.get(site);
    if (!agents) this.agentRigs.set(site, (agents = new Map()));
    let mine = agents.get(source);
    if (!mine) {
      // One agent per rig is the most a real site has: sources beyond that many rigs are refused too, so varying the
      // topic's source cannot grow memory without bound.
      if (agents.size >= limits.maxRigsPerSite) {
        counters.reject('rig_limit', samples.length);
        return [];
      }
      agents.set(source, (mine = new Set()));
    }
    const pending = this.pendingClaims;
    pending.length = 0;
    let conflicts = 0;
    let overLimit = 0;
    // Only allocated once a sample is refused: until then `samples` itself is what is kept.
    let kept: Sample[] | null = null;
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i] as Sample;
      let refused = true;
      const known = mine.has(sample.rig);
      if (!known && mine.size >= limits.maxRigsPerAgent) overLimit++;
      else {
        const claim = rigSites.claim(site, sample.rig, limits.maxRigsPerSite, pending);
        if (claim === 'conflict') conflicts++;
        else if (claim === 'site_full') overLimit++;
        else {
          if (!known) mine.add(sample.rig);
          refused = false;
        }
      }
      if (refused) kept ??= samples.slice(0, i);
      else kept?.push(sample);
    }
    rigSites.flush(pending);
    if (conflicts) counters.reject('rig_site_conflict', conflicts);
    if (overLimit) counters.reject('rig_limit', overLimit);
    return kept ?? samples;
  }
}
