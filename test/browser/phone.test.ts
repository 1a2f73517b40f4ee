import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { hashPassword } from '../../server/auth/secrets.js';
import type { Alert } from '../../server/contract/index.js';
import { ARTIFACTS, launchChromium } from '../helpers/browser.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService } from '../helpers/services.js';
import { ensureWebBuild } from '../helpers/web-build.js';

const PHONE = { width: 390, height: 844 };

/** How far the page is wider than the screen (0 when nothing scrolls sideways). */
const overflow = (page: Page): Promise<number> =>
  page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth);

/**
 * Resolves once the page's width has held for three animation frames (ResizeObserver callbacks run within a frame),
 * rather than after a fixed pause that a loaded machine may not honour before the charts have sized themselves.
 */
const layoutSettled = (page: Page): Promise<void> =>
  page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        let last = -1;
        let still = 0;
        const check = (): void => {
          const width = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
          still = width === last ? still + 1 : 0;
          last = width;
          if (still >= 3) resolve();
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
  );

describe.skipIf(!hasService('chromium', 'chromium'))('the dashboard on a phone (390 × 844, real Chromium)', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;
  let browser: Browser;
  let phone: BrowserContext;
  const model = new FleetModel({ sites: 2, rigsPerSite: 30, seed: 12, intervalMs: 60_000, faultRate: 0, gpuEvery: 10 });
  const hot = 'site-01-r00004';
  const lost = 'site-01-r00007';

  beforeAll(async () => {
    ensureWebBuild();
    rigline = await startTestServer(
      {
        auth: { anonymous: 'viewer', users: [{ username: 'olga', role: 'operator', password_hash: hashPassword('night-shift-42') }] },
        alerts: { evaluate_interval_ms: 100, rules: { overheat: { for_s: 0 }, hashboard_missing: { for_s: 0 } } },
        // The default store of `npm start`, so the rig page has per-board and fan history to chart.
        store: { kind: 'sqlite', site_rollup_interval_ms: 1000, sqlite: { dir: mkdtempSync(join(tmpdir(), 'rigline-phone-')) } },
      },
      new Map(model.sites.map((s) => [s.id, s.name])),
    );
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    await runner.waitConnected(5000);
    model.setFault(hot, 'overheat');
    model.setFault(lost, 'hashboard_lost');
    await runner.tick(Date.now() - 60_000);
    await runner.tick();
    await waitFor(async () => ((await getJson<Alert[]>(rigline, '/api/alerts?state=open')).body.length >= 2 ? true : undefined), 15_000, 'open alerts');
    browser = await launchChromium();
    phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await rigline?.stop();
  });

  it('no page scrolls sideways', async () => {
    const page = await phone.newPage();
    const pages: [string, string][] = [
      ['/', '#sites tbody tr'],
      ['/sites/site-01', '.vrow[data-rig]'],
      [`/rigs/${hot}`, '[data-testid="reasons"]'],
      [`/rigs/site-01-r00010`, '#gpus'],
      ['/alerts', 'tr.alert-row'],
      ['/planner', 'form'],
      ['/login', 'form'],
    ];
    for (const [path, ready] of pages) {
      await page.goto(`${rigline.httpUrl}${path}`);
      await page.waitForSelector(ready, { timeout: 15_000 });
      await layoutSettled(page); // charts size themselves (ResizeObserver) on a frame after they appear
      const extra = await overflow(page);
      if (extra > 0) await page.screenshot({ path: `${ARTIFACTS}/phone-overflow-${path.replace(/\W+/g, '_') || 'root'}.png`, fullPage: true });
      expect({ path, extra }).toEqual({ path, extra: 0 });
    }
    // The header stays within one screen width and keeps its navigation.
    await page.goto(`${rigline.httpUrl}/`);
    const header = await page.locator('header.topbar').boundingBox();
    expect(header?.width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('nav a[data-nav="alerts"]').isVisible()).toBe(true);
    await page.close();
  }, 180_000);

  it('an anonymous viewer reads alerts with no actions it cannot take', async () => {
    const page = await phone.newPage();
    await page.goto(`${rigline.httpUrl}/alerts`);
    const card = page.locator(`tr.alert-row[data-rig="${hot}"]`);
    await card.waitFor();
    expect(await card.locator('button').count()).toBe(0);
    expect(await card.getByTestId('login-to-ack').isVisible()).toBe(true);
    await page.close();
  });

  it('after logging in, an alert can be read and acknowledged, and a silence is shown', async () => {
    const page = await phone.newPage();
    await page.goto(`${rigline.httpUrl}/login`);
    await page.fill('input[name="username"]', 'olga');
    await page.fill('input[name="password"]', 'night-shift-42');
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('button[type="submit"]')]);
    await page.goto(`${rigline.httpUrl}/alerts`);
    await expect.poll(() => page.getByTestId('who').textContent()).toBe('olga · operator');

    const card = page.locator(`tr.alert-row[data-rig="${hot}"][data-kind="overheat"]`);
    await card.waitFor();
    // Read on the card, inside the screen: the rig, the message with its figure, the age and the Ack button.
    // Live alert events may rebuild the row between finding and measuring it (a detached row measures null): poll.
    for (const part of ['td.target', 'td.msg', 'td.age', 'button[data-ack]']) {
      await expect
        .poll(async () => {
          const box = await card.locator(part).boundingBox();
          return box === null ? 'not shown' : box.x >= 0 && box.x + box.width <= PHONE.width ? 'within the screen' : `x ${box.x} width ${box.width}`;
        }, { message: part, timeout: 10_000 })
        .toBe('within the screen');
    }
    expect(await card.locator('td.target').textContent()).toContain(hot);
    expect(await card.locator('td.msg').textContent()).toMatch(/hashboard \d at \d+\.\d °C \(limit 90 °C\)/);
    expect(await card.locator('td.age').textContent()).toMatch(/ago|just now/);
    await card.locator('button[data-ack]').click();
    await page.waitForSelector(`tr.alert-row[data-rig="${hot}"][data-kind="overheat"][data-state="acknowledged"]`);
    const acked = (await getJson<Alert[]>(rigline, '/api/alerts')).body.find((a) => a.rig === hot && a.kind === 'overheat');
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledged_by: 'olga' });

    // A silence made from the page is listed and marks the alerts it covers.
    await page.click('#silence-new');
    await page.selectOption('#silence-form select[name="rule"]', 'hashboard_missing');
    await page.fill('#silence-form input[name="site"]', 'site-01');
    await page.fill('#silence-form input[name="comment"]', 'boards on order');
    await page.click('#silence-form button[type="submit"]');
    await page.waitForSelector('.silence:has-text("boards on order")');
    await page.waitForSelector(`tr.alert-row[data-rig="${lost}"] [data-testid="silenced"]`);
    expect(await overflow(page)).toBe(0);
    await page.close();
  }, 120_000);

  it('the rig page charts per-board and fan history, and greys an offline rig\'s last figures with the time', async () => {
    const page = await phone.newPage();
    await page.goto(`${rigline.httpUrl}/rigs/${hot}`);
    await page.waitForSelector('[data-testid="part-chart-chip_temp_c"] .uplot', { timeout: 20_000 });
    for (const metric of ['hashrate_ths', 'chip_temp_c', 'temp_c', 'fan_rpm']) expect(await page.locator(`[data-testid="part-chart-${metric}"]`).count()).toBe(1);
    expect(await page.locator('[data-testid="coverage"]').first().textContent()).toMatch(/History kept: raw samples 1 d, 1-minute means 30 d, 1-hour means 365 d\. Nothing before /);
    expect(await page.locator('[data-testid="last-seen"]').count()).toBe(0);
    await runner.stop(); // graceful stop: the agents' 'offline' status takes every rig offline at once
    await waitFor(async () => ((await getJson<{ status: string }>(rigline, `/api/rigs/${hot}`)).body.status === 'offline' ? true : undefined), 15_000, 'offline');
    await page.reload();
    await page.waitForSelector('[data-testid="last-seen"]');
    expect(await page.locator('[data-testid="last-seen"]').textContent()).toMatch(/figures below are from the last sample, .+ \((\d+ s ago|just now)\)/);
    expect(await page.locator('.tiles').getAttribute('data-stale')).toBe('true');
    expect(await page.locator('[data-testid="reasons"]').textContent()).toMatch(/simulator stopped; last sample .+ ago/);
    expect(await overflow(page)).toBe(0);
    await page.close();
  }, 120_000);
});
