import { describe, expect, it } from 'vitest';
import { chooseSource, rawTailStart, seriesStatement, type SourcePolicy } from '../../server/store/influx/series.js';
import type { SeriesQuery } from '../../server/store/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const policy: SourcePolicy = { rollups: true, rawRetentionMs: 7 * DAY, rollup1mRetentionMs: 90 * DAY, rollup1mFromRangeMs: 6 * HOUR, rollup1hFromRangeMs: 7 * DAY };
const now = 1_800_000_000_000;
const q = (rangeMs: number, stepMs: number, endAgo = 0): SeriesQuery => ({
  scope: 'site',
  id: 'site-01',
  metric: 'power_kw',
  from: now - endAgo - rangeMs,
  to: now - endAgo,
  stepMs,
});

describe('choosing raw points or rollups', () => {
  it('reads raw points for short ranges and rollups for long ones', () => {
    expect(chooseSource(q(HOUR, 10_000), now, policy)).toBe('raw');
    expect(chooseSource(q(12 * HOUR, 60_000), now, policy)).toBe('rollup_1m');
    expect(chooseSource(q(30 * DAY, HOUR), now, policy)).toBe('rollup_1h');
  });

  it('uses a rollup only when the step is whole rollup intervals', () => {
    expect(chooseSource(q(12 * HOUR, 90_000), now, policy)).toBe('raw');
    expect(chooseSource(q(30 * DAY, 90 * 60_000), now, policy)).toBe('rollup_1m');
  });

  it('reads rollups for ranges older than the raw retention, whatever their length', () => {
    expect(chooseSource(q(HOUR, 60_000, 10 * DAY), now, policy)).toBe('rollup_1m');
    expect(chooseSource(q(HOUR, HOUR, 100 * DAY), now, policy)).toBe('rollup_1h');
  });

  it('never uses rollups when retention is not managed (InfluxDB 2.x, 3)', () => {
    expect(chooseSource(q(30 * DAY, HOUR), now, { ...policy, rollups: false })).toBe('raw');
  });

  it('reads the newest buckets from raw points, whole, while their rollup is not complete', () => {
    const query = q(12 * HOUR, 10 * 60_000);
    const tail = rawTailStart(query, 'rollup_1m', now);
    expect(tail % query.stepMs).toBe(0);
    expect(now - tail).toBeGreaterThanOrEqual(2 * 60_000);
    expect(now - tail).toBeLessThan(2 * 60_000 + query.stepMs);
    expect(rawTailStart(query, 'raw', now)).toBe(query.from);
  });

  it('builds InfluxQL from validated numbers and quoted identifiers, with the id only as a bound parameter', () => {
    const query = q(HOUR, 60_000);
    expect(seriesStatement('rigline', 'rollup_1m', query, query.from, query.to)).toBe(
      `SELECT sum("power_kw_sum") / sum("power_kw_count") AS "v" FROM "rigline"."rollup_1m"."site" WHERE "site" = $id ` +
        `AND time >= ${query.from}ms AND time < ${query.to}ms GROUP BY time(60000ms) fill(none)`,
    );
    expect(() => seriesStatement('rigline', 'raw', { ...query, id: "x' OR 1=1" }, 0.5, 1)).toThrow(/not an integer/);
    const hostile = seriesStatement('rigline', null, { ...query, scope: 'rig', id: "x' OR 1=1; DROP DATABASE rigline" }, 0, 60_000);
    expect(hostile).toContain(`FROM "rig" WHERE "rig" = $id`);
    expect(hostile).not.toContain('DROP');
  });
});
