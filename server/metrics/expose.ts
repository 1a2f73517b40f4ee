import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { MetricsConfig } from '../config/metrics-schema.js';
import { createServerMetrics, type MetricSources, type ServerMetrics } from './server-metrics.js';

export interface MetricsEndpoint {
  /** Mounts GET /metrics (token only) and the HTTP latency timer on the main app; call before the auth guard. */
  mount(app: Express): void;
  timePlans: ServerMetrics['timePlans'];
  /** Starts the separate listener when `metrics.port` is set; resolves to its URL (null without one). */
  listen(): Promise<string | null>;
  close(): Promise<void>;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time comparison of the request's bearer token with the configured one. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1] as string), digest(token));
}

function sendJson(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...extra });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * Prometheus exposition (prom-client) where the config asks for it: `metrics.token` serves /metrics on the main
 * port to `Authorization: Bearer <token>` only; `metrics.port` opens a listener of its own on `metrics.host`. With
 * neither nothing is collected, and /metrics on the main port is a 404 (never the app shell).
 */
export function setupMetrics(config: MetricsConfig, sources: MetricSources, log: Pick<Logger, 'info'>): MetricsEndpoint {
  const enabled = config.token !== undefined || config.port !== undefined;
  const metrics = enabled ? createServerMetrics(sources) : null;
  let listener: Server | null = null;

  /** Answers GET /metrics; `tokenRequired` on the main port (a token is always required there). */
  async function serve(req: IncomingMessage, res: ServerResponse, tokenRequired: boolean): Promise<void> {
    if (!metrics || (tokenRequired && config.token === undefined)) {
      return sendJson(res, 404, 'not_found', 'metrics are not served here (set metrics.token, or metrics.port for a listener of its own)');
    }
    if (config.token !== undefined && !tokenMatches(req.headers.authorization, config.token)) {
      return sendJson(res, 401, 'unauthenticated', 'metrics need Authorization: Bearer <metrics.token>', { 'www-authenticate': 'Bearer realm="metrics"' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, 'method_not_allowed', 'GET /metrics');
    const body = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  return {
    mount(app) {
      if (metrics) app.use(metrics.httpTimer);
      app.all('/metrics', (req, res, next) => void serve(req, res, true).catch(next));
    },
    timePlans: metrics ? metrics.timePlans : (run) => run,
    async listen() {
      if (config.port === undefined) return null;
      const server = createServer((req, res) => {
        if (new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') return sendJson(res, 404, 'not_found', 'only /metrics is served here');
        serve(req, res, false).catch(() => sendJson(res, 500, 'internal', 'internal server error'));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      listener = server;
      const { port } = server.address() as AddressInfo;
      const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/metrics`;
      log.info({ url }, 'Prometheus metrics listener');
      return url;
    },
    async close() {
      const server = listener;
      listener = null;
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
