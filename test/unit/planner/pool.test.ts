import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../server/planner/plan.js';
import { PlanBusyError, PlannerPool } from '../../../server/planner/pool.js';

const scenario = () => {
  const s = JSON.parse(readFileSync('config/scenario.example.json', 'utf8')) as { market: Record<string, unknown> };
  s.market.as_of = '2026-02-02';
  return { ...s, analysis: { scenarios: false, tornado: false } };
};

describe('PlannerPool (plan worker threads shared by requesters)', () => {
  const pool = new PlannerPool({ workers: 2, maxQueuedPerUser: 1 });
  afterAll(() => pool.close());

  it("plans on worker threads, refuses a requester's plan over its limit with a Retry-After, and still serves others", async () => {
    // The first plan counts against user:a from the call on (before any await), so the second is refused at once.
    const first = pool.run('user:a', scenario());
    const refused = await pool.run('user:a', scenario()).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(PlanBusyError);
    expect((refused as PlanBusyError).retryAfterS).toBeGreaterThanOrEqual(1);
    expect((refused as PlanBusyError).retryAfterS).toBeLessThanOrEqual(120);

    const [a, b, inProcess] = await Promise.all([first, pool.run('user:b', scenario()), runPlan(scenario())]);
    expect(a.sites).toEqual(inProcess.sites);
    expect(b.plan.npv_usd).toBe(inProcess.plan.npv_usd);
    await expect(pool.run('user:a', scenario())).resolves.toMatchObject({ plan: { npv_usd: inProcess.plan.npv_usd } });
  });
});
