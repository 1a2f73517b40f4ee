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

interface RigSeqs {
  live: number[];
  /** Timestamps of the live seqs, index for index. */
  liveTs: number[];
  historical: Set<number> | null;
}

export class SeqDedupe {
  private readonly rigs = new Map<string, RigSeqs>();
  duplicates = 0;

  /** Returns the samples not seen before, remembering them. */
  filter(samples: readonly Sample[]): Sample[] {
    const fresh: Sample[] = [];
    for (const sample of samples) {
      if (sample.seq === undefined) {
        fresh.push(sample);
        continue;
      }
      const key = `${sample.site}/${sample.rig}`;
      let seqs = this.rigs.get(key);
      if (!seqs) this.rigs.set(key, (seqs = { live: [], liveTs: [], historical: null }));
      if (sample.historical && (seqs.live.includes(sample.seq) || seqs.historical?.has(sample.seq))) {
        this.duplicates++;
        continue;
      }
      if (!sample.historical) {
        const at = seqs.live.lastIndexOf(sample.seq);
        if (at >= 0 && seqs.liveTs[at] === sample.ts) {
          this.duplicates++;
          continue;
        }
      }
      if (sample.historical) {
        seqs.historical ??= new Set();
        seqs.historical.add(sample.seq);
        if (seqs.historical.size > HISTORICAL_WINDOW) {
          // Sets iterate in insertion order: the first entry is the oldest.
          seqs.historical.delete(seqs.historical.values().next().value as number);
        }
      } else {
        seqs.live.push(sample.seq);
        seqs.liveTs.push(sample.ts);
        if (seqs.live.length > LIVE_WINDOW) {
          seqs.live.shift();
          seqs.liveTs.shift();
        }
      }
      fresh.push(sample);
    }
    return fresh;
  }
}
