import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { hashPassword } from '../../server/auth/secrets.js';
import { launchChromium } from '../helpers/browser.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService } from '../helpers/services.js';
import { ensureWebBuild } from '../helpers/web-build.js';

describe.skipIf(!hasService('chromium', 'chromium'))('roles in the dashboard (anonymous viewer, logged-in operator)', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuild();
    const model = new FleetModel({ sites: 1, rigsPerSite: 10, seed: 4, intervalMs: 60_000, faultRate: 0, gpuEvery: 0 });
    rigline = await startTestServer(
      {
        auth: { anonymous: 'viewer', users: [{ username: 'olga', role: 'operator', password_hash: hashPassword('night-shift-42') }] },
        alerts: { evaluate_interval_ms: 100, rules: { overheat: { for_s: 0 } } },
      },
      new Map(model.sites.map((s) => [s.id, s.name])),
    );
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    await runner.waitConnected(5000);
    model.setFault('site-01-r00003', 'overheat');
    await runner.tick();
    await waitFor(async () => ((await getJson<unknown[]>(rigline, '/api/alerts?state=open')).body.length > 0 ? true : undefined));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await rigline?.stop();
  });

  it('lets an anonymous viewer watch, offering a login instead of actions it cannot take', async () => {
    const page = await browser.newPage();
    await page.goto(`${rigline.httpUrl}/alerts`);
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('viewing as viewer');
    await page.getByTestId('login-to-ack').first().waitFor();
    expect(await page.getByRole('button', { name: /acknowledge|resolve/i }).count()).toBe(0);
    const open = (await getJson<{ state: string }[]>(rigline, '/api/alerts?state=open')).body;
    expect(open.every((a) => a.state === 'open')).toBe(true);
    await page.close();
  });

  it('shows the logged-in operator, who can acknowledge', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${rigline.httpUrl}/`);
    const login = await page.evaluate(async () => {
      const res = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'olga', password: 'night-shift-42' }),
      });
      return res.status;
    });
    expect(login).toBe(200);
    await page.goto(`${rigline.httpUrl}/alerts`);
    await expect.poll(() => page.getByTestId('who').textContent()).toBe('olga · operator');
    await page.locator('button[data-ack]').first().click();
    await expect
      .poll(async () => (await getJson<{ state: string }[]>(rigline, '/api/alerts?state=acknowledged')).body.length)
      .toBeGreaterThan(0);
    const acked = (await getJson<{ acknowledged_by: string }[]>(rigline, '/api/alerts?state=acknowledged')).body;
    expect(acked.map((a) => a.acknowledged_by)).toContain('olga');
    await context.close();
  });
});
