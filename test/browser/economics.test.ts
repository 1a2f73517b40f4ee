import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import type { Economics } from '../../server/contract/index.js';
import { ARTIFACTS, launchChromium } from '../helpers/browser.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService } from '../helpers/services.js';
import { ensureWebBuild } from '../helpers/web-build.js';

/** Reads a figure's raw value (data-value) once the panel shows one. */
async function figure(page: Page, testId: string): Promise<number> {
  const handle = await page.waitForSelector(`[data-testid="${testId}"]:not([data-value=""])`);
  return Number(await handle.getAttribute('data-value'));
}

describe.skipIf(!hasService('chromium', 'chromium'))('live money per MW in headless Chromium', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;
  let browser: Browser;
  let page: Page;
  // Two sites of ASICs with an inference node every fifth rig; the simulator's GPU nodes report vLLM blocks.
  const model = new FleetModel({ sites: 2, rigsPerSite: 20, seed: 5, intervalMs: 60_000, faultRate: 0, gpuEvery: 5 });
  // Midnight UTC yesterday: recent enough for ingest's time checks (too_old, clock_skew), a whole day behind us.
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;

  beforeAll(async () => {
    ensureWebBuild();
    rigline = await startTestServer(
      { realtime: { min_interval_ms: 200 }, market: { push_interval_ms: 500 }, sites: [{ id: 'site-01', name: 'Site one', power_price_usd_per_kwh: 0.04 }] },
      new Map(model.sites.map((s) => [s.id, s.name])),
    );
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
    await runner.tick(day + 4 * 3_600_000); // 04:00: little inference demand
    await waitFor(async () => ((await getJson<{ rigs: number }>(rigline, '/api/health')).body.rigs === 40 ? true : undefined));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await rigline?.stop();
  });

  const economics = async (): Promise<Economics> => (await getJson<Economics>(rigline, '/api/economics')).body;

  it('the overview shows mining and inference $/MW/day side by side, equal to GET /api/economics, and follows live pushes', async () => {
    await page.goto(rigline.httpUrl);
    const mining = await figure(page, 'econ-mining-per-mw');
    const inference = await figure(page, 'econ-inference-per-mw');
    const fleet = (await economics()).fleet;
    expect(mining).toBe(fleet.mining.revenue_usd_per_mw_day);
    expect(inference).toBe(fleet.inference.revenue_usd_per_mw_day);
    expect(inference).toBeGreaterThan(0);
    // Side by side: the two figures sit on one row.
    const boxes = await Promise.all(['mining', 'inference'].map((side) => page.locator(`.econ .side.${side}`).boundingBox()));
    expect(Math.abs((boxes[0]?.y ?? 0) - (boxes[1]?.y ?? 1))).toBeLessThan(2);
    expect(await page.locator('[data-testid="econ-market"]').textContent()).toContain('market figures from the config');
    await page.screenshot({ path: `${ARTIFACTS}/economics-overview.png`, fullPage: true });

    // 16:00: demand peaks; the page takes the pushed figures without a reload.
    await runner.tick(day + 16 * 3_600_000);
    const peak = await waitFor(async () => {
      const e = await economics();
      return e.fleet.inference.revenue_usd_per_mw_day !== inference ? e : undefined;
    });
    await page.waitForSelector(`[data-testid="econ-inference-per-mw"][data-value="${peak.fleet.inference.revenue_usd_per_mw_day}"]`);
    expect(peak.fleet.inference.generation_tokens_per_s).toBeGreaterThan(0);
  }, 60_000);

  it('the site page shows that site’s figures', async () => {
    await page.goto(`${rigline.httpUrl}/sites/site-01`);
    const mining = await figure(page, 'econ-mining-per-mw');
    const inference = await figure(page, 'econ-inference-per-mw');
    const site = (await economics()).sites.find((s) => s.id === 'site-01');
    expect(site?.power_price_usd_per_kwh).toBe(0.04);
    expect(mining).toBe(site?.mining.revenue_usd_per_mw_day);
    expect(inference).toBe(site?.inference.revenue_usd_per_mw_day);
    await page.screenshot({ path: `${ARTIFACTS}/economics-site.png`, fullPage: true });
  }, 60_000);

  it('the planner says its tokens/s per GPU is measured on the fleet’s inference nodes', async () => {
    await page.goto(`${rigline.httpUrl}/planner`);
    const note = await page.waitForSelector('[data-testid="tokens-provenance"]');
    const text = (await note.textContent()) ?? '';
    expect(text).toContain('measured');
    const { body } = await getJson<{ input: { ai: { tokens_per_s_per_gpu: number } } }>(rigline, '/api/plan/baseline');
    expect(text).toContain(`${body.input.ai.tokens_per_s_per_gpu} tok/s per busy GPU`);
  }, 60_000);

  it('a GPU node’s page shows its inference server', async () => {
    const gpuRig = model.sites[0]!.rigs.find((r) => r.kind === 'gpu')!.id;
    await page.goto(`${rigline.httpUrl}/rigs/${gpuRig}`);
    await page.waitForSelector('#inference');
    expect(await page.locator('#inference h2').textContent()).toContain('vLLM');
    expect(Number(await page.locator('[data-testid="inf-gen"]').getAttribute('data-value'))).toBeGreaterThan(0);
    expect(await page.locator('#rig-charts .u-title, #rig-charts').textContent()).toContain('Generated tokens / s');
  }, 60_000);
});
