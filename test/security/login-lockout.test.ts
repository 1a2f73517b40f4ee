import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rigline } from '../../server/app.js';
import { LoginThrottle } from '../../server/auth/login-throttle.js';
import { hashPassword } from '../../server/auth/secrets.js';
import { startTestServer } from '../helpers/server.js';

/** Finding 10 of issue 10: after the failed-login limit the right password was refused too, for everyone behind the address. */
describe('login lockout by (username, address)', () => {
  it('locks one pair with doubling backoff, lets the right password in after the window, and leaves others alone', () => {
    let now = 0;
    const throttle = new LoginThrottle(3, 5 * 60_000, 1000, () => now);
    const fail = (n: number, user = 'alice', address = '10.0.0.1') => {
      for (let i = 0; i < n; i++) throttle.failed(user, address);
    };
    fail(2);
    expect(throttle.retryAfterMs('alice', '10.0.0.1')).toBe(0);
    fail(1);
    expect(throttle.retryAfterMs('alice', '10.0.0.1')).toBe(60_000);
    expect(throttle.retryAfterMs('ALICE', '10.0.0.1')).toBe(60_000); // one account, whatever the case
    expect(throttle.retryAfterMs('bob', '10.0.0.1')).toBe(0);
    expect(throttle.retryAfterMs('alice', '10.0.0.2')).toBe(0);
    now += 60_000;
    expect(throttle.retryAfterMs('alice', '10.0.0.1')).toBe(0);
    fail(3);
    expect(throttle.retryAfterMs('alice', '10.0.0.1')).toBe(120_000);
    now += 120_000;
    fail(3);
    expect(throttle.retryAfterMs('alice', '10.0.0.1')).toBe(240_000);
    now += 240_000;
    fail(3);
    expect(throttle.retryAfterMs('alice', '10.0.0.1')).toBe(300_000); // capped
    now += 300_000;
    throttle.succeeded('alice', '10.0.0.1');
    fail(2);
    expect(throttle.retryAfterMs('alice', '10.0.0.1')).toBe(0);
  });

  it('keeps at most maxEntries pairs', () => {
    const throttle = new LoginThrottle(1, 60_000, 10, () => 0);
    for (let i = 0; i < 100; i++) throttle.failed(`user-${i}`, '10.0.0.1');
    expect(throttle.retryAfterMs('user-0', '10.0.0.1')).toBe(0);
    expect(throttle.retryAfterMs('user-99', '10.0.0.1')).toBe(60_000);
  });

  describe('over HTTP', () => {
    let rigline: Rigline;
    const PASSWORD = 'correct horse battery staple';
    beforeAll(async () => {
      rigline = await startTestServer({ auth: { anonymous: 'none', rate_limit: { login_per_minute: 3 } } });
      for (const username of ['alice', 'bob']) {
        rigline.security.store.putUser({ username, role: 'viewer', hash: hashPassword(PASSWORD, 1000), created: new Date().toISOString() });
      }
    });
    afterAll(async () => rigline?.stop());

    const login = (username: string, password: string) =>
      fetch(`${rigline.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

    it('refuses the locked pair with 429 and Retry-After while another user from the same address logs in', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await login('alice', 'wrong')).status);
      const locked = await login('alice', PASSWORD);
      expect([...statuses, locked.status]).toEqual([401, 401, 401, 429]);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
      expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      expect((await login('bob', PASSWORD)).status).toBe(200);
    });
  });
});
