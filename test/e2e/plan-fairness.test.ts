import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rigline } from '../../server/app.js';
import type { PlanResult } from '../../server/planner/contract.js';
import { startTestServer } from '../helpers/server.js';

interface ApiErrorBody {
  error: { code: string; message: string };
}

async function post(rigline: Rigline, path: string, body: string): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const res = await fetch(`${rigline.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

/** A plan of `count` named sites: 10,000 of them serialize to ~1.5 MB, over the API's general 1 MB limit. */
function largePlan(count: number): Record<string, unknown> {
  return {
    market: { btc_price_usd: 100_000, difficulty: 1e14, fees_btc_per_block: 0, pool_fee: 0, as_of: '2026-01-01', halving_date: '2026-03-02' },
    sites: Array.from({ length: count }, (_, i) => ({
      id: `site-${String(i).padStart(5, '0')}`,
      name: `Site number ${i} in Rockdale, Texas, USA`,
      power_mw: 1 + (i % 40),
      power_price_usd_per_kwh: 0.03 + (i % 7) / 100,
      efficiency_jth: 15 + (i % 20),
      uptime: 0.97,
    })),
    ai: { model: 'gpu_rental', pue: 1.25, it_kw_per_gpu: 1, gpu_hour_usd: 2, utilization: 0.5, other_opex_usd_per_gpu_hour: 0, facility_capex_usd_per_mw_it: 1e6, gpu_capex_usd: 10_000 },
    finance: { horizon_months: 4, discount_rate: 0, conversion_months: 1 },
    analysis: { scenarios: false, tornado: false },
  };
}

describe('planner fairness and body limits over HTTP (issue #10, finding 7)', () => {
  let rigline: Rigline;
  const big = JSON.stringify(largePlan(10_000));

  beforeAll(async () => {
    rigline = await startTestServer({ planner: { workers: 1, max_queued_per_user: 1, max_body_bytes: 2 * 1024 * 1024 } });
  });

  afterAll(async () => {
    await rigline?.stop();
  });

  it("accepts a 10,000-site plan over 1 MB, and answers a requester's plan over planner.max_queued_per_user with 429 plan_busy and Retry-After", async () => {
    expect(big.length).toBeGreaterThan(1_300_000);
    // Both from the same (anonymous, loopback) requester with a limit of one: whichever reaches the queue second
    // finds the first still planning 10,000 sites and is refused, not queued.
    const answers = await Promise.all([post(rigline, '/api/plan', big), post(rigline, '/api/plan', big)]);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 429]);
    const ok = answers.find((a) => a.status === 200)!;
    expect((ok.body as PlanResult).sites).toHaveLength(10_000);
    const busy = answers.find((a) => a.status === 429)!;
    expect((busy.body as ApiErrorBody).error.code).toBe('plan_busy');
    expect(Number(busy.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(busy.retryAfter))).toBe(true);

    // The place is free again once the first plan is answered.
    const again = await post(rigline, '/api/plan', JSON.stringify(largePlan(3)));
    expect(again.status).toBe(200);
  }, 120_000); // a 10,000-site plan takes about a second alone, far more on a loaded 2-core CI machine

  it('saves a 10,000-site plan through POST /api/plans (the same larger limit)', async () => {
    const res = await post(rigline, '/api/plans', `{"name":"ten thousand sites","input":${big}}`);
    expect(res.status).toBe(201);
  }, 120_000);

  it('refuses a plan over planner.max_body_bytes with 413, and keeps 1 MB on every other route', async () => {
    const tooBig = JSON.stringify(largePlan(15_000));
    expect(tooBig.length).toBeGreaterThan(2 * 1024 * 1024);
    const plan = await post(rigline, '/api/plan', tooBig);
    expect(plan.status).toBe(413);
    expect((plan.body as ApiErrorBody).error.code).toBe('bad_request');

    const other = await post(rigline, '/api/alerts/silences', JSON.stringify({ padding: 'x'.repeat(1_100_000) }));
    expect(other.status).toBe(413);
  });
});
