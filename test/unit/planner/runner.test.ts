import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PlanInputError, runPlan } from '../../../server/planner/plan.js';
import { PlannerRunner, PlannerTimeoutError } from '../../../server/planner/runner.js';

const scenario = () => ({ ...(JSON.parse(readFileSync('config/scenario.example.json', 'utf8')) as Record<string, unknown>), analysis: { scenarios: false, tornado: false } });
const pinned = () => {
  const s = scenario() as unknown as { market: Record<string, unknown> };
  s.market.as_of = '2026-02-02';
  return s;
};

describe('PlannerRunner (plans on a worker thread)', () => {
  const runner = new PlannerRunner();
  afterAll(() => runner.close());

  it('returns what runPlan returns in-process', async () => {
    const [inWorker, inProcess] = await Promise.all([runner.run(pinned()), runPlan(pinned())]);
    expect(inWorker.sites).toEqual(inProcess.sites);
    expect(inWorker.plan.npv_usd).toBe(inProcess.plan.npv_usd);
    expect(inWorker.plan.converted_mw).toBe(inProcess.plan.converted_mw);
  });

  it('carries validation problems back as a PlanInputError', async () => {
    const bad = { ...pinned(), sites: [] };
    const err = await runner.run(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanInputError);
    expect((err as PlanInputError).problems[0]).toMatch(/^sites: /);
  });

  it('gives up on a plan past its time limit and serves the next one with a fresh worker', async () => {
    const own = new PlannerRunner();
    await expect(own.run(pinned(), 1)).rejects.toBeInstanceOf(PlannerTimeoutError);
    expect((await own.run(pinned())).sites).toHaveLength(5);
    await own.close();
  });
});
