import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import type { Alert } from '../../server/contract/index.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { receiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

describe('webhook grouping: many alerts of one rule at one site are one notification', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;
  let hook: WebhookReceiver;
  const model = new FleetModel({ sites: 2, rigsPerSite: 20, seed: 5, intervalMs: 60_000, faultRate: 0, gpuEvery: 0, startMs: Date.now() });

  beforeAll(async () => {
    hook = await receiver(0);
    rigline = await startTestServer({
      alerts: { evaluate_interval_ms: 50, group_wait_ms: 400, rules: { hashboard_missing: { for_s: 0 }, overheat: { for_s: 0 } }, webhooks: [{ url: hook.url }] },
    });
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
  });
  afterAll(async () => {
    await runner?.stop();
    await rigline?.stop();
    hook?.server.close();
  });

  it('groups by rule, site and event, and names every alert exactly once', async () => {
    const lost = Array.from({ length: 12 }, (_, i) => `site-01-r${String(i + 1).padStart(5, '0')}`);
    for (const rig of lost) model.setFault(rig, 'hashboard_lost');
    model.setFault('site-02-r00003', 'hashboard_lost');
    model.setFault('site-01-r00015', 'overheat');
    for (let i = 0; i < 3; i++) await runner.tick();
    const alerts = await waitFor(async () => {
      const { body } = await getJson<Alert[]>(rigline, '/api/alerts');
      return body.length >= 14 ? body : undefined;
    });
    await waitFor(() => (hook.got.length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 600));
    const bodies = hook.got.map((g) => g.body as { kind: string; site: string; count: number; alerts: Alert[] });
    expect(bodies.map((b) => `${b.kind}@${b.site}×${b.count}`).sort()).toEqual(['hashboard_missing@site-01×12', 'hashboard_missing@site-02×1', 'overheat@site-01×1']);
    expect(bodies.flatMap((b) => b.alerts.map((a) => a.id)).sort()).toEqual(alerts.map((a) => a.id).sort());
  });
});
