import { describe, expect, it } from 'vitest';
import type { MetricValues } from '../../server/store/metrics.js';
import { LateRanges } from '../../server/store/influx/late-ranges.js';
import { MinuteRollups } from '../../server/store/influx/minute-rollups.js';

const MIN = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MIN); // a minute boundary
const HEAD = 'rig,kind=asic,model=S19,rig=r1,site=s1';
const values = (power: number | null, hashrate: number | null = 100): MetricValues => ({
  hashrate_ths: hashrate,
  power_kw: power,
  efficiency_jth: null,
  temp_c: 70,
  gpu_util_pct: null,
  tokens_per_s: null,
});

/** field → value of one rollup line. */
function fieldsOf(line: string): { head: string; fields: Record<string, string>; ts: number } {
  const [head, fields, ts] = line.split(' ');
  return { head: head as string, fields: Object.fromEntries((fields as string).split(',').map((kv) => kv.split('=') as [string, string])), ts: Number(ts) };
}

describe('server-side 1-minute rollups', () => {
  it('sums and counts each field per rig and minute, as the continuous query did, once the grace has passed', () => {
    const rollups = new MinuteRollups(30_000, T0);
    expect(rollups.add(HEAD, T0 + 1000, values(3))).toBe(true);
    expect(rollups.add(HEAD, T0 + 21_000, values(4.5))).toBe(true);
    expect(rollups.add(HEAD, T0 + 41_000, values(null))).toBe(true);
    expect(rollups.add(HEAD, T0 + MIN + 1000, values(5))).toBe(true); // the next minute
    expect(rollups.close(T0 + MIN + 29_000)).toBeNull(); // minute 0 ended 29 s ago: within the grace
    const closed = rollups.close(T0 + MIN + 30_000);
    expect(closed).toMatchObject({ from: T0, to: T0 + MIN });
    expect(closed!.pieces).toHaveLength(1);
    const line = fieldsOf(closed!.pieces[0]!.lines);
    expect(line.head).toBe(HEAD);
    expect(line.ts).toBe(T0);
    expect(line.fields).toMatchObject({ power_kw_sum: '7.5', power_kw_count: '2i', hashrate_ths_sum: '300', hashrate_ths_count: '3i', temp_c_count: '3i' });
    // A field with no value has a count of 0 and no sum, as count() and sum() answer in the CQ.
    expect(line.fields).toMatchObject({ gpu_util_pct_count: '0i', tokens_per_s_count: '0i' });
    expect(line.fields).not.toHaveProperty('gpu_util_pct_sum');
    const next = rollups.close(T0 + 2 * MIN + 30_000);
    expect(fieldsOf(next!.pieces[0]!.lines).fields).toMatchObject({ power_kw_sum: '5', power_kw_count: '1i' });
  });

  it('refuses samples for closed minutes, before its start, or too far ahead (they are backfilled instead)', () => {
    const rollups = new MinuteRollups(0, T0 + 5000);
    expect(rollups.add(HEAD, T0 - 1, values(1))).toBe(false); // before the minute it started in
    expect(rollups.add(HEAD, T0 + 1, values(1))).toBe(true);
    rollups.close(T0 + MIN);
    expect(rollups.add(HEAD, T0 + 59_999, values(1))).toBe(false); // that minute is closed and written
    expect(rollups.add(HEAD, T0 + MIN, values(1))).toBe(true);
    expect(rollups.add(HEAD, T0 + 9 * MIN, values(1))).toBe(false); // clock far ahead
  });

  it('writes each rig once per minute, in pieces of at most the batch size, and forgets rigs with nothing open', () => {
    const rollups = new MinuteRollups(0, T0);
    for (let r = 0; r < 25; r++) rollups.add(`rig,rig=r${r},site=s1`, T0 + r, values(r));
    rollups.add('rig,rig=r0,site=s1', T0 + MIN + 1, values(1)); // r0 has the next minute open
    const closed = rollups.close(T0 + MIN, 10)!;
    expect(closed.pieces.map((p) => p.points)).toEqual([10, 10, 5]);
    const heads = closed.pieces.flatMap((p) => p.lines.split('\n')).map((l) => fieldsOf(l).head);
    expect(new Set(heads).size).toBe(25);
    expect(rollups.rigsOpen).toBe(1);
    expect(rollups.close(T0 + MIN + 1)).toBeNull(); // nothing new has ended
  });

  it('writes nothing for a rig minute whose samples had no chartable value', () => {
    const rollups = new MinuteRollups(0, T0);
    rollups.add(HEAD, T0, { hashrate_ths: null, power_kw: null, efficiency_jth: null, temp_c: null, gpu_util_pct: null, tokens_per_s: null });
    expect(rollups.close(T0 + MIN)!.pieces).toEqual([]);
  });
});

describe('late ranges for rollup backfill', () => {
  it('merges nearby ranges, hands one out only when ready and its barrier has passed', () => {
    const late = new LateRanges();
    late.add(T0, T0 + MIN, T0 + 3 * MIN);
    late.add(T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN); // within 5 minutes: merged
    late.add(T0 + 60 * MIN, T0 + 61 * MIN, T0); // far: its own range, ready now
    expect(late.size).toBe(2);
    let held = 0;
    const snapshot = (): number[] => [5];
    const written = (b: number[]): boolean => held >= (b[0] as number);
    expect(late.takeReady(T0, snapshot, written)).toBeNull(); // ready, but the buffer still holds what came before
    held = 5;
    expect(late.takeReady(T0, snapshot, written)).toMatchObject({ from: T0 + 60 * MIN, to: T0 + 61 * MIN });
    expect(late.takeReady(T0 + 3 * MIN, snapshot, written)).toBeNull(); // merged range: ready at 4 min
    expect(late.takeReady(T0 + 4 * MIN, snapshot, written)).toMatchObject({ from: T0, to: T0 + 3 * MIN });
    expect(late.size).toBe(0);
  });

  it('stays bounded: beyond 64 ranges the nearest two are merged', () => {
    const late = new LateRanges();
    for (let i = 0; i < 100; i++) late.add(T0 + i * 60 * MIN, T0 + i * 60 * MIN + 1, T0);
    expect(late.size).toBe(64);
    const all: { from: number; to: number }[] = [];
    for (let r = late.takeReady(T0, () => [], () => true); r; r = late.takeReady(T0, () => [], () => true)) all.push(r);
    expect(Math.min(...all.map((r) => r.from))).toBe(T0);
    expect(Math.max(...all.map((r) => r.to))).toBe(T0 + 99 * 60 * MIN + 1);
  });
});
