import { readFileSync } from 'node:fs';
import { Router, type Express } from 'express';
import type { Server } from 'socket.io';
import type { Config } from '../config/schema.js';
import type { Counters } from '../ingest/counters.js';
import { authRoutes } from './auth-routes.js';
import { BrokerAuth } from './broker-auth.js';
import { authenticate, guard, loginRedirect, rateLimits, secureHeaders } from './http-guard.js';
import { Identity } from './identity.js';
import { loginPage } from './login-page.js';
import { authenticateSockets } from './socket-auth.js';
import { RigOwnership } from './ownership.js';
import { registeredRoutes, type RegisteredRoute } from './route-policy.js';
import { CredentialStore } from './store.js';

/** Secrets pino must never print (pino `redact` paths): credentials in configs, requests and our own objects. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'hash',
  '*.hash',
  'session_secret',
  '*.session_secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export interface Security {
  store: CredentialStore;
  identity: Identity;
  brokerAuth: BrokerAuth;
  /** Ingest-side check that a rig agent's topic carries only its own rigs (any broker; ownership.ts). */
  ownership: RigOwnership;
  https: { cert: Buffer; key: Buffer; ca?: Buffer } | null;
  /**
   * Headers, rate limits, authentication and the login page on the app; returns the /api router, which starts with
   * the route guard and the /api/auth + /api/admin routes. Every API route goes on it (app.ts): the guard judges
   * each request by the route of that router that will handle it (route-policy.ts).
   */
  mount(app: Express): Router;
  /** Every route on the /api router, as registered (`/api/admin/users/:username`): the route table test reads it. */
  apiRoutes(): RegisteredRoute[];
  sockets(io: Server): void;
  close(): void;
}

/** Everything issue 7 adds to the composition root, in one call so app.ts stays small. */
export function setupSecurity(config: Config, counters: Counters): Security {
  const store = new CredentialStore(config.auth.credentials_file);
  store.watch();
  const identity = new Identity(store, config.auth);
  const brokerAuth = new BrokerAuth(store, (reason) => counters.reject(reason), config.mqtt.client_id);
  const ownership = new RigOwnership(store);
  const tls = config.server.tls;
  const https = tls
    ? { cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file), ca: tls.ca_file ? readFileSync(tls.ca_file) : undefined }
    : null;
  let api: Router | null = null;
  const limits = rateLimits(config.auth.rate_limit.login_per_address_per_minute, config.auth.rate_limit.api_per_minute);
  return {
    store,
    identity,
    brokerAuth,
    ownership,
    https,
    mount(app) {
      app.use(secureHeaders(https !== null));
      app.use('/api/auth/login', limits.login);
      app.use('/api', limits.api);
      app.use(authenticate(identity));
      app.get('/login', loginPage);
      app.use(loginRedirect(identity));
      const router = Router();
      app.use('/api', router);
      router.use(guard(router));
      router.use(authRoutes(identity, store, config, https !== null));
      api = router;
      return router;
    },
    apiRoutes() {
      return api ? registeredRoutes(api).map((route) => ({ ...route, pattern: `/api${route.pattern}` })) : [];
    },
    sockets(io) {
      authenticateSockets(io, identity, store);
    },
    close() {
      store.close();
    },
  };
}
