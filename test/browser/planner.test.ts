import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { hashPassword } from '../../server/auth/secrets.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService } from '../helpers/services.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

describe.skipIf(!hasService('chromium', 'chromium'))('planner page in headless Chromium over a simulated fleet', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;
  let browser: Browser;
  let page: Page;
  let dist: string;

  beforeAll(async () => {
    // Build the planner page through its test-only entry (the app shell that routes /planner lives elsewhere).
    dist = mkdtempSync(join(tmpdir(), 'rigline-planner-web-'));
    await build({ configFile: false, root: 'test/browser/planner-entry', base: '/planner-test/', logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });

    const model = new FleetModel({ sites: 3, rigsPerSite: 20, seed: 5, intervalMs: 60_000, faultRate: 0, gpuEvery: 0 });
    rigline = await startTestServer(
      { store: { site_rollup_interval_ms: 1000 }, sites: [{ id: 'site-01', name: 'Rockdale TX', capacity_mw: 2, power_price_usd_per_kwh: 0.04 }] },
      new Map(model.sites.map((s) => [s.id, s.name])),
    );
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
    await runner.tick(Date.now());
    await waitFor(async () => {
      const { body } = await getJson<{ sites: { measured: { window_points: number } }[] }>(rigline, '/api/plan/baseline');
      return body.sites.length === 3 && body.sites.every((s) => s.measured.window_points > 0) ? true : undefined;
    }, 15_000, 'site rollups in history');

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage();
    // Same origin as the API: the page's fetch('/api/…') reaches the real server.
    await page.route(`${rigline.httpUrl}/planner-test/**`, async (route) => {
      const path = normalize(new URL(route.request().url()).pathname.replace(/^\/planner-test\//, '') || 'index.html');
      if (path.startsWith('..')) return route.fulfill({ status: 404 });
      try {
        await route.fulfill({ status: 200, contentType: TYPES[extname(path)] ?? 'application/octet-stream', body: readFileSync(join(dist, path)) });
      } catch {
        await route.fulfill({ status: 404 });
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await rigline?.stop();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  const planSeq = () => page.locator('section.planner').getAttribute('data-seq').then(Number);
  const text = (testId: string) => page.getByTestId(testId).first().innerText();

  async function setGpuHour(value: string): Promise<void> {
    const before = await planSeq();
    await page.fill('input[data-field="ai.gpu_hour_usd"]', value);
    await page.waitForFunction((seq) => Number(document.querySelector('section.planner')?.getAttribute('data-seq')) > seq, before);
  }

  it('loads the live baseline, then re-plans and redraws when the GPU-hour price changes', async () => {
    await page.goto(`${rigline.httpUrl}/planner-test/index.html`);
    await page.waitForSelector('section.planner[data-state="ready"][data-seq="1"]');

    // Baseline: three sites from the fleet, one from config, with provenance badges.
    const rows = page.locator('[data-testid="baseline-sites"] tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).innerText()).toContain('Rockdale TX');
    expect(await rows.nth(0).locator('.prov.config').count()).toBe(2);
    expect(await rows.nth(1).locator('.prov.measured').count()).toBe(3);
    const gpuHour = Number(await page.inputValue('input[data-field="ai.gpu_hour_usd"]'));
    expect(gpuHour).toBe(rigline.config.planner.ai.gpu_hour_usd);

    // A GPU-hour price no inference business survives: nothing converts.
    await setGpuHour('0.5');
    expect(await text('plan-converted-mw')).toBe('0.0 MW');
    const lowNpv = await text('plan-npv');
    const lowTornado = await page.getByTestId('tornado').innerHTML();
    const lowHeatmap = await page.getByTestId('heatmap').innerHTML();

    // A price that pays back fast: the plan converts, and every chart redraws from the new plan.
    await setGpuHour('6');
    expect(await text('plan-converted-mw')).not.toBe('0.0 MW');
    expect(await text('plan-npv')).not.toBe(lowNpv);
    expect(await page.getByTestId('tornado').innerHTML()).not.toBe(lowTornado);
    expect(await page.getByTestId('heatmap').innerHTML()).not.toBe(lowHeatmap);
    expect(await page.locator('[data-testid="plan-table"] tbody tr.convert').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('site-chart').locator('rect.ai:not(.swatch)').count()).toBe(3);

    if (process.env.PLANNER_SCREENSHOT) await page.screenshot({ path: process.env.PLANNER_SCREENSHOT, fullPage: true });
    // A bad value is named, not sent silently.
    await page.fill('input[data-field="ai.utilization"]', '150');
    await page.waitForSelector('section.planner[data-state="error"]');
    expect(await text('planner-error')).toMatch(/ai\.utilization: /);
  });

  it('exports the plan as CSV and JSON', async () => {
    await page.fill('input[data-field="ai.utilization"]', '75');
    await page.waitForSelector('section.planner[data-state="ready"]');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action="csv"]')]);
    const csvText = readFileSync((await csv.path()) as string, 'utf8');
    expect(csvText.split('\r\n')[0]).toMatch(/^site_id,site_name,power_mw,/);
    // The per-site table is the CSV's first block (header + 3 sites); inputs and totals follow it (issue #13).
    expect(csvText.split('\r\n\r\n')[0]!.split('\r\n')).toHaveLength(4);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action="json"]')]);
    const exported = JSON.parse(readFileSync((await json.path()) as string, 'utf8')) as { input: { ai: { gpu_hour_usd: number } }; result: { plan: { npv_usd: number } } };
    expect(exported.input.ai.gpu_hour_usd).toBe(6);
    expect(Number.isFinite(exported.result.plan.npv_usd)).toBe(true);
  });
  it('saves a plan in a planner session (a viewer is told why not) and re-opens it into the form', async () => {
    const password = 'a long enough password';
    for (const role of ['viewer', 'planner'] as const) {
      rigline.security.store.putUser({ username: `${role}-user`, role, hash: hashPassword(password, 1000), created: new Date().toISOString() });
    }
    const login = async (username: string) =>
      expect((await page.request.post(`${rigline.httpUrl}/api/auth/login`, { data: { username, password } })).status()).toBe(200);

    await login('viewer-user');
    await page.fill('[data-testid="plan-name"]', 'Pivot at $6');
    await page.click('[data-testid="save-plan"]');
    await page.waitForFunction(() => /needs the planner or admin role/.test(document.querySelector('[data-testid="saved-message"]')?.textContent ?? ''));

    await login('planner-user');
    await page.click('[data-testid="save-plan"]');
    await page.waitForSelector('[data-testid="saved-plans"] li');
    expect(await text('saved-message')).toBe('Saved “Pivot at $6”.');
    expect(await page.locator('[data-testid="saved-plans"] li').innerText()).toMatch(/Pivot at \$6\s+planner-user/);
    const { body } = await getJson<{ plans: { name: string; author: string }[] }>(rigline, '/api/plans');
    expect(body.plans).toMatchObject([{ name: 'Pivot at $6', author: 'planner-user' }]);

    // Change the form, then re-open the saved plan: its inputs come back and it is planned again.
    await setGpuHour('1');
    const before = await planSeq();
    await page.click('[data-testid="saved-plans"] button[data-saved-open]');
    await page.waitForFunction((seq) => Number(document.querySelector('section.planner')?.getAttribute('data-seq')) > seq, before);
    expect(await page.inputValue('input[data-field="ai.gpu_hour_usd"]')).toBe('6');
    expect(await text('saved-message')).toMatch(/^Opened “Pivot at \$6” \(saved by planner-user\)\.$/);
  });

  it('leads with verdicts and cost per BTC, plans a treasury move in stages, draws the schedule and the risk, and exports inputs and totals', async () => {
    // Utilization is validated in the unit the form shows.
    await page.waitForSelector('section.planner[data-state="ready"]');
    await page.fill('input[data-field="ai.utilization"]', '150');
    await page.waitForSelector('section.planner[data-state="error"]');
    expect(await text('planner-error')).toBe('ai.utilization: 150 % is above 100 %');

    const fillAll = async (values: [string, string][]) => {
      const before = await planSeq();
      for (const [field, value] of values) await page.fill(`input[data-field="${field}"]`, value);
      await page.waitForFunction((seq) => Number(document.querySelector('section.planner')?.getAttribute('data-seq')) > seq && document.querySelector('section.planner')?.getAttribute('data-state') === 'ready', before);
    };
    await fillAll([['ai.utilization', '75'], ['treasury.btc_held', '100'], ['treasury.sell_btc', '40'], ['treasury.cash_usd', '5']]);
    await fillAll([['constraints.stages.period_months', '6'], ['constraints.stages.periods', '3'], ['constraints.stages.capex_budget_usd_per_period', '4']]);

    // Verdicts first, one plain sentence per site; cost per BTC next to the BTC price; the treasury move.
    const verdicts = page.locator('[data-testid="verdicts"] li');
    expect(await verdicts.count()).toBe(3);
    for (const line of await verdicts.allInnerTexts()) expect(line).toMatch(/^(Convert|Keep mining) .+\.$/);
    expect(await text('btc-price')).toBe('$75k');
    expect(await text('cost-per-btc')).toMatch(/^\$[\d.]+[kM]?$/);
    expect(await text('treasury-capex')).toBe('$8.0M'); // $5M cash + 40 BTC × $75,000
    expect(await text('binding')).toMatch(/^(Binding: |Nothing binds)/);

    // The schedule as a timeline (three periods of six months) and the risk as a distribution.
    expect(await page.locator('[data-testid="schedule-table"] tbody tr').allInnerTexts()).toEqual([
      expect.stringMatching(/^0\s+0\s/), expect.stringMatching(/^1\s+6\s/), expect.stringMatching(/^2\s+12\s/),
    ]);
    expect(await page.getByTestId('schedule').locator('line.axis').count()).toBeGreaterThan(3);
    expect(await page.getByTestId('risk-chart').locator('rect.ai').count()).toBe(30);
    expect(await text('risk-summary')).toMatch(/^p10 .+ · p50 .+ · p90 .+ of 500 runs$/);
    if (process.env.PLANNER_SCREENSHOT) await page.screenshot({ path: process.env.PLANNER_SCREENSHOT.replace(/(\.png)?$/, '-decision.png'), fullPage: true });

    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action="csv"]')]);
    const lines = readFileSync((await csv.path()) as string, 'utf8').split('\r\n');
    expect(lines).toContain('input,treasury.cash_usd,5000000');
    expect(lines).toContain('input,constraints.stages.periods,3');
    expect(lines).toContain('treasury,capex_available_usd,8000000');
    expect(lines.some((l) => /^totals,npv_usd,-?[\d.e+]+$/.test(l))).toBe(true);
    expect(lines.some((l) => /^fleet,all_in_cost_per_btc_usd,[\d.e+]+$/.test(l))).toBe(true);
    const schedule = lines.indexOf('period,start_month,converted_mw,capex_usd');
    expect(lines.slice(schedule + 1, schedule + 4).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['0,0', '1,6', '2,12']);
  }, 120_000);
});
