import type { Sample } from '../contract/index.js';

/**
 * Drops replayed (`historical`) samples the server has already taken, recognised by (site, rig, seq). Agents replay
 * their spool after an outage and may re-send a message whose PUBACK was lost (QoS 1 is at-least-once); `seq` is
 * strictly increasing per agent across restarts, so a repeated (rig, seq) is the same sample. A live sample is dropped
 * only when both its seq and its timestamp repeat one of the rig's recent live samples: a QoS 1 redelivery of a message
 * whose acknowledgement was lost (the server acknowledges only after storage, so a crash or a broker restart resends
 * it). Publishers without a spool, such as the simulator, may restart their numbering, but never with the same
 * timestamps, so their new samples are kept. Live seqs are remembered to recognise a later replay of them.
 *
 * Memory stays small: per rig the last LIVE_WINDOW live seqs (a duplicate of a live sample is one that was in
 * flight when the connection dropped), plus, only for rigs that have sent replayed samples, a bounded set of the
 * replayed seqs (a crash mid-replay re-sends part of the backlog). Samples without seq are never dropped.
 */
const LIVE_WINDOW = 32;
const HISTORICAL_WINDOW = 50_000;

/**
 * A rig's last LIVE_WINDOW live (seq, ts) pairs in a fixed ring. Why typed arrays and not two growing arrays with
 * push/shift: the arrays were reallocated every few samples while the rig's record lived in the old generation, so
 * each new backing store was promoted and later swept (about 80 bytes a sample, `BENCH_NODE_ARGS` heap sampling in
 * `npm run bench:ingest`). A ring of 32 (seq, ts) pairs never grows.
 */
class LiveRing {
  /** Seqs in [0, LIVE_WINDOW), their timestamps LIVE_WINDOW further on: one allocation a rig. */
  private readonly pairs = new Float64Array(2 * LIVE_WINDOW);
  private next = 0;
  private count = 0;

  has(seq: number): boolean {
    for (let i = 0; i < this.count; i++) if (this.pairs[i] === seq) return true;
    return false;
  }

  /** Whether the newest remembered entry with this seq has this timestamp. */
  hasPair(seq: number, ts: number): boolean {
    for (let k = 1; k <= this.count; k++) {
      const i = (this.next - k + LIVE_WINDOW) % LIVE_WINDOW;
      if (this.pairs[i] === seq) return this.pairs[LIVE_WINDOW + i] === ts;
    }
    return false;
  }

  add(seq: number, ts: number): void {
    this.pairs[this.next] = seq;
    this.pairs[LIVE_WINDOW + this.next] = ts;
    this.next = (this.next + 1) % LIVE_WINDOW;
    if (this.count < LIVE_WINDOW) this.count++;
  }
}

interface RigSeqs {
  live: LiveRing;
  historical: Set<number> | null;
}

export class SeqDedupe {
  /**
   * By site, then rig. Nested rather than keyed by a `site/rig` string: building that key cost a string and its hash
   * per sample, where the site and rig strings are looked up as they come (their hashes are cached in them).
   */
  private readonly sites = new Map<string, Map<string, RigSeqs>>();
  duplicates = 0;

  /** Returns the samples not seen before, remembering them. */
  filter<T extends readonly Sample[]>(samples: T): T | Sample[] {
    // Only allocated once a sample is dropped: until then `samples` itself is what is fresh.
    let fresh: Sample[] | null = null;
    // A message's samples share their site: its map is looked up once while it stays the same.
    let site: string | null = null;
    let rigs: Map<string, RigSeqs> | undefined;
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i] as Sample;
      if (sample.seq === undefined) {
        fresh?.push(sample);
        continue;
      }
      if (sample.site !== site || rigs === undefined) {
        site = sample.site;
        rigs = this.sites.get(site);
        if (!rigs) this.sites.set(site, (rigs = new Map()));
      }
      let seqs = rigs.get(sample.rig);
      if (!seqs) rigs.set(sample.rig, (seqs = { live: new LiveRing(), historical: null }));
      if (sample.historical ? seqs.live.has(sample.seq) || seqs.historical?.has(sample.seq) : seqs.live.hasPair(sample.seq, sample.ts)) {
        this.duplicates++;
        fresh ??= samples.slice(0, i);
        continue;
      }
      if (sample.historical) {
        seqs.historical ??= new Set();
        seqs.historical.add(sample.seq);
        if (seqs.historical.size > HISTORICAL_WINDOW) {
          // Sets iterate in insertion order: the first entry is the oldest.
          seqs.historical.delete(seqs.historical.values().next().value as number);
        }
      } else {
        seqs.live.add(sample.seq, sample.ts);
      }
      fresh?.push(sample);
    }
    return fresh ?? samples;
  }
}
