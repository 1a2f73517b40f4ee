import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rigline } from '../../server/app.js';
import { hashPassword } from '../../server/auth/secrets.js';
import { startTestServer } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const LIMIT = 3;

/**
 * The /login page posts a form; a failed form login answers 303 back to /login?failed=1, which the limiter would
 * count as a success unless the route marks it failed. Its own server: the limit is per client address.
 */
describe('login rate limit for the HTML form', () => {
  let rigline: Rigline;

  const formLogin = (password: string): Promise<Response> =>
    fetch(`${rigline.httpUrl}/api/auth/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'planner-user', password }).toString(),
    });

  beforeAll(async () => {
    rigline = await startTestServer({ auth: { anonymous: 'none', rate_limit: { login_per_minute: LIMIT } } });
    rigline.security.store.putUser({ username: 'planner-user', role: 'planner', hash: hashPassword(PASSWORD, 1000), created: new Date().toISOString() });
  });
  afterAll(async () => rigline?.stop());

  it('counts failed form logins, still lets a correct one in below the limit, and refuses beyond it', async () => {
    const wrong: string[] = [];
    for (let i = 0; i < LIMIT - 1; i++) {
      const res = await formLogin('wrong');
      expect(res.status).toBe(303);
      wrong.push(res.headers.get('location') ?? '');
    }
    expect(wrong).toEqual(Array(LIMIT - 1).fill('/login?failed=1'));

    // Below the limit a correct login works, and forgets the failures before it (lockout per user and address).
    const good = await formLogin(PASSWORD);
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/');
    expect(good.headers.get('set-cookie')).toMatch(/rigline_session=/);

    for (let i = 0; i < LIMIT; i++) expect((await formLogin('wrong')).headers.get('location')).toBe('/login?failed=1');
    // Over the limit: refused, even with the right password, and sent to a page that says why.
    for (const password of ['wrong', PASSWORD]) {
      const refused = await formLogin(password);
      expect(refused.status).toBe(303);
      expect(refused.headers.get('location')).toBe('/login?limited=1');
      expect(refused.headers.get('set-cookie')).toBeNull();
    }
    const page = await (await fetch(`${rigline.httpUrl}/login?limited=1`)).text();
    expect(page).toContain('Too many failed logins');

    // A script on the same address gets the JSON error.
    const json = await fetch(`${rigline.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'planner-user', password: PASSWORD }),
    });
    expect(json.status).toBe(429);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });
});
