import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AlertEngine } from '../alerts/engine.js';
import type { FleetState } from '../fleet/state.js';
import type { Counters } from '../ingest/counters.js';
import type { HistoryStore } from '../store/types.js';

/** What the server's metrics read, at scrape time: nothing on the ingest path changes for them. */
export interface MetricSources {
  counters: Counters;
  store: HistoryStore;
  state: FleetState;
  alerts: Pick<AlertEngine, 'list'>;
}

type Labels = Record<string, string>;

/**
 * A Prometheus counter that mirrors a running total kept elsewhere (ingest counters, store counts): at each scrape it
 * adds what grew since the last one, so the exposed type is a real counter (rate() works) without touching the
 * code that counts.
 */
function mirrorCounter(registry: Registry, name: string, help: string, labelNames: string[], read: () => Iterable<[Labels, number]>): void {
  const seen = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [labels, value] of read()) {
        const key = JSON.stringify(labels);
        const grown = value - (seen.get(key) ?? 0);
        this.inc(labels, Math.max(0, grown)); // 0 too: a series exists (at 0) from the first scrape
        seen.set(key, Math.max(value, seen.get(key) ?? 0));
      }
    },
  });
}

function gauge(registry: Registry, name: string, help: string, labelNames: string[], read: () => Iterable<[Labels, number | null | undefined]>): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset(); // sites and alert kinds come and go: a series no longer read is no longer exposed
      for (const [labels, value] of read()) if (value !== null && value !== undefined && Number.isFinite(value)) this.set(labels, value);
    },
  });
}

/** Seconds buckets for API requests: most answer in milliseconds, a plan may take up to its two-minute timeout. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];
const PLAN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 60, 120];

export interface ServerMetrics {
  registry: Registry;
  /** Times every HTTP request by method, route pattern (never the raw path: bounded labels) and status. */
  httpTimer: RequestHandler;
  /** Wraps a plan runner so each run's duration is observed with its outcome. */
  timePlans<A extends unknown[], R>(run: (...args: A) => Promise<R>): (...args: A) => Promise<R>;
}

/** The route an express request matched, as its pattern; static files and the app shell as one label each. */
function routeLabel(req: Parameters<RequestHandler>[0]): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  if (req.path.startsWith('/api/')) return '/api (no route)';
  if (req.path === '/metrics') return '/metrics';
  return '(web app)';
}

export function createServerMetrics(sources: MetricSources): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { counters, store, state, alerts } = sources;

  // Ingest (server/ingest/counters.ts; reasons as in the README's wire contract).
  mirrorCounter(registry, 'rigline_ingest_messages_received_total', 'MQTT messages received by ingest', [], () => [[{}, counters.received]]);
  mirrorCounter(registry, 'rigline_ingest_samples_stored_total', 'Samples handed to the history store', [], () => [[{}, counters.stored]]);
  mirrorCounter(registry, 'rigline_ingest_rejected_total', 'Messages or samples refused by ingest, by reason', ['reason'], () =>
    Object.entries(counters.snapshot().invalid).map(([reason, n]): [Labels, number] => [{ reason }, n]),
  );

  // History store: buffer, writes, drops and publish → stored lag (InfluxDB adapter).
  const storeStats = (): ReturnType<HistoryStore['stats']> & { capacity?: number; lag_ms?: { p50: number | null; p99: number | null; max: number | null } } =>
    store.stats();
  gauge(registry, 'rigline_store_buffered_samples', 'Samples accepted by the store and not yet durable', ['store'], () => [[{ store: store.stats().kind }, store.stats().buffered]]);
  gauge(registry, 'rigline_store_buffer_capacity_samples', 'Samples the store buffers at most before dropping', ['store'], () => [[{ store: store.stats().kind }, storeStats().capacity]]);
  mirrorCounter(registry, 'rigline_store_written_samples_total', 'Samples written durably by the store', ['store'], () => [[{ store: store.stats().kind }, store.stats().written]]);
  mirrorCounter(registry, 'rigline_store_dropped_samples_total', 'Samples the store could not keep (buffer overflow, outage)', ['store'], () => [[{ store: store.stats().kind }, store.stats().dropped]]);
  gauge(registry, 'rigline_store_write_lag_seconds', 'Sample timestamp to durable write, over recent writes', ['store', 'stat'], () => {
    const s = storeStats();
    const lag = s.lag_ms;
    if (!lag) return [];
    return (['p50', 'p99', 'max'] as const).map((stat): [Labels, number | null] => [{ store: s.kind, stat }, lag[stat] === null ? null : lag[stat] / 1000]);
  });

  // Fleet, per site (dozens of sites: bounded).
  gauge(registry, 'rigline_site_rigs', 'Rigs per site by status', ['site', 'status'], () =>
    state.sites().flatMap((s): [Labels, number][] =>
      (['online', 'degraded', 'offline'] as const).map((status) => [{ site: s.id, status }, s.rigs[status]]),
    ),
  );
  gauge(registry, 'rigline_site_hashrate_ths', 'Live hashrate per site, TH/s', ['site'], () => state.sites().map((s): [Labels, number] => [{ site: s.id }, s.hashrate_ths]));
  gauge(registry, 'rigline_site_power_kw', 'Power per site, kW', ['site'], () => state.sites().map((s): [Labels, number] => [{ site: s.id }, s.power_kw]));
  gauge(registry, 'rigline_site_efficiency_jth', 'Efficiency per site, J/TH', ['site'], () => state.sites().map((s): [Labels, number | null] => [{ site: s.id }, s.efficiency_jth]));
  gauge(registry, 'rigline_site_gpus', 'GPUs per site by state', ['site', 'state'], () =>
    state.sites().flatMap((s): [Labels, number][] => [
      [{ site: s.id, state: 'total' }, s.gpus.total],
      [{ site: s.id, state: 'online' }, s.gpus.online],
    ]),
  );
  gauge(registry, 'rigline_site_gpu_utilization_percent', 'Mean GPU utilization per site, %', ['site'], () =>
    state.sites().map((s): [Labels, number | null] => [{ site: s.id }, s.gpus.utilization_pct]),
  );

  // Alerts that are open or acknowledged, by state, severity and kind.
  gauge(registry, 'rigline_alerts', 'Active alerts by state, severity and kind', ['state', 'severity', 'kind'], () => {
    const counts = new Map<string, number>();
    for (const a of alerts.list({ state: 'active' })) {
      const key = JSON.stringify({ state: a.state, severity: a.severity, kind: a.kind });
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].map(([key, n]): [Labels, number] => [JSON.parse(key) as Labels, n]);
  });

  const planDuration = new Histogram({
    name: 'rigline_plan_duration_seconds',
    help: 'Planner runs (POST /api/plan, saved plans) by outcome',
    labelNames: ['outcome'],
    buckets: PLAN_BUCKETS,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'rigline_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });

  return {
    registry,
    httpTimer: (req, res, next) => {
      const end = httpDuration.startTimer();
      res.once('finish', () => end({ method: req.method, route: routeLabel(req), status_code: String(res.statusCode) }));
      next();
    },
    timePlans(run) {
      return async (...args) => {
        const end = planDuration.startTimer();
        try {
          const result = await run(...args);
          end({ outcome: 'ok' });
          return result;
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          end({ outcome: code === 'plan_timeout' ? 'timeout' : code === 'invalid_plan' ? 'invalid' : code === 'plan_busy' ? 'busy' : 'error' });
          throw err;
        }
      };
    },
  };
}
