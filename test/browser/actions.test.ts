import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../agents/runtime/agent.js';
import { parseAgentConfig } from '../../agents/runtime/config.js';
import { startAgent } from '../../agents/runtime/start.js';
import type { Rigline } from '../../server/app.js';
import { issueAgent } from '../../server/auth/agents.js';
import { DEVICES } from '../agents/recordings.js';
import { ARTIFACTS, launchChromium } from '../helpers/browser.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { hasService } from '../helpers/services.js';
import { ensureWebBuild } from '../helpers/web-build.js';

/** The action UI in headless Chromium: rig page menu with confirmation, site bulk panel, history page. */
describe.skipIf(!hasService('chromium', 'chromium') && process.env.CI !== 'true')('action UI in headless Chromium', () => {
  let rigline: Rigline;
  let agent: Agent;
  let miner: FakeMiner;
  let browser: Browser;
  let page: Page;
  const spool = mkdtempSync(join(tmpdir(), 'rigline-ui-actions-'));

  beforeAll(async () => {
    ensureWebBuild();
    rigline = await startTestServer();
    const { password } = issueAgent(rigline.security.store, { username: 'ui-agent', kind: 'agent', site: 'ui-site' });
    const asc = loadRecordings({ off: 'asicrs__avalon-q__ascset_softoff.json', on: 'asicrs__avalon-q__ascset_softon.json' });
    miner = await startFakeMiner({
      replies: loadRecordings(DEVICES.avalonQ),
      respond: (payload) => {
        const req = JSON.parse(payload) as { command?: string; parameter?: string };
        if (req.command !== 'ascset') return undefined;
        return req.parameter?.includes('softoff') ? asc.off : asc.on;
      },
    });
    agent = await startAgent(
      parseAgentConfig({
        site: 'ui-site',
        agent_id: 'ui-ctl',
        interval_s: 1,
        mqtt: { url: `mqtt://127.0.0.1:${rigline.broker!.port}`, username: 'ui-agent', password, client_id: 'ui-agent' },
        sources: [{ type: 'cgminer', host: miner.host, port: miner.port, rig: 'avalon-01' }],
        spool: { dir: spool },
        actions: { enabled: true },
      }),
      { log: pino({ level: 'silent' }) },
    );
    await waitFor(() => (rigline.state.rig('avalon-01') ? true : undefined), 15_000, 'the rig');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 120_000);

  afterAll(async () => {
    if (page) await page.screenshot({ path: `${ARTIFACTS}/actions.png`, fullPage: true }).catch(() => undefined);
    await browser?.close();
    await agent?.stop();
    await rigline?.stop();
    await miner?.close();
    rmSync(spool, { recursive: true, force: true });
  });

  it('the rig page asks for confirmation, then follows the action to the miner\'s answer', async () => {
    await page.goto(`${rigline.httpUrl}/rigs/avalon-01`);
    await page.selectOption('[data-testid="ra-action"]', 'sleep');
    await page.click('[data-testid="ra-run"]');
    expect(miner.requests.some((r) => r.includes('softoff'))).toBe(false); // nothing before the confirmation
    await page.click('[data-testid="ra-confirm"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="ra-state"]')?.textContent === 'done', undefined, { timeout: 20_000 });
    expect(await page.textContent('#ra-status')).toContain('success softoff');
    expect(miner.requests.filter((r) => r.includes('softoff'))).toHaveLength(1);
  }, 40_000);

  it('the site page runs a bulk action on the chosen rigs and shows its progress; the history page lists both', async () => {
    await page.goto(`${rigline.httpUrl}/sites/ui-site`);
    await page.selectOption('[data-testid="sa-action"]', 'wake');
    await page.fill('[data-testid="sa-rigs"]', 'avalon-01');
    await page.click('[data-testid="sa-run"]');
    await page.click('[data-testid="sa-confirm"]');
    await page.waitForFunction(() => /1 issued · 1 done · 0 failed/.test(document.querySelector('[data-testid="sa-progress"]')?.textContent ?? ''), undefined, { timeout: 20_000 });
    await page.goto(`${rigline.httpUrl}/actions?rig=avalon-01`);
    await page.waitForFunction(() => document.querySelector('[data-testid="actions-total"]')?.textContent?.startsWith('2 actions'), undefined, { timeout: 10_000 });
    const rows = await page.$$eval('#a-table tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows[0]).toMatch(/Wake.*done/s);
    expect(rows[1]).toMatch(/Sleep.*done/s);
  }, 40_000);
});
