import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { RigPage, RigView } from '../../server/contract/index.js';
import { getJson, startTestServer } from '../helpers/server.js';

describe('GET /api/sites/:id/rigs: server-side paging, sorting, filtering and facets', () => {
  let rigline: Rigline;
  let all: RigView[];
  const ts = Date.now();

  beforeAll(async () => {
    // Faults count at once (no hold time): this test is about the table; test/unit/health.test.ts covers the holds.
    rigline = await startTestServer({ alerts: { rules: { hashboard_missing: { for_s: 0 }, overheat: { for_s: 0 } } } });
    const model = new FleetModel({ sites: 2, rigsPerSite: 300, seed: 9, intervalMs: 60_000, faultRate: 0, gpuEvery: 20, startMs: ts });
    model.setFault('site-01-r00007', 'hashboard_lost');
    model.setFault('site-01-r00101', 'overheat');
    // Straight into fleet state: this test is about the table query, not transport.
    for (const site of model.sites) rigline.state.applySamples('sim', model.samplesAt(site, 0, ts));
    all = (await getJson<RigView[]>(rigline, '/api/rigs?site=site-01')).body;
  });
  afterAll(async () => rigline?.stop());

  const page = async (query: string) => {
    const { status, body } = await getJson(rigline, `/api/sites/site-01/rigs?${query}`);
    expect(status).toBe(200);
    return RigPage.parse(body);
  };

  it('GET /api/rigs is paged too: bounded pages in id order with the total in X-Total-Count', async () => {
    const res = await fetch(`${rigline.httpUrl}/api/rigs?limit=250&offset=500`);
    expect(res.headers.get('x-total-count')).toBe('600');
    const rigs = RigView.array().parse(await res.json());
    expect(rigs).toHaveLength(100);
    expect(rigs[0]?.rig).toBe('site-02-r00201');
    expect((await getJson(rigline, '/api/rigs?limit=5001')).status).toBe(400);
    expect((await getJson<RigView[]>(rigline, '/api/rigs')).body).toHaveLength(600);
  });

  it('pages through every rig exactly once in id order by default', async () => {
    const first = await page('limit=250');
    const second = await page('limit=250&offset=250');
    expect(first.total).toBe(300);
    expect(first.matched).toBe(300);
    expect([...first.rows, ...second.rows].map((r) => r.rig)).toEqual(all.map((r) => r.rig));
    expect(second.rows).toHaveLength(50);
  });

  it('sorts by hashrate descending with rigs without hashrate (GPU nodes) last', async () => {
    const { rows } = await page('sort=hashrate&dir=desc&limit=1000');
    const asic = rows.filter((r) => r.kind === 'asic').map((r) => r.hashrate_ths as number);
    expect(asic).toEqual([...asic].sort((a, b) => b - a));
    expect(rows.slice(-15).every((r) => r.kind === 'gpu')).toBe(true);
  });

  it('filters by status, model, firmware and search, with facet counts over the other filters', async () => {
    const degraded = await page('status=degraded');
    expect(degraded.rows.map((r) => r.rig)).toEqual(['site-01-r00007', 'site-01-r00101']);
    expect(degraded.facets.status).toEqual({ online: 298, degraded: 2 });

    const model = all.find((r) => r.kind === 'asic' && r.model?.startsWith('Whatsminer'));
    const name = model!.kind === 'asic' ? model!.model! : '';
    const byModel = await page(`model=${encodeURIComponent(name)}&limit=1000`);
    const expected = all.filter((r) => r.kind === 'asic' && r.model === name).map((r) => r.rig);
    expect(byModel.rows.map((r) => r.rig)).toEqual(expected);
    expect(byModel.facets.model[name]).toBe(expected.length);
    expect(Object.values(byModel.facets.model).reduce((a, b) => a + b, 0)).toBe(300); // model facet ignores its own filter

    const fw = await page(`firmware=570.133.20&limit=1000`);
    expect(fw.rows.every((r) => r.kind === 'gpu')).toBe(true);
    expect(fw.matched).toBe(15);

    const search = await page('q=R0001');
    expect(search.rows.map((r) => r.rig)).toEqual(Array.from({ length: 10 }, (_, i) => `site-01-r0001${i}`));
    const reason = await page('q=overheating');
    expect(reason.rows.map((r) => r.rig)).toEqual(['site-01-r00101']);
  });

  it('sorts and filters by % of nameplate and by efficiency, so a mixed site ranks by underperformance', async () => {
    const { rows } = await page('sort=nameplate_pct&dir=asc&limit=1000');
    const pct = rows.filter((r) => r.nameplate_pct !== null).map((r) => r.nameplate_pct as number);
    expect(pct).toEqual([...pct].sort((a, b) => a - b));
    // The worst performers lead: the lost hashboard (2/3 of its boards) and the throttled overheating rig.
    expect(rows.slice(0, 2).map((r) => r.rig).sort()).toEqual(['site-01-r00007', 'site-01-r00101']);
    for (const r of rows.filter((x) => x.nameplate_pct !== null)) expect(r.nameplate_pct).toBeCloseTo((100 * (r.hashrate_ths as number)) / (r.nameplate_ths as number), 0);
    const under = await page('pct_max=90&limit=1000');
    expect(under.rows.map((r) => r.rig).sort()).toEqual(['site-01-r00007', 'site-01-r00101']);
    const inefficient = await page('eff_min=25&sort=efficiency&dir=desc&limit=1000');
    expect(inefficient.rows.length).toBeGreaterThan(0);
    expect(inefficient.rows.every((r) => (r.efficiency_jth as number) >= 25)).toBe(true);
    expect(inefficient.matched).toBe(all.filter((r) => r.kind === 'asic' && r.power_w !== null && (r.hashrate_5s_ths ?? 0) > 0 && (r.power_w as number) / (r.hashrate_5s_ths as number) >= 25).length);
  });

  it('exports the filtered table as CSV, every matching rig in table order', async () => {
    const res = await fetch(`${rigline.httpUrl}/api/sites/site-01/rigs.csv?pct_max=98&sort=nameplate_pct&dir=asc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?site-01-rigs.csv"?$/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('rig,kind,status,model,firmware,hashrate_ths,nameplate_ths,nameplate_pct,power_kw,power_source,efficiency_jth,temp_c,gpus,gpu_util_pct,uptime_s,last_seen,status_reasons');
    const expected = await page('pct_max=98&sort=nameplate_pct&dir=asc&limit=1000');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(expected.rows.map((r) => r.rig));
  });

  it('rejects bad parameters and unknown sites with stable codes', async () => {
    for (const q of ['limit=0', 'limit=5000', 'offset=-1', 'sort=drop', 'dir=up', 'status=dead', 'what=1']) {
      const { status, body } = await getJson<{ error: { code: string } }>(rigline, `/api/sites/site-01/rigs?${q}`);
      expect({ q, status, code: body.error.code }).toEqual({ q, status: 400, code: 'invalid_parameter' });
    }
    const { status, body } = await getJson<{ error: { code: string } }>(rigline, '/api/sites/site-99/rigs');
    expect({ status, code: body.error.code }).toEqual({ status: 404, code: 'site_not_found' });
  });
});
