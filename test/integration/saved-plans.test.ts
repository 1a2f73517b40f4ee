import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rigline } from '../../server/app.js';
import { ROLES, type Role } from '../../server/auth/roles.js';
import { hashPassword } from '../../server/auth/secrets.js';
import type { Baseline } from '../../server/planner/contract.js';
import type { SavedPlan, SavedPlanListing } from '../../server/plans/saved-plans.js';
import { SavedPlans } from '../../server/plans/saved-plans.js';
import { startTestServer } from '../helpers/server.js';

const SITES = [
  { id: 'site-a', name: 'Rockdale TX', capacity_mw: 20, power_price_usd_per_kwh: 0.07 },
  { id: 'site-b', name: 'Kearney NE', capacity_mw: 10, power_price_usd_per_kwh: 0.03 },
];

describe('saved plans: POST/GET/DELETE /api/plans, per role, kept in a file', () => {
  let dir: string;
  let file: string;
  let rigline: Rigline;
  let input: Record<string, unknown>;
  const tokens = new Map<string, string>();

  const call = async <T>(method: string, path: string, who: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${rigline.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.get(who)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (res.status === 204 ? null : await res.json()) as T };
  };

  async function start(): Promise<void> {
    rigline = await startTestServer({ auth: { anonymous: 'none' }, sites: SITES, planner: { saved_plans_file: file, saved_plans_max: 3 } });
    const { store, identity } = rigline.security;
    tokens.clear();
    for (const [username, role] of [...ROLES.map((r) => [`${r}-user`, r] as const), ['planner-two', 'planner'] as const]) {
      store.putUser({ username, role: role as Role, hash: hashPassword('irrelevant-password', 1000), created: new Date().toISOString() });
      tokens.set(username, identity.issueToken(identity.person(username)!, role as Role, 'test').token);
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rigline-plans-'));
    file = join(dir, 'plans.json');
    await start();
    input = (await call<Baseline>('GET', '/api/plan/baseline', 'viewer-user')).body.input as unknown as Record<string, unknown>;
  });
  afterAll(async () => {
    await rigline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves a plan the server ran itself, lists it for every role, and opens it with its input', async () => {
    const planned = await call<{ plan: { npv_usd: number; converted_mw: number } }>('POST', '/api/plan', 'viewer-user', input);
    const saved = await call<SavedPlan>('POST', '/api/plans', 'planner-user', { name: '  Q3 pivot  ', input });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ name: 'Q3 pivot', author: 'planner-user', input: { sites: expect.any(Array) } });
    // The summary is the server's own run of that input: the same plan POST /api/plan gives.
    expect(saved.body.summary.npv_usd).toBeCloseTo(planned.body.plan.npv_usd, 0);
    expect(saved.body.summary.converted_mw).toBeCloseTo(planned.body.plan.converted_mw, 6);
    expect(saved.body.summary.decisions.map((d) => d.id)).toEqual(['site-a', 'site-b']);

    for (const role of ROLES) {
      const list = await call<{ plans: SavedPlanListing[] }>('GET', '/api/plans', `${role}-user`);
      expect(list.status).toBe(200);
      expect(list.body.plans.map((p) => p.id)).toEqual([saved.body.id]);
      expect(list.body.plans[0]).not.toHaveProperty('input');
    }
    const opened = await call<SavedPlan>('GET', `/api/plans/${saved.body.id}`, 'viewer-user');
    expect(opened.body.input).toEqual(saved.body.input);
    expect((await call('GET', '/api/plans/plan-nope', 'viewer-user')).status).toBe(404);
  });

  it('refuses bad input with a coded error and saves nothing', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ input }, 'invalid_body', /^name: /],
      [{ name: ' ', input }, 'invalid_body', /^name: /],
      [{ name: 'x'.repeat(121), input }, 'invalid_body', /^name: at most 120/],
      [{ name: 'no input' }, 'invalid_body', /^input: /],
      [{ name: 'bad input', input: { ...input, sites: [] } }, 'invalid_plan', /sites/],
    ];
    for (const [body, code, message] of cases) {
      const res = await call<{ error: { code: string; message: string } }>('POST', '/api/plans', 'planner-user', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await call<{ plans: unknown[] }>('GET', '/api/plans', 'viewer-user')).body.plans).toHaveLength(1);
  });

  it('lets planners and admins save, not viewers or operators; only the author or an admin deletes', async () => {
    for (const who of ['viewer-user', 'operator-user']) expect((await call('POST', '/api/plans', who, { name: 'x', input })).status).toBe(403);
    const other = await call<SavedPlan>('POST', '/api/plans', 'planner-two', { name: 'theirs', input });
    expect(other.status).toBe(201);
    const denied = await call<{ error: { code: string } }>('DELETE', `/api/plans/${other.body.id}`, 'planner-user');
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('not_author');
    expect((await call('DELETE', `/api/plans/${other.body.id}`, 'admin-user')).status).toBe(204);
    expect((await call('GET', `/api/plans/${other.body.id}`, 'viewer-user')).status).toBe(404);
  });

  it('holds at most planner.saved_plans_max plans', async () => {
    for (const name of ['two', 'three']) expect((await call('POST', '/api/plans', 'admin-user', { name, input })).status).toBe(201);
    const full = await call<{ error: { code: string; message: string } }>('POST', '/api/plans', 'admin-user', { name: 'four', input });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('plans_full');
  });

  it('keeps plans in planner.saved_plans_file across a restart, and will not start over a file it cannot read', async () => {
    const before = (await call<{ plans: SavedPlanListing[] }>('GET', '/api/plans', 'viewer-user')).body.plans;
    expect(before.map((p) => p.name)).toEqual(['three', 'two', 'Q3 pivot']);
    await rigline.stop();
    await start();
    const after = await call<{ plans: SavedPlanListing[] }>('GET', '/api/plans', 'viewer-user');
    expect(after.body.plans).toEqual(before);
    const own = before.find((p) => p.name === 'Q3 pivot')!;
    expect((await call('DELETE', `/api/plans/${own.id}`, 'planner-user')).status).toBe(204);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { plans: SavedPlan[] }).plans.map((p) => p.name)).toEqual(['two', 'three']);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"version":1,"plans":[{"id":1}]}');
    expect(() => new SavedPlans(broken, 10)).toThrow(/^planner\.saved_plans_file: .*broken\.json: not a saved plans file \(plans\.0\.id: /);
    expect(readFileSync(broken, 'utf8')).toBe('{"version":1,"plans":[{"id":1}]}');
  });
});
