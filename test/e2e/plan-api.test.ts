import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import type { Baseline, PlanResult } from '../../server/planner/contract.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';

async function postJson<T>(rigline: Rigline, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${rigline.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

describe('planner API over a simulated fleet', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;

  beforeAll(async () => {
    const model = new FleetModel({ sites: 3, rigsPerSite: 30, seed: 11, intervalMs: 60_000, faultRate: 0, gpuEvery: 10 });
    rigline = await startTestServer(
      {
        store: { site_rollup_interval_ms: 1000 },
        sites: [{ id: 'site-01', name: 'Rockdale TX', capacity_mw: 2, power_price_usd_per_kwh: 0.04 }],
        planner: { ai: { gpu_hour_usd: 2.5 } },
      },
      new Map(model.sites.map((s) => [s.id, s.name])),
    );
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
    await runner.tick(Date.now());
    await waitFor(async () => {
      const { body } = await getJson<Baseline>(rigline, '/api/plan/baseline');
      return body.sites.length === 3 && body.sites.every((s) => s.measured.window_points > 0) ? true : undefined;
    }, 15_000, 'site rollups in history');
  });

  afterAll(async () => {
    await runner?.stop();
    await rigline?.stop();
  });

  it('builds the baseline from telemetry and config, saying what is measured and what is assumed', async () => {
    const { status, body } = await getJson<Baseline>(rigline, '/api/plan/baseline?window=1h');
    expect(status).toBe(200);
    expect(body.sites.map((s) => s.id)).toEqual(['site-01', 'site-02', 'site-03']);
    const [configured, measured] = [body.sites[0]!, body.sites[1]!];
    expect(configured).toMatchObject({ name: 'Rockdale TX', power_mw: 2, power_price_usd_per_kwh: 0.04 });
    expect(configured.provenance).toEqual({ power_mw: 'config', power_price_usd_per_kwh: 'config', uptime: 'measured', efficiency_jth: 'measured' });
    const live = rigline.state.site('site-02')!;
    expect(measured.provenance).toEqual({ power_mw: 'measured', power_price_usd_per_kwh: 'assumed', uptime: 'measured', efficiency_jth: 'measured' });
    expect(measured.power_price_usd_per_kwh).toBe(rigline.config.planner.default_power_price_usd_per_kwh);
    // Mining MW is the ASICs' draw, hashrate × J/TH; the site's GPU nodes are not mining MW (issue #13).
    expect(measured.power_mw).toBeCloseTo((live.hashrate_ths * live.efficiency_jth!) / 1e6, 3);
    if (rigline.state.rigsOf('site-02').some((r) => r.kind === 'gpu')) expect(measured.power_mw).toBeLessThan(live.power_kw / 1000);
    expect(measured.efficiency_jth).toBeCloseTo(live.efficiency_jth!, 1);
    expect(measured.measured.hashrate_ths).toBeCloseTo(live.hashrate_ths, 0);
    expect(measured.uptime).toBeGreaterThan(0.5);
    expect(measured.uptime).toBeLessThanOrEqual(1);
    const asics = rigline.state.rigsOf('site-02').filter((r) => r.kind === 'asic').length;
    expect(Object.values(measured.measured.power_sources).reduce((a, b) => a + b, 0)).toBe(asics);
    expect(body.input.ai.gpu_hour_usd).toBe(2.5);
    expect(body.input.sites[1]!.efficiency_jth).toBe(measured.efficiency_jth);
  });

  it('plans from the baseline input, taking a missing efficiency from live telemetry', async () => {
    const { body: baseline } = await getJson<Baseline>(rigline, '/api/plan/baseline');
    const input = structuredClone(baseline.input);
    delete input.sites[2]!.efficiency_jth;
    input.analysis = { scenarios: false, tornado: false };
    const { status, body } = await postJson<PlanResult>(rigline, '/api/plan', input);
    expect(status).toBe(200);
    expect(body.sites[2]!.efficiency_jth).toBe(baseline.sites[2]!.efficiency_jth);
    expect(body.sites.map((s) => s.id)).toEqual(['site-01', 'site-02', 'site-03']);
    expect(body.plan.npv_usd).toBeGreaterThanOrEqual(body.plan.greedy_npv_usd - 1e-6);
    expect(body.market.hashprice_usd_per_ph_day).toBeGreaterThan(0);
  });

  it('rejects bad input with a coded JSON error naming the field', async () => {
    const { body: baseline } = await getJson<Baseline>(rigline, '/api/plan/baseline');
    const bad = structuredClone(baseline.input);
    bad.sites[0]!.power_mw = -3;
    const res = await postJson<{ error: { code: string; message: string } }>(rigline, '/api/plan', bad);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_plan');
    expect(res.body.error.message).toMatch(/sites\.0\.power_mw: /);

    const unknown = structuredClone(baseline.input);
    unknown.sites = [{ id: 'nowhere', power_mw: 5, power_price_usd_per_kwh: 0.05 }];
    const missing = await postJson<{ error: { message: string } }>(rigline, '/api/plan', unknown);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/sites\.0\.efficiency_jth: required \(no live telemetry for 'nowhere'\)/);

    expect((await postJson(rigline, '/api/plan', [1, 2])).status).toBe(400);
    const window = await getJson<{ error: { code: string } }>(rigline, '/api/plan/baseline?window=forever');
    expect(window.status).toBe(400);
    expect(window.body.error.code).toBe('invalid_parameter');
  });

  it('answers 400 naming the field for inputs that would overflow, never null, ∞ or NaN (issue #13)', async () => {
    const { body: baseline } = await getJson<Baseline>(rigline, '/api/plan/baseline');
    for (const [path, value] of [['difficulty', 1e-300], ['btc_price_usd', 1e308]] as const) {
      const bad = structuredClone(baseline.input);
      (bad.market as Record<string, unknown>)[path] = value;
      const res = await postJson<{ error: { code: string; message: string } }>(rigline, '/api/plan', bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_plan');
      expect(res.body.error.message).toMatch(new RegExp(`^market\\.${path}: `));
    }
  });
});
