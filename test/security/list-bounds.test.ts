import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { MAX_FINISHED_RUNS } from '../../server/actions/bulk.js';
import type { Rigline } from '../../server/app.js';
import { MAX_ACTIVE_TOKENS_PER_USER } from '../../server/auth/auth-routes.js';
import { hashPassword } from '../../server/auth/secrets.js';
import { LIST_BOUNDS, TOTAL_COUNT_HEADER, type Alert, type ListName } from '../../server/contract/index.js';
import type { SavedPlan } from '../../server/plans/saved-plans.js';
import { apiAll } from '../../web/src/api.js';
import { startTestServer } from '../helpers/server.js';

/**
 * Issue 10, "every list endpoint bounded": each list under /api answers at most its maximum page (contract/paging.ts
 * LIST_BOUNDS), however many items exist; ?offset and ?limit walk every item exactly once with the total in
 * X-Total-Count; a limit over the maximum, zero, negative or not a number is 400 invalid_parameter (refused, not
 * silently cut, so a client learns it must page). Each list is filled past its maximum where the server allows that
 * many items at all.
 */
const PASSWORD = 'correct horse battery staple';

/** Every GET list route, the list it is bounded by, and how to read items from its body. */
const LISTS: { path: string; list: ListName; items: (body: unknown) => unknown[] }[] = [
  { path: '/api/rigs', list: 'rigs', items: (b) => b as unknown[] },
  { path: '/api/sites', list: 'sites', items: (b) => b as unknown[] },
  { path: '/api/sites/site-01/rigs', list: 'siteRigs', items: (b) => (b as { rows: unknown[] }).rows },
  { path: '/api/alerts?state=all', list: 'alerts', items: (b) => b as unknown[] },
  { path: '/api/alerts/silences', list: 'silences', items: (b) => (b as { silences: unknown[] }).silences },
  { path: '/api/actions', list: 'actions', items: (b) => (b as { items: unknown[] }).items },
  { path: '/api/actions/bulk', list: 'bulk', items: (b) => b as unknown[] },
  { path: '/api/plans', list: 'plans', items: (b) => (b as { plans: unknown[] }).plans },
  { path: '/api/auth/tokens', list: 'tokens', items: (b) => b as unknown[] },
  { path: '/api/admin/users', list: 'users', items: (b) => b as unknown[] },
  { path: '/api/admin/agents', list: 'agents', items: (b) => b as unknown[] },
];

function savedPlan(i: number): SavedPlan {
  return {
    id: `plan-${String(i).padStart(5, '0')}`,
    name: `plan ${i}`,
    author: 'root',
    created: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    input: { sites: [] },
    summary: { sites: 0, converted_mw: 0, mining_mw: 0, gpus: 0, capex_usd: 0, npv_usd: 0, npv_mining_only_usd: 0, solver_status: 'optimal', decisions: [], warnings: [] },
  };
}

function resolvedAlert(i: number): Alert {
  const at = 1_700_000_000_000 + i * 1000;
  return {
    id: `a-${String(i).padStart(6, '0')}`,
    kind: 'rig_offline',
    severity: 'critical',
    site: 'site-01',
    rig: `site-01-r${String(i).padStart(5, '0')}`,
    state: 'resolved',
    message: 'offline',
    value: null,
    threshold: null,
    opened_at: at,
    updated_at: at,
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: at + 500,
    resolved_by: 'cleared',
  };
}

describe('every list endpoint is bounded and paged (issue 10)', () => {
  let rigline: Rigline;
  let adminToken: string;
  const dir = mkdtempSync(join(tmpdir(), 'rigline-list-bounds-'));
  const SITES = LIST_BOUNDS.sites.maxLimit + 1;
  const ALERTS = LIST_BOUNDS.alerts.maxLimit + 50;
  const PLANS = LIST_BOUNDS.plans.maxLimit + 100;
  const USERS = LIST_BOUNDS.users.maxLimit + 1;
  const AGENTS = LIST_BOUNDS.agents.maxLimit + 1;
  const TOKENS = LIST_BOUNDS.tokens.maxLimit + 10;

  /** As the admin (a bearer token) unless a cookie is given or `anonymous` is set. */
  const call = (method: string, path: string, init: { anonymous?: boolean; cookie?: string; body?: unknown } = {}): Promise<Response> =>
    fetch(`${rigline.httpUrl}${path}`, {
      method,
      headers: {
        ...(init.anonymous || init.cookie ? {} : { authorization: `Bearer ${adminToken}` }),
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });

  /** One page: its items, the X-Total-Count, and the page is never longer than the list's maximum. */
  const page = async (path: string, list: ListName, items: (b: unknown) => unknown[]): Promise<{ items: unknown[]; total: number }> => {
    const res = await call('GET', path);
    expect(res.status, path).toBe(200);
    const got = items(await res.json());
    expect(got.length, path).toBeLessThanOrEqual(LIST_BOUNDS[list].maxLimit);
    return { items: got, total: Number(res.headers.get(TOTAL_COUNT_HEADER)) };
  };

  /** Walks a list with ?offset and ?limit; returns every item's key, in order. */
  const walk = async (path: string, list: ListName, items: (b: unknown) => unknown[], key: (item: unknown) => string, limit: number): Promise<{ keys: string[]; total: number; pages: number }> => {
    const keys: string[] = [];
    const join = path.includes('?') ? '&' : '?';
    let total = -1;
    let pages = 0;
    for (;;) {
      const got = await page(`${path}${join}offset=${keys.length}&limit=${limit}`, list, items);
      pages++;
      expect(got.items.length).toBeLessThanOrEqual(limit);
      if (total === -1) total = got.total;
      expect(got.total).toBe(total); // nothing changed while walking
      keys.push(...got.items.map(key));
      if (got.items.length < limit) return { keys, total, pages };
    }
  };

  beforeAll(async () => {
    const plansFile = join(dir, 'plans.json');
    writeFileSync(plansFile, JSON.stringify({ version: 1, plans: Array.from({ length: PLANS }, (_, i) => savedPlan(i)) }));
    rigline = await startTestServer({
      auth: { anonymous: 'none' },
      planner: { saved_plans_file: plansFile, saved_plans_max: PLANS + 10 },
      alerts: { history_limit: ALERTS + 100 },
    });
    const { store, identity } = rigline.security;
    const hash = hashPassword(PASSWORD, 1000);
    const created = new Date().toISOString();
    store.putUser({ username: 'root', role: 'admin', hash, created });
    store.putUser({ username: 'alice', role: 'operator', hash, created });
    for (let i = 0; i < USERS - 2; i++) store.putUser({ username: `user-${String(i).padStart(5, '0')}`, role: 'viewer', hash, created });
    for (let i = 0; i < AGENTS; i++) {
      store.putAgent({ username: `agent-${String(i).padStart(5, '0')}`, kind: 'agent', site: 'site-01', rigs: null, hash, created, revoked: null });
    }
    adminToken = identity.issueToken(identity.person('root')!, 'admin', 'admin script').token;
    // Tokens of many people: the admin's list holds them all, each person's own list only theirs.
    for (let i = 1; i < TOKENS; i++) identity.issueToken(identity.person(`user-${String(i % 50).padStart(5, '0')}`)!, 'viewer', `t${i}`);
    // One rig per site, straight into fleet state: this test is about the lists, not transport.
    const model = new FleetModel({ sites: SITES, rigsPerSite: 1, seed: 3, intervalMs: 60_000, faultRate: 0, gpuEvery: 0, startMs: Date.now() });
    for (const site of model.sites) rigline.state.applySamples('sim', model.samplesAt(site, 0, Date.now()));
    rigline.alerts.engine.restore({ seq: ALERTS, active: [], resolved: Array.from({ length: ALERTS }, (_, i) => resolvedAlert(i)) });
  }, 120_000);
  afterAll(async () => {
    await rigline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a limit over the maximum, zero, negative or not a number, and a bad offset, with 400 invalid_parameter JSON', async () => {
    const failures: string[] = [];
    for (const { path, list } of LISTS) {
      const join = path.includes('?') ? '&' : '?';
      for (const bad of [`limit=${LIST_BOUNDS[list].maxLimit + 1}`, 'limit=0', 'limit=-5', 'limit=ten', 'limit=1.5', 'offset=-1', 'offset=x', 'limt=5']) {
        const res = await call('GET', `${path}${join}${bad}`);
        const body = (await res.json()) as { error?: { code?: string; message?: string } };
        if (res.status !== 400 || body.error?.code !== 'invalid_parameter' || !body.error.message) failures.push(`${path} ${bad}: ${res.status} ${JSON.stringify(body)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('answers at most the default page with no limit, and at most the maximum with the largest limit, with the total in X-Total-Count', async () => {
    for (const { path, list, items } of LISTS) {
      const join = path.includes('?') ? '&' : '?';
      const plain = await page(path, list, items);
      expect(plain.items.length, path).toBeLessThanOrEqual(LIST_BOUNDS[list].defaultLimit);
      expect(plain.items.length, path).toBe(Math.min(plain.total, LIST_BOUNDS[list].defaultLimit));
      const largest = await page(`${path}${join}limit=${LIST_BOUNDS[list].maxLimit}`, list, items);
      expect(largest.items.length, path).toBe(Math.min(largest.total, LIST_BOUNDS[list].maxLimit));
    }
  }, 60_000);

  it('pages sites, rigs, users, agents, tokens and saved plans past their maximum: every item exactly once', async () => {
    const byKey = (field: string) => (item: unknown) => String((item as Record<string, unknown>)[field]);
    const cases = [
      { path: '/api/sites', list: 'sites', key: byKey('id'), count: SITES },
      { path: '/api/rigs', list: 'rigs', key: byKey('rig'), count: SITES },
      { path: '/api/admin/users', list: 'users', key: byKey('username'), count: USERS },
      { path: '/api/admin/agents', list: 'agents', key: byKey('username'), count: AGENTS },
      { path: '/api/auth/tokens', list: 'tokens', key: byKey('id'), count: TOKENS },
    ] as const;
    for (const c of cases) {
      const { items } = LISTS.find((l) => l.list === c.list)!;
      const { keys, total, pages } = await walk(c.path, c.list, items, c.key, LIST_BOUNDS[c.list].maxLimit);
      expect(total, c.path).toBe(c.count);
      expect(c.count, c.path).toBeGreaterThan(LIST_BOUNDS[c.list].maxLimit);
      expect(pages, c.path).toBeGreaterThan(1);
      expect(keys, c.path).toHaveLength(c.count);
      expect(new Set(keys).size, c.path).toBe(c.count);
    }
    const plans = await walk('/api/plans', 'plans', (b) => (b as { plans: unknown[] }).plans, byKey('id'), 333);
    expect(plans.total).toBe(PLANS);
    // Newest first, each exactly once.
    expect(plans.keys).toEqual(Array.from({ length: PLANS }, (_, i) => savedPlan(PLANS - 1 - i).id));
  }, 60_000);

  it('pages alerts past their maximum: every alert exactly once, in the order of an unpaged list', async () => {
    const items = (b: unknown) => b as unknown[];
    const { keys, total } = await walk('/api/alerts?state=resolved', 'alerts', items, (a) => (a as Alert).id, LIST_BOUNDS.alerts.maxLimit);
    expect(total).toBe(ALERTS);
    expect(ALERTS).toBeGreaterThan(LIST_BOUNDS.alerts.maxLimit);
    expect(keys).toEqual(Array.from({ length: ALERTS }, (_, i) => resolvedAlert(ALERTS - 1 - i).id)); // newest first
    const small = await walk('/api/alerts?state=resolved&site=site-01', 'alerts', items, (a) => (a as Alert).id, 4000);
    expect(small.keys).toEqual(keys);
    // The web app's pager (web/src/live.ts loads every active alert with it) walks the same list to its end.
    const all = await apiAll<Alert>(`${rigline.httpUrl}/api/alerts?state=resolved`, 3000, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(all.map((a) => a.id)).toEqual(keys);
  }, 60_000);

  it('keeps silences at their cap of one page and pages them exactly once', async () => {
    const now = Date.now();
    const max = LIST_BOUNDS.silences.maxLimit;
    for (let i = 0; i < max; i++) {
      const res = await call('POST', '/api/alerts/silences', { body: { rig: `site-01-r${String(i).padStart(5, '0')}`, ends_at: now + 3_600_000 + i * 1000 } });
      expect(res.status).toBe(201);
    }
    const over = await call('POST', '/api/alerts/silences', { body: { rig: 'site-01-r99999', ends_at: now + 7_200_000 } });
    expect(over.status).toBe(409);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('too_many_silences');
    const items = (b: unknown) => (b as { silences: unknown[] }).silences;
    const { keys, total } = await walk('/api/alerts/silences', 'silences', items, (s) => String((s as { rig: string }).rig), 300);
    expect(total).toBe(max);
    expect(keys).toEqual(Array.from({ length: max }, (_, i) => `site-01-r${String(i).padStart(5, '0')}`)); // soonest ending first
  }, 60_000);

  it('keeps the last finished bulk runs and pages them, newest first', async () => {
    const runs = MAX_FINISHED_RUNS + 20;
    // A rig that does not exist fails at once: each run finishes as soon as it starts.
    const ids = Array.from({ length: runs }, () => rigline.actions.bulk.start('site-01', 1, ['site-01-gone'], { action: 'restart' }, 'root', 100).id);
    const { keys, total } = await walk('/api/actions/bulk', 'bulk', (b) => b as unknown[], (p) => String((p as { id: string }).id), LIST_BOUNDS.bulk.maxLimit);
    expect(total).toBe(MAX_FINISHED_RUNS);
    expect(keys).toEqual(ids.slice(-MAX_FINISHED_RUNS).reverse());
    const bad = await call('GET', '/api/actions/bulk?site=NOT_A_SITE');
    expect(bad.status).toBe(400);
  }, 60_000);

  it('caps the active API tokens one person may hold', async () => {
    const login = await call('POST', '/api/auth/login', { anonymous: true, body: { username: 'alice', password: PASSWORD } });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    for (let i = 0; i < MAX_ACTIVE_TOKENS_PER_USER; i++) {
      expect((await call('POST', '/api/auth/tokens', { cookie, body: { name: `t${i}` } })).status).toBe(201);
    }
    const over = await call('POST', '/api/auth/tokens', { cookie, body: { name: 'one too many' } });
    expect(over.status).toBe(409);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('too_many_tokens');
    // Her own list holds only hers; revoking one makes room for another.
    const mine = await call('GET', `/api/auth/tokens?limit=${LIST_BOUNDS.tokens.maxLimit}`, { cookie });
    const list = (await mine.json()) as { id: string; username: string }[];
    expect(mine.headers.get(TOTAL_COUNT_HEADER)).toBe(String(MAX_ACTIVE_TOKENS_PER_USER));
    expect(list.every((t) => t.username === 'alice')).toBe(true);
    expect((await call('DELETE', `/api/auth/tokens/${list[0]!.id}`, { cookie })).status).toBe(204);
    expect((await call('POST', '/api/auth/tokens', { cookie, body: { name: 'replacement' } })).status).toBe(201);
  }, 60_000);
});
