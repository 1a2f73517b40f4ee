import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rigline } from '../../server/app.js';
import { ROLES, type Role } from '../../server/auth/roles.js';
import { hashPassword } from '../../server/auth/secrets.js';
import { startTestServer } from '../helpers/server.js';

/** Every route family and who may use it: the table the route guard must match, role by role. */
const ROUTES: { method: string; path: string; body?: unknown; allowed: readonly Role[] }[] = [
  { method: 'GET', path: '/api/health', allowed: ROLES },
  { method: 'GET', path: '/api/fleet', allowed: ROLES },
  { method: 'GET', path: '/api/sites', allowed: ROLES },
  { method: 'GET', path: '/api/rigs?site=site-01', allowed: ROLES },
  { method: 'GET', path: '/api/sites/site-01/series?metric=hashrate_ths', allowed: ROLES },
  { method: 'GET', path: '/api/auth/tokens', allowed: ROLES },
  { method: 'POST', path: '/api/plan', body: {}, allowed: ROLES },
  { method: 'GET', path: '/api/alerts', allowed: ROLES },
  { method: 'POST', path: '/api/alerts/a-1/resolve', body: {}, allowed: ['operator', 'admin'] },
  { method: 'POST', path: '/api/alerts/a-1/ack', body: {}, allowed: ['operator', 'admin'] },
  { method: 'GET', path: '/api/plans', allowed: ROLES },
  { method: 'GET', path: '/api/plans/p-1', allowed: ROLES },
  { method: 'POST', path: '/api/plans', body: { name: 'p' }, allowed: ['planner', 'admin'] },
  { method: 'DELETE', path: '/api/plans/p-1', allowed: ['planner', 'admin'] },
  { method: 'GET', path: '/api/admin/agents', allowed: ['admin'] },
  { method: 'POST', path: '/api/admin/users', body: { username: 'x', role: 'viewer', password: 'a-long-password' }, allowed: ['admin'] },
  { method: 'DELETE', path: '/api/admin/agents/nobody', allowed: ['admin'] },
];

const PASSWORD = 'correct horse battery staple';

describe('people and API access', () => {
  let rigline: Rigline;
  const tokens = new Map<Role, string>();

  const call = (method: string, path: string, init: { token?: string; cookie?: string; body?: unknown } = {}): Promise<Response> =>
    fetch(`${rigline.httpUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });

  beforeAll(async () => {
    rigline = await startTestServer({ auth: { anonymous: 'none', rate_limit: { login_per_minute: 3 } } });
    const { store, identity } = rigline.security;
    const hash = hashPassword(PASSWORD, 1000);
    for (const role of ROLES) {
      store.putUser({ username: `${role}-user`, role, hash, created: new Date().toISOString() });
      tokens.set(role, identity.issueToken(identity.person(`${role}-user`)!, role, `${role} script`).token);
    }
  });
  afterAll(async () => rigline?.stop());

  const cases = ROUTES.flatMap((route) => ROLES.map((role) => ({ ...route, role, ok: route.allowed.includes(role) })));
  it.each(cases)('$role → $method $path: allowed=$ok', async ({ method, path, body, role, ok }) => {
    const res = await call(method, path, { token: tokens.get(role), body });
    if (ok) expect([401, 403]).not.toContain(res.status);
    else {
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
  });

  it.each(ROUTES)('anonymous → $method $path: 401 unauthenticated', async ({ method, path, body }) => {
    const res = await call(method, path, { body });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });

  it('sends visitors without a session to the login page, which needs no login', async () => {
    const page = await fetch(`${rigline.httpUrl}/`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
    const login = await fetch(`${rigline.httpUrl}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('action="/api/auth/login"');
  });

  it('logs in with a password into an httpOnly SameSite session cookie, and logs out', async () => {
    const res = await call('POST', '/api/auth/login', { body: { username: 'operator-user', password: PASSWORD } });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/rigline_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Max-Age=28800/);
    const cookie = setCookie.split(';')[0] as string;
    expect(((await (await call('GET', '/api/auth/me', { cookie })).json()) as { role: string }).role).toBe('operator');
    expect((await call('GET', '/api/fleet', { cookie })).status).toBe(200);
    expect((await call('DELETE', '/api/plans/p-1', { cookie })).status).toBe(403);
    // A tampered cookie is no session at all.
    expect((await call('GET', '/api/fleet', { cookie: `${cookie.slice(0, -2)}xx` })).status).toBe(401);
    const out = await call('POST', '/api/auth/logout', { cookie });
    expect(out.headers.get('set-cookie')).toMatch(/rigline_session=;/);
  });

  it('creates API tokens for scripts and revokes them', async () => {
    const login = await call('POST', '/api/auth/login', { body: { username: 'planner-user', password: PASSWORD } });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const created = await call('POST', '/api/auth/tokens', { cookie, body: { name: 'nightly export' } });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    expect((await call('GET', '/api/fleet', { token })).status).toBe(200);
    const listed = (await (await call('GET', '/api/auth/tokens', { cookie })).json()) as { id: string; digest?: string }[];
    expect(listed.map((t) => t.id)).toContain(id);
    expect(listed.every((t) => t.digest === undefined)).toBe(true);
    // Another non-admin cannot revoke it; its owner can.
    expect((await call('DELETE', `/api/auth/tokens/${id}`, { token: tokens.get('viewer') })).status).toBe(404);
    expect((await call('DELETE', `/api/auth/tokens/${id}`, { cookie })).status).toBe(204);
    const after = await call('GET', '/api/fleet', { token });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'invalid_credentials', message: 'token revoked' });
  });

  it('rate-limits failed logins per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call('POST', '/api/auth/login', { body: { username: 'admin-user', password: 'wrong' } })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('sends secure headers', async () => {
    const res = await call('GET', '/api/fleet', { token: tokens.get('viewer') });
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('authenticates socket.io connections the same way', async () => {
    const attempt = (auth?: { token: string }): Promise<string> =>
      new Promise((resolve) => {
        const socket = connectSocket(rigline.httpUrl, { transports: ['websocket'], reconnection: false, auth });
        socket.on('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.on('connect_error', (err) => {
          socket.close();
          resolve(err.message);
        });
      });
    expect(await attempt()).toBe('unauthenticated');
    expect(await attempt({ token: 'rl_0123456789abcdef.not-a-real-token-value' })).toBe('unauthenticated');
    expect(await attempt({ token: tokens.get('viewer')! })).toBe('connected');
  });
});
