import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { FleetRollup, RigPage, type Alert, type Sample } from '../../server/contract/index.js';
import { parseConfig } from '../../server/config/load.js';
import { rollup } from '../../server/fleet/rollup.js';
import { RigHealth } from '../../server/fleet/health.js';
import { ARTIFACTS, launchChromium } from '../helpers/browser.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService } from '../helpers/services.js';
import { ensureWebBuild } from '../helpers/web-build.js';

const HOUR = 3_600_000;

/** A rig's status from one sample alone, as the rules judge it (history rollups written before the server ran). */
function healthOf(sample: Sample, ts: number, rules = parseConfig({}).alerts.rules): 'degraded' | 'online' {
  const health = new RigHealth({ ...rules, hashboard_missing: { ...rules.hashboard_missing, for_s: 0 }, overheat: { ...rules.overheat, for_s: 0 } });
  health.observe(sample, ts);
  return health.reasons().length ? 'degraded' : 'online';
}

describe.skipIf(!hasService('chromium', 'chromium'))('dashboard in headless Chromium (real server, simulated fleet)', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;
  let browser: Browser;
  let page: Page;
  const now = Date.now();
  const model = new FleetModel({ sites: 3, rigsPerSite: 60, seed: 21, intervalMs: 60_000, faultRate: 0, gpuEvery: 10, startMs: now - HOUR });
  const faultRig = 'site-01-r00004';
  const gpuRig = 'site-02-r00010';

  beforeAll(async () => {
    ensureWebBuild();
    rigline = await startTestServer(
      {
        realtime: { min_interval_ms: 200 },
        store: { site_rollup_interval_ms: 1000 },
        alerts: { evaluate_interval_ms: 100, rules: { hashboard_missing: { for_s: 0 }, overheat: { for_s: 0 } } },
      },
      new Map(model.sites.map((s) => [s.id, s.name])),
    );
    // An hour of history written through the store's own interface, so charts have a past: site rollups every
    // 10 s (as the server writes them), rig samples every minute. Live state then comes over MQTT.
    for (let t = now - HOUR; t < now; t += 10_000) {
      const tick = Math.round((t - now + HOUR) / 10_000);
      const samples = model.sites.map((site) => model.samplesAt(site, tick, t));
      if (tick % 6 === 0) samples.forEach((s) => rigline.store.writeSamples(s));
      rigline.store.writeSiteRollups(
        t,
        model.sites.map((site, i) => ({
          id: site.id,
          name: site.name,
          ...rollup((samples[i] ?? []).map((sample) => ({ sample, status: healthOf(sample, t) }))),
        })),
      );
    }
    model.setFault('site-01-r00017', 'overheat');
    model.setFault('site-01-r00023', 'pool_rejects');
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
    await runner.tick(now);
    await waitFor(async () => ((await getJson<{ rigs: number }>(rigline, '/api/health')).body.rigs === 180 ? true : undefined));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await rigline?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

  it('shows overview totals equal to /api/fleet', async () => {
    await page.goto(rigline.httpUrl);
    await page.waitForSelector('[data-testid="hashrate"]');
    await page.waitForSelector('#conn[data-state="live"]');
    const fleet = FleetRollup.parse((await getJson(rigline, '/api/fleet')).body);
    const value = async (id: string) => Number(await page.getAttribute(`[data-testid="${id}"]`, 'data-value'));
    expect(await value('hashrate')).toBeCloseTo(fleet.hashrate_ths, 3);
    expect(await value('power')).toBeCloseTo(fleet.power_kw, 3);
    expect(await value('efficiency')).toBeCloseTo(fleet.efficiency_jth as number, 2);
    expect(await value('rigs-total')).toBe(fleet.rigs.total);
    expect(await value('rigs-online')).toBe(fleet.rigs.online);
    expect(await value('rigs-degraded')).toBe(fleet.rigs.degraded);
    expect(await value('rigs-offline')).toBe(fleet.rigs.offline);
    expect(await value('gpu-util')).toBeCloseTo(fleet.gpus.utilization_pct as number, 1);
    expect(fleet.rigs.total).toBe(180);
    expect(await page.locator('#sites tbody tr').count()).toBe(3);
  });

  it('draws the hashrate chart from the history API', async () => {
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#chart-hashrate')?.dataset.points ?? 0) >= 3 * 10);
    // The series really is on the canvas: count pixels in the first series colour (#58a6ff).
    const drawn = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#chart-hashrate canvas') as HTMLCanvasElement;
      const data = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
      let hits = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - 88) < 12 && Math.abs(data[i + 1]! - 166) < 12 && Math.abs(data[i + 2]! - 255) < 12) hits++;
      return hits;
    });
    expect(drawn).toBeGreaterThan(200);
    await page.click('#range button[data-range="24h"]');
    expect(page.url()).toContain('range=24h');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#chart-power')?.dataset.points ?? 0) > 0);
    await page.click('#range button[data-range="1h"]');
    await page.waitForSelector('#range button[data-range="1h"][aria-pressed="true"]');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#chart-hashrate')?.dataset.points ?? 0) > 0);
    await shot('overview');
  });

  it('raises an alert for a simulated fault, shows it without reload, and acknowledges it', async () => {
    await page.goto(`${rigline.httpUrl}/alerts`);
    await page.waitForSelector('#alert-table tbody tr');
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const row = page.locator(`tr[data-rig="${faultRig}"][data-kind="hashboard_missing"]`);
    expect(await row.count()).toBe(0);
    model.setFault(faultRig, 'hashboard_lost');
    await runner.tick();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-state')).toBe('open');
    expect(await row.textContent()).toMatch(/hashboard \d lost/);
    expect(Number(await page.textContent('#alert-badge'))).toBeGreaterThanOrEqual(1);
    await shot('alerts');
    await row.locator('button[data-ack]').click();
    await page.waitForSelector(`tr[data-rig="${faultRig}"][data-kind="hashboard_missing"][data-state="acknowledged"]`);
    const id = await row.getAttribute('data-alert');
    const alerts = (await getJson<Alert[]>(rigline, '/api/alerts?state=acknowledged')).body;
    expect(alerts.find((a) => a.id === id)).toMatchObject({ rig: faultRig, state: 'acknowledged', acknowledged_by: 'anonymous (admin)' }); // the caller, recorded by the server
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    await page.selectOption('#kind', 'overheat');
    expect(page.url()).toContain('kind=overheat');
    const kinds = await page.locator('#alert-table tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.kind));
    expect(kinds).toEqual(['overheat']);
  });

  it('filters and sorts the site table on the server', async () => {
    await page.goto(`${rigline.httpUrl}/sites/site-01`);
    await page.waitForSelector('.vrow[data-rig]');
    expect(await page.getAttribute('#matched', 'data-matched')).toBe('60');
    await shot('site');

    await page.selectOption('#status', 'degraded');
    await page.waitForFunction(() => document.querySelector('#matched')?.getAttribute('data-matched') !== '60');
    const degraded = RigPage.parse((await getJson(rigline, '/api/sites/site-01/rigs?status=degraded&sort=status')).body);
    const shown = await page.locator('.vrow[data-rig]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.rig));
    expect(shown.sort()).toEqual(degraded.rows.map((r) => r.rig).sort());
    // The injected fault and at least one of the seeded fleet's own faults (which rigs depends on the seed).
    expect(shown).toContain(faultRig);
    expect(shown.length).toBeGreaterThan(1);
    expect(page.url()).toContain('status=degraded');

    await page.selectOption('#status', '');
    await page.click('.vhead [data-sort="hashrate"]');
    await page.waitForSelector('.vhead [data-sort="hashrate"][aria-sort="descending"]');
    await page.waitForFunction(() => document.querySelector('.vrow[data-rig]') !== null && new URL(location.href).searchParams.get('sort') === 'hashrate');
    // The URL and header change before the re-sorted page arrives: wait for the rows themselves (the fleet only
    // moves on runner.tick(), so the server's order is fixed), then compare, so a wrong order still fails with a diff.
    const sorted = RigPage.parse((await getJson(rigline, '/api/sites/site-01/rigs?sort=hashrate&dir=desc&limit=10')).body);
    const want = sorted.rows.map((r) => r.rig).join();
    await page
      .waitForFunction((expected) => [...document.querySelectorAll<HTMLElement>('.vrow[data-rig]')].slice(0, 10).map((r) => r.dataset.rig).join() === expected, want, { timeout: 10_000 })
      .catch(() => undefined);
    const firstRigs = await page.locator('.vrow[data-rig]').evaluateAll((rows) => rows.slice(0, 10).map((r) => (r as HTMLElement).dataset.rig));
    expect(firstRigs).toEqual(sorted.rows.map((r) => r.rig));
    const hashrates = sorted.rows.map((r) => r.hashrate_ths as number);
    expect(hashrates).toEqual([...hashrates].sort((a, b) => b - a));

    await page.fill('#q', 'r0004');
    await page.waitForFunction(() => document.querySelector('#matched')?.getAttribute('data-matched') === '10');
    await shot('site-filtered');
  });

  it('opens the right rig from a deep link', async () => {
    await page.goto(`${rigline.httpUrl}/rigs/${gpuRig}`);
    await page.waitForSelector('#gpus tbody tr');
    expect(await page.textContent('#rig-title')).toContain(gpuRig);
    expect(await page.locator('#gpus tbody tr').count()).toBe(8);
    expect(await page.textContent('.crumbs')).toContain(model.sites[1]!.name);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#rc-0')?.dataset.points ?? 0) > 10);
    await shot('rig-gpu');

    await page.goto(`${rigline.httpUrl}/rigs/${faultRig}`);
    await page.waitForSelector('#boards tbody tr');
    expect(await page.textContent('#rig-title')).toContain(faultRig);
    expect(await page.textContent('[data-testid="reasons"]')).toMatch(/hashboard \d lost/);
    expect(await page.locator('#rig-alerts tr[data-kind="hashboard_missing"]').count()).toBe(1);
    await shot('rig-asic');

    // A deep link carries the table's filters and sort.
    await page.goto(`${rigline.httpUrl}/sites/site-01?status=degraded&sort=hashrate&dir=desc`);
    await page.waitForFunction(() => document.querySelector('#matched')?.getAttribute('data-matched') !== null);
    expect(await page.inputValue('#status')).toBe('degraded');
    expect(await page.getAttribute('.vhead [data-sort="hashrate"]', 'aria-sort')).toBe('descending');
    const linked = RigPage.parse((await getJson(rigline, '/api/sites/site-01/rigs?status=degraded&sort=hashrate&dir=desc')).body);
    expect(await page.locator('.vrow[data-rig]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.rig))).toEqual(linked.rows.map((r) => r.rig));
    await page.goto(`${rigline.httpUrl}/rigs/${faultRig}`);
    await page.waitForSelector('#boards tbody tr');

    await page.click('nav a[data-nav="planner"]');
    await page.waitForSelector('.planner');
    expect(new URL(page.url()).pathname).toBe('/planner');
    expect(await page.getAttribute('nav a[data-nav="planner"]', 'class')).toContain('active');
    await shot('planner');
    await page.goBack();
    await page.waitForSelector('#boards tbody tr');
    expect(new URL(page.url()).pathname).toBe(`/rigs/${faultRig}`);
  });

  it('says so on the chart when history cannot be loaded, instead of failing silently', async () => {
    const refuse = '**/api/sites/*/series*';
    await page.route(refuse, (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'store_unavailable', message: 'InfluxDB is not answering' } }) }),
    );
    try {
      await page.goto(`${rigline.httpUrl}/?range=24h`);
      await page.waitForSelector('#chart-hashrate[data-error]');
      expect(await page.getAttribute('#chart-hashrate', 'data-error')).toBe('InfluxDB is not answering');
      expect(await page.isVisible('#chart-hashrate .chart-empty')).toBe(true);
      expect(await page.textContent('#chart-power .chart-empty')).toBe('History unavailable: InfluxDB is not answering');
      await shot('overview-history-unavailable');
    } finally {
      await page.unroute(refuse);
    }
  });
});
