import { describe, expect, it } from 'vitest';
import type { Sample } from '../../server/contract/index.js';
import { SeqDedupe } from '../../server/ingest/dedupe.js';

const sample = (rig: string, seq: number | undefined, historical = false): Sample => ({
  schema: 1,
  kind: 'gpu',
  site: 'site-a',
  rig,
  ts: 1_700_000_000_000 + (seq ?? 0),
  interval_s: 10,
  ...(seq === undefined ? {} : { seq }),
  ...(historical ? { historical: true } : {}),
  power_w: null,
  power_source: null,
  errors: [],
  host_model: null,
  driver_version: null,
  gpus: [],
  tokens_per_s: null,
});

describe('server replay dedupe by (rig, seq)', () => {
  it('drops a replayed sample already taken live or replayed before, per rig', () => {
    const dedupe = new SeqDedupe();
    expect(dedupe.filter([sample('a', 1), sample('a', 2)])).toHaveLength(2);
    expect(dedupe.filter([sample('a', 2, true), sample('a', 3, true), sample('b', 2, true)]).map((s) => `${s.rig}:${s.seq}`)).toEqual(['a:3', 'b:2']);
    expect(dedupe.filter([sample('a', 3, true)])).toHaveLength(0);
    expect(dedupe.duplicates).toBe(2);
  });

  it('keeps a live sample whose seq repeats at another time (a publisher that restarted its numbering), and samples without seq', () => {
    const dedupe = new SeqDedupe();
    dedupe.filter([sample('a', 5), sample('a', undefined, true)]);
    const restarted = { ...sample('a', 5), ts: sample('a', 5).ts + 60_000 };
    expect(dedupe.filter([restarted, sample('a', undefined, true)])).toHaveLength(2);
    expect(dedupe.duplicates).toBe(0);
  });

  it('drops a live sample redelivered by the broker (same seq and time: its acknowledgement was lost)', () => {
    const dedupe = new SeqDedupe();
    expect(dedupe.filter([sample('a', 7), sample('a', 8)])).toHaveLength(2);
    expect(dedupe.filter([sample('a', 8), sample('a', 9)]).map((s) => s.seq)).toEqual([9]);
    expect(dedupe.duplicates).toBe(1);
  });

  it('remembers the last 32 live samples of a rig, newest first: older ones are taken again when replayed', () => {
    const dedupe = new SeqDedupe();
    for (let seq = 1; seq <= 40; seq++) expect(dedupe.filter([sample('a', seq)])).toHaveLength(1);
    // Seqs 9–40 are remembered; 1–8 have left the window.
    expect(dedupe.filter([sample('a', 8, true), sample('a', 9, true), sample('a', 40, true)]).map((s) => s.seq)).toEqual([8]);
    expect(dedupe.filter([sample('a', 40), sample('a', 8)]).map((s) => s.seq)).toEqual([8]);
    // A seq seen twice live at two times: the newer time is the one a redelivery repeats.
    const later = { ...sample('a', 41), ts: sample('a', 41).ts + 5_000 };
    dedupe.filter([sample('a', 41)]);
    dedupe.filter([later]);
    expect(dedupe.filter([later])).toHaveLength(0);
    expect(dedupe.filter([sample('a', 41)])).toHaveLength(1);
    expect(dedupe.duplicates).toBe(4);
  });
});
