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
    rigline = await startTestServer();
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

  it('rejects bad parameters and unknown sites with stable codes', async () => {
    for (const q of ['limit=0', 'limit=5000', 'offset=-1', 'sort=drop', 'dir=up', 'status=dead', 'what=1']) {
      const { status, body } = await getJson<{ error: { code: string } }>(rigline, `/api/sites/site-01/rigs?${q}`);
      expect({ q, status, code: body.error.code }).toEqual({ q, status: 400, code: 'invalid_parameter' });
    }
    const { status, body } = await getJson<{ error: { code: string } }>(rigline, '/api/sites/site-99/rigs');
    expect({ status, code: body.error.code }).toEqual({ status: 404, code: 'site_not_found' });
  });
});
