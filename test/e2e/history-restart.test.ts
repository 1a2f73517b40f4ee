import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import type { ConfigInput } from '../../server/config/schema.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface SeriesBody {
  points: { ts: number; value: number | null }[];
  coverage: { kind: string; durable: boolean; tiers: { resolution_ms: number; retention_ms: number }[] } | null;
}

/**
 * The `npm start` default (config/rigline.yaml: the SQLite store) restarted: history written before the restart,
 * through the real MQTT ingest path, is in the 24 h and 7 d charts after it. Only the test plumbing differs from
 * the file (loopback ports, a temporary data directory for history and alert state, credentials in memory).
 */
describe('history survives a restart of the default server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigline-restart-'));
  const defaults = parse(readFileSync('config/rigline.yaml', 'utf8')) as ConfigInput;
  const config: ConfigInput = { ...defaults, store: { ...defaults.store, site_rollup_interval_ms: 1000, sqlite: { ...defaults.store?.sqlite, dir } }, alerts: { ...defaults.alerts, state_file: join(dir, 'alerts.json') } };
  const now = Date.now();
  const model = new FleetModel({ sites: 2, rigsPerSite: 10, seed: 3, intervalMs: 5000, faultRate: 0, gpuEvery: 0, startMs: now - 7 * DAY });
  const rig = model.sites[0]!.rigs[0]!.id;
  const past = [now - 6 * DAY, now - 3 * DAY, now - 20 * HOUR, now - 2 * HOUR, now - 5 * 60_000];
  let rigline: Rigline | null = null;
  afterAll(async () => rigline?.stop());

  const chart = async (path: string): Promise<SeriesBody> => {
    const { status, body } = await getJson<SeriesBody>(rigline as Rigline, path);
    expect(status).toBe(200);
    return body;
  };
  const valueAt = (body: SeriesBody, ts: number): number | null => {
    const step = (body.points[1]?.ts ?? 0) - (body.points[0]?.ts ?? 0);
    return body.points.find((p) => p.ts <= ts && ts < p.ts + step)?.value ?? null;
  };

  it('shows pre-restart data in the 24 h and 7 d charts', async () => {
    expect(defaults.store?.kind).toBe('sqlite');
    rigline = await startTestServer(config, new Map(model.sites.map((s) => [s.id, s.name])));
    const runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
    for (const ts of past) await runner.tick(ts);
    await runner.stop();
    const first = rigline;
    await waitFor(async () => ((await getJson<{ ingest: { stored: number } }>(first, '/api/health')).body.ingest.stored >= 100 ? true : undefined), 15_000, 'samples stored');
    // The site charts are fed by the server's own rollup timer: wait for its first rows.
    await waitFor(() => (first.store.has?.('site', model.sites[0]!.id) ? true : undefined), 15_000, 'a site rollup on disk');
    // One fixed 7-day window for the before/after comparison: `from=-7d` is relative to each query's own clock, and a
    // restart that takes longer on a loaded machine would move the bucket edges between the two charts.
    const end = Date.now();
    const fixedWeek = `/api/rigs/${rig}/series?metric=hashrate_ths&from=${end - 7 * DAY}&to=${end}`;
    const before = await chart(fixedWeek);
    await rigline.stop();
    rigline = null;

    rigline = await startTestServer(config, new Map(model.sites.map((s) => [s.id, s.name])));
    const week = await chart(`/api/rigs/${rig}/series?metric=hashrate_ths&from=-7d`);
    const day = await chart(`/api/rigs/${rig}/series?metric=hashrate_ths&from=-24h`);
    // (-1 for a missing point, so the message names the time instead of failing on null)
    for (const ts of past) expect(valueAt(week, ts) ?? -1, `7 d chart at ${new Date(ts).toISOString()}`).toBeGreaterThan(50);
    for (const ts of past.filter((t) => t > now - DAY)) expect(valueAt(day, ts) ?? -1, `24 h chart at ${new Date(ts).toISOString()}`).toBeGreaterThan(50);
    expect((await chart(fixedWeek)).points.map((p) => p.value)).toEqual(before.points.map((p) => p.value));
    expect(week.coverage).toMatchObject({ kind: 'sqlite', durable: true });
    expect(week.coverage?.tiers.map((t) => t.retention_ms)).toEqual([DAY, 30 * DAY, 365 * DAY]);

    const siteDay = await chart(`/api/sites/${model.sites[0]!.id}/series?metric=hashrate_ths&from=-24h`);
    expect(siteDay.points.filter((p) => p.value !== null).length).toBeGreaterThan(0);
    // A rig nobody knows is a 404, not a chart of nulls.
    expect((await getJson<{ error: { code: string } }>(rigline, '/api/rigs/nope/series?metric=hashrate_ths')).status).toBe(404);
  }, 120_000);
});
