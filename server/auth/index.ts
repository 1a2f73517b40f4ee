import { readFileSync } from 'node:fs';
import type { Express } from 'express';
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
  /** Headers, rate limits, authentication, route guard, login page and /api/auth + /api/admin routes. */
  mount(app: Express): void;
  sockets(io: Server): void;
  close(): void;
}

/** Everything issue 7 adds to the composition root, in one call so app.ts stays small. */
export function setupSecurity(config: Config, counters: Counters): Security {
  const store = new CredentialStore(config.auth.credentials_file);
  store.watch();
  const identity = new Identity(store, config.auth);
  const brokerAuth = new BrokerAuth(store, (reason) => counters.reject(reason));
  const ownership = new RigOwnership(store);
  const tls = config.server.tls;
  const https = tls
    ? { cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file), ca: tls.ca_file ? readFileSync(tls.ca_file) : undefined }
    : null;
  const limits = rateLimits(config.auth.rate_limit.login_per_minute, config.auth.rate_limit.api_per_minute);
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
      app.use(guard);
      app.get('/login', loginPage);
      app.use(loginRedirect(identity));
      app.use('/api', authRoutes(identity, store, config, https !== null));
    },
    sockets(io) {
      authenticateSockets(io, identity);
    },
    close() {
      store.close();
    },
  };
}
