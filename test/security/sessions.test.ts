import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rigline } from '../../server/app.js';
import { hashPassword } from '../../server/auth/secrets.js';
import { startTestServer } from '../helpers/server.js';

/**
 * Finding 5 of issue 10: a revoked token's or deleted user's socket.io connection kept receiving fleet pushes, and a
 * cookie still worked after logout. Each way a session ends must end it at once, for HTTP and for open sockets.
 */
const PASSWORD = 'correct horse battery staple';

describe('ending sessions', () => {
  let rigline: Rigline;
  let adminToken: string;
  const sockets: Socket[] = [];

  const call = (method: string, path: string, init: { token?: string; cookie?: string; body?: unknown } = {}): Promise<Response> =>
    fetch(`${rigline.httpUrl}${path}`, {
      method,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });

  const login = async (username: string): Promise<string> => {
    const res = await call('POST', '/api/auth/login', { body: { username, password: PASSWORD } });
    expect(res.status).toBe(200);
    return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  };

  /** A connected socket and a promise of the reason it is disconnected for. */
  const openSocket = async (init: { cookie?: string; token?: string }): Promise<{ socket: Socket; ended: Promise<string> }> => {
    const socket = connectSocket(rigline.httpUrl, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: init.cookie ? { cookie: init.cookie } : undefined,
      auth: init.token ? { token: init.token } : undefined,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return { socket, ended: new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason))) };
  };

  beforeAll(async () => {
    rigline = await startTestServer({ auth: { anonymous: 'none' } });
    const { store, identity } = rigline.security;
    const hash = hashPassword(PASSWORD, 1000);
    for (const [username, role] of [
      ['root', 'admin'],
      ['alice', 'operator'],
      ['bob', 'viewer'],
      ['carol', 'planner'],
      ['dave', 'viewer'],
    ] as const) {
      store.putUser({ username, role, hash, created: new Date().toISOString() });
    }
    adminToken = identity.issueToken(identity.person('root')!, 'admin', 'admin script').token;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await rigline?.stop();
  });

  it('logout ends the session: a saved copy of the cookie stops working and its socket is disconnected', async () => {
    const cookie = await login('alice');
    const other = await login('alice'); // the same person on another device keeps theirs
    const { ended } = await openSocket({ cookie });
    expect((await call('POST', '/api/auth/logout', { cookie })).status).toBe(204);
    expect(await ended).toBe('io server disconnect');
    expect((await call('GET', '/api/fleet', { cookie })).status).toBe(401);
    expect((await call('GET', '/api/fleet', { cookie: other })).status).toBe(200);
  });

  it('revoking a token disconnects the sockets that use it', async () => {
    const cookie = await login('carol');
    const created = (await (await call('POST', '/api/auth/tokens', { cookie, body: { name: 'wallboard' } })).json()) as { id: string; token: string };
    const { ended } = await openSocket({ token: created.token });
    const untouched = await openSocket({ cookie });
    expect((await call('DELETE', `/api/auth/tokens/${created.id}`, { cookie })).status).toBe(204);
    expect(await ended).toBe('io server disconnect');
    expect(untouched.socket.connected).toBe(true);
  });

  it('deleting a user ends their sessions and disconnects their sockets', async () => {
    const cookie = await login('bob');
    const { ended } = await openSocket({ cookie });
    expect((await call('DELETE', '/api/admin/users/bob', { token: adminToken })).status).toBe(204);
    expect(await ended).toBe('io server disconnect');
    expect((await call('GET', '/api/fleet', { cookie })).status).toBe(401);
  });

  it('demoting a user ends their sessions and disconnects their sockets', async () => {
    const cookie = await login('dave');
    expect((await call('POST', '/api/admin/users', { token: adminToken, body: { username: 'dave', role: 'admin', password: PASSWORD } })).status).toBe(201);
    // Promotion needs a new login too (the old cookie was for a viewer).
    expect((await call('GET', '/api/admin/users', { cookie })).status).toBe(401);
    const adminCookie = await login('dave');
    const { ended } = await openSocket({ cookie: adminCookie });
    expect((await call('POST', '/api/admin/users', { token: adminToken, body: { username: 'dave', role: 'viewer', password: PASSWORD } })).status).toBe(201);
    expect(await ended).toBe('io server disconnect');
    expect((await call('GET', '/api/admin/users', { cookie: adminCookie })).status).toBe(401);
  });
});
