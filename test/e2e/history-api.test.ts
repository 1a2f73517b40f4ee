import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { getJson, startTestServer } from '../helpers/server.js';

describe('history API over the memory store', () => {
  let rigline: Rigline;
  const t0 = Date.UTC(2026, 0, 1);
  beforeAll(async () => {
    rigline = await startTestServer();
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 5, intervalMs: 60_000, faultRate: 0, gpuEvery: 0 });
    // Four samples one minute apart: two in each 2-minute bucket.
    const samples = [0, 1, 2, 3].map((i) => model.samplesAt(model.sites[0]!, i, t0 + i * 60_000)[0]!);
    rigline.store.writeSamples(samples);
  });
  afterAll(async () => rigline?.stop());

  it('returns bucketed means over the requested range', async () => {
    const rig = 'site-01-r00001';
    const { status, body } = await getJson<{ points: { ts: number; value: number | null }[]; stepMs: number }>(
      rigline,
      `/api/rigs/${rig}/series?metric=power_kw&from=${t0}&to=${t0 + 6 * 60_000}&step=120`,
    );
    expect(status).toBe(200);
    expect(body.stepMs).toBe(120_000);
    expect(body.points.map((p) => p.ts)).toEqual([t0, t0 + 120_000, t0 + 240_000]);
    expect(body.points[2]?.value).toBeNull();
    expect(body.points[0]?.value).toBeGreaterThan(1);
  });

  it('answers 404 for a rig or site with no live state and no history, and takes durations for step', async () => {
    for (const path of ['/api/rigs/nope/series?metric=power_kw', '/api/sites/nowhere/series?metric=power_kw', '/api/rigs/nope/components?part=board&metric=temp_c']) {
      const { status, body } = await getJson<{ error: { code: string; message: string } }>(rigline, path);
      expect({ path, status, code: body.error.code }).toEqual({ path, status: 404, code: path.includes('/rigs/') ? 'rig_not_found' : 'site_not_found' });
      expect(body.error.message).toMatch(/is not reporting and has no history/);
    }
    const rig = 'site-01-r00001';
    const tenSeconds = await getJson<{ stepMs: number; points: unknown[] }>(rigline, `/api/rigs/${rig}/series?metric=power_kw&from=${t0}&to=${t0 + 60_000}&step=10s`);
    expect(tenSeconds.status).toBe(200);
    expect(tenSeconds.body.stepMs).toBe(10_000);
    expect(tenSeconds.body.points).toHaveLength(6);
    const twoMinutes = await getJson<{ stepMs: number }>(rigline, `/api/rigs/${rig}/series?metric=power_kw&from=${t0}&to=${t0 + 6 * 60_000}&step=2m`);
    expect(twoMinutes.body.stepMs).toBe(120_000);
  });

  it('says in a plain sentence which parameter is wrong and what it allows', async () => {
    const message = async (query: string): Promise<string> =>
      (await getJson<{ error: { message: string } }>(rigline, `/api/rigs/site-01-r00001/series?${query}`)).body.error.message;
    expect(await message('metric=power_kw&step=abc')).toBe("step must be a number of seconds or a duration such as 10s, 5m, 1h or 1d, from 1 s to 31 days (got 'abc')");
    expect(await message('metric=watts')).toMatch(/^metric must be one of hashrate_ths, power_kw, efficiency_jth, temp_c, gpu_util_pct, tokens_per_s \(got 'watts'\)$/);
    expect(await message('metric=power_kw&from=yesterday')).toMatch(/^from must be epoch milliseconds, an ISO 8601 time, or a time ago such as -10m, -24h or -7d \(got 'yesterday'\)$/);
    expect(await message('metric=power_kw&colour=red')).toBe('unknown parameter colour');
  });

  it('rejects bad parameters with a stable code and builds no query from them', async () => {
    const cases = [
      '/api/sites/site-01/series?metric=drop_table',
      '/api/sites/site-01/series?metric=power_kw&from=yesterday',
      '/api/sites/site-01/series?metric=power_kw&step=0',
      '/api/sites/site-01/series?metric=power_kw&from=2000&to=1000',
      '/api/sites/site-01/series?metric=power_kw&from=0&to=999999999999&step=1',
      '/api/sites/site-01/series?metric=power_kw&extra=1',
      '/api/sites/BAD%27/series?metric=power_kw',
      // Out of any Date's range: the InfluxDB store could not even format these as query times.
      '/api/sites/site-01/series?metric=power_kw&from=-99999999999999999999d',
      '/api/sites/site-01/series?metric=power_kw&from=0&to=99999999999999999999',
    ];
    for (const path of cases) {
      const { status, body } = await getJson<{ error: { code: string } }>(rigline, path);
      expect({ path, status, code: body.error.code }).toEqual({ path, status: 400, code: 'invalid_parameter' });
    }
  });
});

describe('history API default step over the SQLite store (rollup rows at minute starts)', () => {
  let rigline: Rigline;
  const dir = mkdtempSync(join(tmpdir(), 'rigline-step-'));
  const OLD_STEP_MS = 2_016_000; // what a 7-day range used to default to: 7 days / 300, rounded to seconds only
  // A sample 1 s past a multiple of that step which is not a whole minute, about three days ago: with the old step a
  // bucket edge fell inside the sample's minute, so the minute row (stamped at the minute's start) missed its bucket.
  let edge = Math.floor((Date.now() - 3 * 86_400_000) / OLD_STEP_MS) * OLD_STEP_MS;
  while (edge % 60_000 === 0 || edge % 60_000 > 58_000) edge -= OLD_STEP_MS;
  const ts = edge + 1000;
  const rig = 'site-01-r00001';

  beforeAll(async () => {
    rigline = await startTestServer({ store: { kind: 'sqlite', sqlite: { dir } } });
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 5, intervalMs: 60_000, faultRate: 0, gpuEvery: 0 });
    rigline.store.writeSamples([model.samplesAt(model.sites[0]!, 0, ts)[0]!]);
    await rigline.store.drain?.(10_000);
  });
  afterAll(async () => {
    await rigline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a 7-day range steps in whole minutes, and the bucket holding a sample shows it', async () => {
    const from = ts - 3.5 * 86_400_000;
    const { status, body } = await getJson<{ points: { ts: number; value: number | null }[]; stepMs: number }>(
      rigline,
      `/api/rigs/${rig}/series?metric=power_kw&from=${from}&to=${from + 7 * 86_400_000}`,
    );
    expect(status).toBe(200);
    expect(body.stepMs % 60_000).toBe(0);
    const bucket = body.points.find((p) => p.ts <= ts && ts < p.ts + body.stepMs);
    expect(bucket?.value ?? null).toBeGreaterThan(1);
    expect(body.points.filter((p) => p.value !== null)).toEqual([bucket]);
  });

  it('a 90-day range steps in whole hours', async () => {
    const { body } = await getJson<{ stepMs: number }>(rigline, `/api/rigs/${rig}/series?metric=power_kw&from=-90d`);
    expect(body.stepMs % 3_600_000).toBe(0);
  });
});
