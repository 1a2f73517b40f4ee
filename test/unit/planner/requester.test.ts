import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { requesterOf } from '../../../server/api/plan-routes.js';
import type { Principal } from '../../../server/auth/identity.js';

const req = (ip: string) => ({ ip, socket: { remoteAddress: ip } }) as unknown as Request;
const res = (principal: Principal | null) => ({ locals: { principal } }) as unknown as Response;

describe('requesterOf (whose turn and queue limit a plan counts against)', () => {
  it('keys a signed-in user by name, whether by cookie or by token, wherever they call from', () => {
    const cookie = requesterOf(req('10.0.0.1'), res({ kind: 'user', username: 'ana', role: 'planner' }));
    const token = requesterOf(req('10.0.0.2'), res({ kind: 'token', username: 'ana', role: 'planner', tokenId: '0123456789abcdef' }));
    expect(cookie).toBe('user:ana');
    expect(token).toBe(cookie);
    expect(requesterOf(req('10.0.0.1'), res({ kind: 'user', username: 'bo', role: 'viewer' }))).not.toBe(cookie);
  });

  it('keys anonymous demo visitors by client address', () => {
    const anonymous: Principal = { kind: 'anonymous', username: null, role: 'viewer' };
    expect(requesterOf(req('203.0.113.7'), res(anonymous))).toBe('address:203.0.113.7');
    expect(requesterOf(req('203.0.113.8'), res(anonymous))).not.toBe(requesterOf(req('203.0.113.7'), res(anonymous)));
    expect(requesterOf(req('203.0.113.7'), res(null))).toBe('address:203.0.113.7');
  });
});
