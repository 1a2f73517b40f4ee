import type { Page } from 'playwright-core';
import { FleetModel } from '../../agents/sim/simulator.js';
import { launchChromium } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { ensureWebBuild } from '../helpers/web-build.js';

/**
 * `npm run bench:dashboard`: a 100,000-rig site in a real server (samples written straight into its fleet state),
 * opened in headless Chromium. Prints the time to first render of the site view, and the time to apply a filter,
 * a search, a sort and a deep scroll (each from the input event to the new rows in the DOM; median of 5).
 */
const RIGS = Number(process.env.BENCH_RIGS ?? 100_000);
const RUNS = 5;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

/** Runs `action` in the page and resolves with the ms until `done` holds (checked on every DOM mutation). */
async function timeInPage(page: Page, action: string, done: string): Promise<number> {
  return page.evaluate(
    ([actionSrc, doneSrc]) =>
      new Promise<number>((resolve, reject) => {
        const isDone = new Function(`return (${doneSrc})`) as () => boolean;
        const t0 = performance.now();
        const observer = new MutationObserver(() => {
          if (!isDone()) return;
          observer.disconnect();
          resolve(performance.now() - t0);
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        setTimeout(() => reject(new Error(`timed out waiting for ${doneSrc}`)), 30_000);
        (new Function(actionSrc) as () => void)();
      }),
    [action, done] as const,
  );
}

async function main(): Promise<void> {
  ensureWebBuild();
  const rigline = await startTestServer({ alerts: { enabled: false } });
  const now = Date.now();
  const model = new FleetModel({ sites: 1, rigsPerSite: RIGS, seed: 1, intervalMs: 60_000, faultRate: 0.02, gpuEvery: 25, startMs: now - 86_400_000 });
  const t0 = performance.now();
  const samples = model.samplesAt(model.sites[0]!, 0, now);
  rigline.state.applySamples('bench', samples);
  rigline.store.writeSiteRollups(now, rigline.state.sites());
  console.log(`fleet: ${samples.length} rigs in site-01, built and applied in ${fmt(performance.now() - t0)}`);

  for (const query of ['limit=200', 'limit=200&sort=hashrate&dir=desc', 'limit=200&status=degraded', 'limit=200&q=r0999']) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const res = await fetch(`${rigline.httpUrl}/api/sites/site-01/rigs?${query}`);
      await res.json();
      times.push(performance.now() - start);
    }
    console.log(`api  GET /api/sites/site-01/rigs?${query}: median ${fmt(median(times))}`);
  }

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const first: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`${rigline.httpUrl}/sites/site-01`);
      await page.waitForSelector('.vrow[data-rig]');
      first.push(await page.evaluate(() => performance.now()));
    }
    const rendered = await page.getAttribute('.vrows', 'data-rendered');
    console.log(`site view: time to first render (navigation start → first rows): median ${fmt(median(first))} (${rendered} rows in the DOM for ${samples.length} rigs)`);

    // The matched count and the rows are painted in the same task when a page arrives, so a changed count means
    // the new rows are in the DOM.
    const total = String(samples.length);
    const matched = `document.querySelector('#matched')?.dataset.matched`;
    const firstRig = `document.querySelector('.vrow[data-rig]')?.dataset.rig`;
    const cases: [string, string, string][] = [
      ['filter status=online', `const s = document.querySelector('#status'); s.value = 'online'; s.dispatchEvent(new Event('change'))`,
        `${matched} !== '${total}' && document.querySelectorAll('.vrow[data-rig]').length > 0`],
      ['filter model=Antminer S21', `const s = document.querySelector('#model'); s.value = 'Antminer S21'; s.dispatchEvent(new Event('change'))`,
        `${matched} !== '${total}' && document.querySelectorAll('.vrow[data-rig]').length > 0`],
      ['clear filters', `document.querySelector('#clear').click()`, `${matched} === '${total}'`],
      ['sort by hashrate', `window.before = ${firstRig}; document.querySelector('.vhead [data-sort="hashrate"]').click()`,
        `${firstRig} !== undefined && ${firstRig} !== window.before`],
      ['scroll to row 50,000', `document.querySelector('.vbody').scrollTop = 50000 * 34`,
        `[...document.querySelectorAll('.vrow[data-rig]')].length > 10 && !document.querySelector('.vrow.pending')`],
    ];
    for (const [name, action, done] of cases) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await page.goto(`${rigline.httpUrl}/sites/site-01`);
        await page.waitForSelector('.vrow[data-rig]');
        if (name === 'clear filters') {
          await page.selectOption('#status', 'degraded');
          await page.waitForFunction((t) => document.querySelector<HTMLElement>('#matched')?.dataset.matched !== t, total);
        }
        await page.waitForTimeout(100);
        times.push(await timeInPage(page, action, done));
      }
      console.log(`site view: ${name} → rows shown: median ${fmt(median(times))}`);
    }
    const typed: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`${rigline.httpUrl}/sites/site-01`);
      await page.waitForSelector('.vrow[data-rig]');
      const start = performance.now();
      await page.fill('#q', 'r09999');
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#matched')?.dataset.matched) < 20);
      typed.push(performance.now() - start);
    }
    console.log(`site view: search "r09999" → rows shown: median ${fmt(median(typed))} (includes the 250 ms typing debounce)`);
  } finally {
    await browser.close();
    await rigline.stop();
  }
}

await main();
