import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { SiteId } from '../contract/ids.js';
import { ApiError } from '../api/errors.js';
import { pageOf, parsePage } from '../api/paging.js';
import type { Config } from '../config/schema.js';
import { describeAgent, issueAgent } from './agents.js';
import { LOGIN_FAILED, principalOf } from './http-guard.js';
import { LoginThrottle } from './login-throttle.js';
import type { Identity, Principal } from './identity.js';
import { writeMosquittoFiles } from './mosquitto-files.js';
import { ROLES } from './roles.js';
import { USER_ITERATIONS, hashPassword } from './secrets.js';
import { SESSION_COOKIE } from './sessions.js';
import type { CredentialStore } from './store.js';

const Username = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/, 'letters, digits, . _ -, 1 to 64 characters');
const Login = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
const NewToken = z.object({ name: z.string().min(1).max(128), role: z.enum(ROLES).optional() });
const NewAgent = z.object({
  username: Username,
  kind: z.enum(['agent', 'ingest']).default('agent'),
  site: z.string().optional(),
  rigs: z.array(z.string()).max(100_000).optional(),
});
/** Active (unrevoked) API tokens one user may hold: each is a standing credential, and the list must stay small. */
export const MAX_ACTIVE_TOKENS_PER_USER = 100;
const NewUser = z.object({ username: Username, role: z.enum(ROLES), password: z.string().min(12).max(1024), sites: z.array(SiteId).max(10_000).optional() });

function body<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(400, 'invalid_body', issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body');
  }
  return parsed.data;
}

function who(res: Response): Principal {
  const principal = principalOf(res);
  if (!principal?.username) throw new ApiError(401, 'unauthenticated', 'log in first');
  return principal;
}

/** /api/auth (login, logout, me, own API tokens) and /api/admin (agents, users). Guarded by ROUTE_POLICY. */
export function authRoutes(identity: Identity, store: CredentialStore, config: Config, https: boolean): Router {
  const router = Router();
  const secure = config.auth.cookie_secure === 'auto' ? https : config.auth.cookie_secure;
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  // Mounted before the app's own body parser (the guard runs first): parse what these routes need.
  router.use(['/auth', '/admin'], express.json({ limit: '1mb' }));

  const throttle = new LoginThrottle(config.auth.rate_limit.login_per_minute, config.auth.rate_limit.login_lockout_max_s * 1000);
  router.post('/auth/login', form, (req, res) => {
    const fromForm = Boolean(req.is('urlencoded'));
    const { username, password } = body(Login, req.body);
    const address = req.ip ?? 'unknown';
    const waitMs = throttle.retryAfterMs(username, address);
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      if (fromForm) return res.redirect(303, '/login?limited=1');
      throw new ApiError(429, 'rate_limited', `too many failed logins for ${username} from this address; try again in ${Math.ceil(waitMs / 1000)} s`);
    }
    const person = identity.login(username, password);
    if (!person) {
      throttle.failed(username, address);
      // Marked so the per-address limiter counts it: the 303 alone reads as a success (http-guard.ts).
      res.locals[LOGIN_FAILED] = true;
      if (fromForm) return res.redirect(303, '/login?failed=1');
      throw new ApiError(401, 'bad_credentials', 'unknown user or wrong password');
    }
    throttle.succeeded(username, address);
    const { value, session } = identity.sessions.issue(person.username, person.role);
    res.cookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: identity.sessions.ttlMs });
    if (fromForm) return res.redirect(303, '/');
    res.json({ username: person.username, role: person.role, expires: new Date(session.expiresMs).toISOString() });
  });

  router.post('/auth/logout', (_req, res) => {
    // The session ends on the server too: a copy of the cookie no longer works, and its sockets are closed.
    const session = principalOf(res)?.session;
    if (session) store.revokeSession(session.id, session.expiresMs);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
    res.status(204).end();
  });

  router.get('/auth/me', (_req, res) => {
    const principal = principalOf(res);
    res.json(principal ? { kind: principal.kind, username: principal.username, role: principal.role } : { kind: 'none', role: null });
  });

  // The admin lists could only grow by admin action, but are paged like every list (contract/paging.ts).
  router.get('/auth/tokens', (req, res) => {
    const me = who(res);
    const page = parsePage('tokens', req.query);
    const mine = store.tokens().filter((t) => me.role === 'admin' || t.username === me.username);
    res.json(pageOf(res, mine, page).map(({ digest: _digest, ...rest }) => rest));
  });

  router.post('/auth/tokens', (req, res) => {
    const me = who(res);
    const owner = identity.person(me.username as string);
    if (!owner || me.kind === 'token') throw new ApiError(403, 'session_required', 'tokens are created by a logged-in person');
    const request = body(NewToken, req.body);
    const active = store.tokens().filter((t) => t.username === owner.username && !t.revoked).length;
    if (active >= MAX_ACTIVE_TOKENS_PER_USER) {
      throw new ApiError(409, 'too_many_tokens', `${owner.username} already holds ${active} active tokens (at most ${MAX_ACTIVE_TOKENS_PER_USER}); revoke one first`);
    }
    const { id, token } = identity.issueToken(owner, request.role ?? owner.role, request.name);
    res.status(201).json({ id, token, role: store.token(id)?.role, note: 'the token is shown only once' });
  });

  router.delete('/auth/tokens/:id', (req, res) => {
    const me = who(res);
    const token = store.token(req.params.id);
    if (!token || (me.role !== 'admin' && token.username !== me.username)) throw new ApiError(404, 'token_not_found', `no token ${req.params.id}`);
    store.revokeToken(token.id);
    res.status(204).end();
  });

  const mosquittoFiles = (): void => {
    if (config.auth.credentials_file) writeMosquittoFiles(store, config.auth.mosquitto.password_file, config.auth.mosquitto.acl_file);
  };

  router.get('/admin/agents', (req, res) => res.json(pageOf(res, store.agents(), parsePage('agents', req.query)).map(describeAgent)));
  router.post('/admin/agents', (req, res) => {
    const request = body(NewAgent, req.body);
    try {
      const { record, password } = issueAgent(store, request);
      mosquittoFiles();
      res.status(201).json({ ...describeAgent(record), password, note: 'the password is shown only once' });
    } catch (err) {
      throw new ApiError(400, 'invalid_body', (err as Error).message);
    }
  });
  router.delete('/admin/agents/:username', (req, res) => {
    if (!store.revokeAgent(req.params.username)) throw new ApiError(404, 'agent_not_found', `no active agent ${req.params.username}`);
    mosquittoFiles();
    res.status(204).end();
  });

  router.get('/admin/users', (req, res) => res.json(pageOf(res, store.users(), parsePage('users', req.query)).map(({ hash: _hash, ...rest }) => rest)));
  router.post('/admin/users', (req, res) => {
    const request = body(NewUser, req.body);
    store.putUser({ username: request.username, role: request.role, hash: hashPassword(request.password, USER_ITERATIONS), created: new Date().toISOString(), sites: request.sites ?? null });
    res.status(201).json({ username: request.username, role: request.role, sites: request.sites ?? null });
  });
  router.delete('/admin/users/:username', (req, res) => {
    if (!store.deleteUser(req.params.username)) throw new ApiError(404, 'user_not_found', `no user ${req.params.username}`);
    res.status(204).end();
  });

  return router;
}
