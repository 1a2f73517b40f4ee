import type { Request, RequestHandler, Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { ApiError } from '../api/errors.js';
import type { Identity, Principal } from './identity.js';
import { can, type Permission } from './roles.js';
import { requirementsFor } from './route-policy.js';

export function principalOf(res: Response): Principal | null {
  return (res.locals.principal as Principal | null | undefined) ?? null;
}

/**
 * Secure headers (helmet). HSTS and upgrade-insecure-requests only when this server serves HTTPS itself: on a plain
 * http:// demo they would make browsers refuse the page.
 */
export function secureHeaders(https: boolean): RequestHandler {
  return helmet({
    strictTransportSecurity: https,
    contentSecurityPolicy: {
      directives: { upgradeInsecureRequests: https ? [] : null, connectSrc: ["'self'", 'ws:', 'wss:'] },
    },
  });
}

const limited = (code: string, message: string): RequestHandler => (_req, _res, next) => next(new ApiError(429, code, message));

/** Set by the login route on a failed attempt: a failed form login answers 303 like a good one. */
export const LOGIN_FAILED = 'loginFailed';

/** A form post (the /login page) is answered with a page to go to; a script gets JSON. */
const isFormPost = (req: Request): boolean => Boolean(req.is('urlencoded'));

/**
 * Per client address; the login limiter counts failed attempts only, so a user who logs in is not held back. A failed
 * attempt is a 4xx/5xx (JSON) or one the route marks as failed (the form's 303 back to /login?failed=1).
 */
export function rateLimits(loginPerMinute: number, apiPerMinute: number): { login: RequestHandler; api: RequestHandler } {
  return {
    login: rateLimit({
      windowMs: 60_000,
      limit: loginPerMinute,
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode < 400 && res.locals[LOGIN_FAILED] !== true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res, next) => {
        if (isFormPost(req)) res.redirect(303, '/login?limited=1');
        else limited('rate_limited', 'too many login attempts; wait a minute')(req, res, next);
      },
    }),
    api: rateLimit({
      windowMs: 60_000,
      limit: apiPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res, next) => limited('rate_limited', 'too many requests; slow down')(req, res, next),
    }),
  };
}

/** Resolves who is calling (cookie session, bearer token or anonymous role) into res.locals.principal. */
export function authenticate(identity: Identity): RequestHandler {
  return (req, res, next) => {
    const resolution = identity.resolve(req.headers.cookie, req.headers.authorization);
    if ('invalid' in resolution && /^\/api(\/|$)/i.test(req.path)) {
      next(new ApiError(401, 'invalid_credentials', resolution.invalid));
      return;
    }
    res.locals.principal = identity.principalOf(resolution);
    next();
  };
}

/**
 * Enforces ROUTE_POLICY on the API router it is mounted first in: 404 when no route would handle the request (before
 * any handler or credential check), 401 without a principal, 403 when the role lacks a permission the route needs.
 * The routes are looked up with the router's own matching (route-policy.ts), so every spelling the router accepts
 * is judged as the route it reaches.
 */
export function guard(api: Router): RequestHandler {
  return (req, res, next) => {
    const requirements = requirementsFor(api, req.method, req.path);
    if (requirements === null) {
      next(new ApiError(404, 'not_found', `no route ${req.method} ${req.baseUrl}${req.path}`));
      return;
    }
    const needed = requirements.filter((r): r is Permission => r !== 'public');
    if (needed.length === 0) {
      next();
      return;
    }
    const principal = principalOf(res);
    if (!principal) {
      next(new ApiError(401, 'unauthenticated', 'log in or send Authorization: Bearer <token>'));
      return;
    }
    const missing = needed.find((permission) => !can(principal.role, permission));
    if (missing) {
      next(new ApiError(403, 'forbidden', `role ${principal.role} may not ${req.method} ${req.baseUrl}${req.path} (needs ${missing})`));
      return;
    }
    next();
  };
}

/** When login is required, page visits without a session go to the login page (API calls get 401 JSON instead). */
export function loginRedirect(identity: Identity): RequestHandler {
  return (req, res, next) => {
    const page = req.method === 'GET' && !/^\/(api|socket\.io|login|assets)(\/|$)/i.test(req.path);
    if (page && !principalOf(res) && identity.anonymousRole === null && req.accepts('html')) {
      res.redirect(303, '/login');
      return;
    }
    next();
  };
}
