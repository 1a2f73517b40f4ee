import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rigline } from '../../server/app.js';
import { issueAgent } from '../../server/auth/agents.js';
import { ROLES, type Role } from '../../server/auth/roles.js';
import { hashPassword } from '../../server/auth/secrets.js';
import { startTestServer } from '../helpers/server.js';

/**
 * Every registered API route × every spelling an attacker might try × every kind of caller, against the real
 * server. Expected outcomes are written out here, not derived from the policy code: a route added without a row
 * fails the first test, so the table stays the whole truth.
 */
type Caller = 'anonymous' | Role | 'agent';
const CALLERS: readonly Caller[] = ['anonymous', ...ROLES, 'agent'];
const ALL = ROLES;
const PUBLIC = 'public' as const;

const EXPECTED: Record<string, readonly Role[] | typeof PUBLIC> = {
  'POST /api/auth/login': PUBLIC,
  'POST /api/auth/logout': PUBLIC,
  'GET /api/auth/me': PUBLIC,
  'GET /api/auth/tokens': ALL,
  'POST /api/auth/tokens': ALL,
  'DELETE /api/auth/tokens/:id': ALL,
  'GET /api/admin/agents': ['admin'],
  'POST /api/admin/agents': ['admin'],
  'DELETE /api/admin/agents/:username': ['admin'],
  'GET /api/admin/users': ['admin'],
  'POST /api/admin/users': ['admin'],
  'DELETE /api/admin/users/:username': ['admin'],
  'GET /api/admin/rigs/:rig/site': ['admin'],
  'PUT /api/admin/rigs/:rig/site': ['admin'],
  'GET /api/health': ALL,
  'GET /api/fleet': ALL,
  'GET /api/sites': ALL,
  'GET /api/sites/:id': ALL,
  'GET /api/rigs': ALL,
  'GET /api/rigs/:id': ALL,
  'GET /api/sites/:id/series': ALL,
  'GET /api/rigs/:id/series': ALL,
  'GET /api/sites/:id/rigs': ALL,
  'GET /api/alerts/stats': ALL,
  'GET /api/alerts': ALL,
  'GET /api/alerts/:id': ALL,
  'POST /api/alerts/:id/ack': ['operator', 'admin'],
  'POST /api/alerts/:id/resolve': ['operator', 'admin'],
  'GET /api/plan/baseline': ALL,
  'POST /api/plan': ALL,
  'GET /api/plans': ALL,
  'GET /api/plans/:id': ALL,
  'POST /api/plans': ['planner', 'admin'],
  'DELETE /api/plans/:id': ['planner', 'admin'],
  // Issue 11: component history, CSV, the alert workflow.
  'GET /api/rigs/:id/components': ALL,
  'GET /api/sites/:id/rigs.csv': ALL,
  'POST /api/alerts/ack': ['operator', 'admin'],
  'POST /api/alerts/resolve': ['operator', 'admin'],
  'POST /api/alerts/:id/notes': ['operator', 'admin'],
  'GET /api/alerts/silences': ALL,
  'POST /api/alerts/silences': ['operator', 'admin'],
  'DELETE /api/alerts/silences/:id': ['operator', 'admin'],
  // Issue 15: live economics.
  'GET /api/economics': ALL,
  // Issue 14: operator actions, bulk runs and curtailment (per-site limits are checked by the handler).
  'POST /api/rigs/:id/actions': ['operator', 'admin'],
  'POST /api/sites/:id/actions': ['operator', 'admin'],
  'GET /api/actions/bulk': ALL,
  'GET /api/actions/bulk/:bulk': ALL,
  'POST /api/actions/bulk/:bulk/cancel': ['operator', 'admin'],
  'GET /api/actions': ALL,
  'GET /api/actions/:action': ALL,
  'GET /api/sites/:id/curtailment': ALL,
  'PUT /api/sites/:id/curtailment': ['operator', 'admin'],
  'DELETE /api/sites/:id/curtailment': ['operator', 'admin'],
};

type Outcome = 'handler' | 'unauthenticated' | 'forbidden' | 'not_found' | 'invalid_credentials';

/** The path with its parameters filled in; `literal` rewrites each literal segment (the spelling under test). */
function concrete(pattern: string, literal: (segment: string, index: number) => string = (s) => s): string {
  let index = 0;
  return pattern
    .split('/')
    .map((segment) => (segment === '' ? '' : segment.startsWith(':') ? 'x1' : literal(segment, index++)))
    .join('/');
}

const swapCase = (s: string): string => [...s].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join('');

/** Spellings of one route and whether the router reaches the same route ('same') or none ('not_found'). */
function spellings(pattern: string): { name: string; path: string; expect: 'same' | 'not_found' }[] {
  const canonical = concrete(pattern);
  const rest = canonical.slice('/api'.length);
  const firstLiteral = (edit: (s: string) => string) => concrete(pattern, (s, i) => (i === 1 ? edit(s) : s));
  return [
    { name: 'canonical', path: canonical, expect: 'same' },
    { name: 'upper case', path: concrete(pattern, (s) => s.toUpperCase()), expect: 'same' },
    { name: 'mixed case', path: concrete(pattern, swapCase), expect: 'same' },
    { name: 'trailing slash', path: `${canonical}/`, expect: 'same' },
    { name: 'doubled slash', path: `/api/${rest}`, expect: 'not_found' },
    { name: 'percent-encoded letter', path: firstLiteral((s) => `%${s.charCodeAt(0).toString(16)}${s.slice(1)}`), expect: 'not_found' },
    { name: 'dot segment', path: `/api/zz/..${rest}`, expect: 'not_found' },
    { name: 'single dot segment', path: `/api/.${rest}`, expect: 'not_found' },
    { name: '; parameter', path: firstLiteral((s) => `${s};a=b`), expect: 'not_found' },
  ];
}

const PASSWORD = 'correct horse battery staple';

describe('route × spelling × caller table', () => {
  let rigline: Rigline;
  let routes: { method: string; pattern: string }[];
  const headers = new Map<Caller, Record<string, string>>();
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });

  beforeAll(async () => {
    rigline = await startTestServer({ auth: { anonymous: 'none' } });
    const { store, identity } = rigline.security;
    const hash = hashPassword(PASSWORD, 1000);
    headers.set('anonymous', {});
    for (const role of ROLES) {
      store.putUser({ username: `${role}-user`, role, hash, created: new Date().toISOString() });
      headers.set(role, { authorization: `Bearer ${identity.issueToken(identity.person(`${role}-user`)!, role, role).token}` });
    }
    // An MQTT agent's credential is not an API credential, in any form.
    const { password } = issueAgent(store, { username: 'ctl-a', kind: 'agent', site: 'site-a' });
    headers.set('agent', { authorization: `Bearer ${password}` });
    routes = rigline.security.apiRoutes().flatMap((r) => r.methods.map((method) => ({ method, pattern: r.pattern })));
  });
  afterAll(async () => {
    agent.destroy();
    await rigline?.stop();
  });

  const send = (method: string, path: string, caller: Caller): Promise<{ status: number; code: string | null }> =>
    new Promise((resolve, reject) => {
      const url = new URL(rigline.httpUrl);
      const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
      const req = request(
        { host: url.hostname, port: url.port, method, path, agent, headers: { ...headers.get(caller), ...(body ? { 'content-type': 'application/json' } : {}) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            let code: string | null;
            try {
              code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
            } catch {
              code = null;
            }
            resolve({ status: res.statusCode ?? 0, code });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const outcomeOf = ({ status, code }: { status: number; code: string | null }): Outcome => {
    if (status === 401 && code === 'unauthenticated') return 'unauthenticated';
    if (status === 401 && code === 'invalid_credentials') return 'invalid_credentials';
    if (status === 403 && code === 'forbidden') return 'forbidden';
    if (status === 404 && code === 'not_found') return 'not_found';
    return 'handler';
  };

  const canonicalOutcome = (key: string, caller: Caller): Outcome => {
    const allowed = EXPECTED[key];
    if (caller === 'agent') return 'invalid_credentials';
    if (allowed === PUBLIC) return 'handler';
    if (caller === 'anonymous') return 'unauthenticated';
    return allowed?.includes(caller) ? 'handler' : 'forbidden';
  };

  it('has an expected row for every registered API route, and every row is registered', () => {
    const keys = routes.map((r) => `${r.method} ${r.pattern}`);
    expect(keys.filter((k) => !(k in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('answers every route, spelling and caller as the table says', async () => {
    const cases = routes.flatMap(({ method, pattern }) =>
      spellings(pattern).flatMap((spelling) =>
        CALLERS.map((caller) => {
          const expected: Outcome =
            caller === 'agent' ? 'invalid_credentials' : spelling.expect === 'same' ? canonicalOutcome(`${method} ${pattern}`, caller) : 'not_found';
          return { method, path: spelling.path, name: spelling.name, caller, expected };
        }),
      ),
    );
    const mismatches: string[] = [];
    // Eight at a time over keep-alive connections: the table is about 2,000 requests.
    for (let i = 0; i < cases.length; i += 8) {
      await Promise.all(
        cases.slice(i, i + 8).map(async (c) => {
          const got = outcomeOf(await send(c.method, c.path, c.caller));
          if (got !== c.expected) mismatches.push(`${c.caller} ${c.method} ${c.path} (${c.name}): ${got}, expected ${c.expected}`);
        }),
      );
    }
    expect(mismatches).toEqual([]);
    expect(cases.length).toBe(routes.length * 9 * CALLERS.length);
  }, 180_000);

  it('answers 404 for unknown API paths before any credential is asked for, in any case', async () => {
    for (const path of ['/api/nope', '/API/NOPE', '/api/admin', '/api/admin/', '/Api/Admin/Nope', '/api/fleet/x/y']) {
      for (const method of ['GET', 'POST', 'DELETE', 'PUT', 'PATCH']) {
        expect(outcomeOf(await send(method, path, 'anonymous')), `${method} ${path}`).toBe('not_found');
      }
    }
    // A method the route does not have is no route either.
    expect(outcomeOf(await send('PUT', '/api/fleet', 'admin'))).toBe('not_found');
  });

  it('never lets an anonymous caller create an admin, whatever the spelling', async () => {
    for (const path of ['/API/admin/users', '/api/Admin/users', '/api/ADMIN/USERS/', '/Api/admin/Users']) {
      const res = await fetch(`${rigline.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'intruder', role: 'admin', password: 'a-long-password-1' }),
      });
      expect(res.status, path).toBe(401);
    }
    expect(rigline.security.store.user('intruder')).toBeUndefined();
  });
});
