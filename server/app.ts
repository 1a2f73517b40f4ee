import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import express from 'express';
import type { Logger } from 'pino';
import { startAlerts, type AlertService } from './alerts/service.js';
import { alertRoutes } from './api/alert-routes.js';
import { alertWorkflowRoutes } from './api/alert-workflow-routes.js';
import { economicsRoutes } from './api/economics-routes.js';
import { EconomicsService } from './economics/service.js';
import { errorHandler, notFound } from './api/errors.js';
import { setupSecurity, type Security } from './auth/index.js';
import type { MqttCredentials } from './auth/broker-auth.js';
import { fleetRoutes } from './api/fleet-routes.js';
import { historyRoutes } from './api/history-routes.js';
import { planBodyParser, planRoutes, planRunner } from './api/plan-routes.js';
import { savedPlanRoutes } from './api/saved-plan-routes.js';
import { setupActions, type Actions } from './actions/index.js';
import { SavedPlans } from './plans/saved-plans.js';
import { siteRigsRoutes } from './api/site-rigs-routes.js';
import { rigOwnerRoutes } from './api/rig-owner-routes.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.js';
import type { Config } from './config/schema.js';
import { FleetState } from './fleet/state.js';
import { Counters } from './ingest/counters.js';
import { SeqDedupe } from './ingest/dedupe.js';
import { MqttIngest } from './ingest/mqtt-ingest.js';
import { SessionAdoption } from './cluster/adoption.js';
import { AlertSync } from './cluster/alert-sync.js';
import { PeerSync } from './cluster/peer-sync.js';
import { createPipeline } from './ingest/create.js';
import type { Accepted } from './ingest/pipeline.js';
import { RigSites } from './ingest/rig-sites.js';
import { compressResponses } from './http/compress.js';
import { serveWebApp } from './http/web-app.js';
import { setupMetrics } from './metrics/expose.js';
import { Broadcaster } from './realtime/broadcaster.js';
import { createStore } from './store/factory.js';
import { durationMs } from './store/influx/rollups.js';
import type { HistoryStore } from './store/types.js';

export interface Rigline {
  config: Config;
  state: FleetState;
  counters: Counters;
  /** The MQTT ingest path; `handle(topic, payload)` is what every broker message goes through. */
  ingest: MqttIngest;
  store: HistoryStore;
  broker: EmbeddedBroker | null;
  /** URL agents publish to (the embedded broker's, or the configured external one). */
  mqttUrl: string;
  /** Embedded broker only: credentials of the in-process demo simulator (may publish for any site). */
  localAgent: MqttCredentials | null;
  security: Security;
  httpUrl: string;
  http: HttpServer;
  /** The separate Prometheus listener's URL (`metrics.port`), else null. */
  metricsUrl: string | null;
  alerts: AlertService;
  /** Live money per site and fleet (GET /api/economics, socket 'economics'). */
  economics: EconomicsService;
  actions: Actions;
  stop(): Promise<void>;
}

export interface RiglineDeps {
  log: Logger;
  /** Extra site names (e.g. from the simulator) for sites the config does not list. */
  siteNames?: ReadonlyMap<string, string>;
}

/** The server's composition root: broker → ingest → fleet state → store → API and realtime. */
export async function startRigline(config: Config, deps: RiglineDeps): Promise<Rigline> {
  const { log } = deps;
  const siteNames = new Map(deps.siteNames ?? []);
  for (const site of config.sites) siteNames.set(site.id, site.name);

  const counters = new Counters();
  const dedupe = new SeqDedupe();
  const state = new FleetState({ rules: config.alerts.rules, missedIntervals: config.ingest.missed_intervals, siteNames });
  const store: HistoryStore = await createStore(config.store, log, config.mqtt.shared_group !== undefined);
  const alerts = startAlerts(config, state, log);

  const security = setupSecurity(config, counters);
  const rigSites = new RigSites(config.ingest.rig_sites_file);
  rigSites.watch();
  // Operator actions publish commands and read results on the ingest connection: the server's one MQTT identity.
  const actions = setupActions({ config, state, store: security.store, log, publisher: { publish: (topic, payload) => ingest.publish(topic, payload) } });
  const pipeline = createPipeline(config, {
    counters,
    state,
    store,
    dedupe,
    rigSites,
    log,
    agentRefusal: (site, source, samples) => security.ownership.refusal(site, source, samples),
    // Every instance judges every rig (peers' samples included), so alert state is the same on each.
    // The alert rules judge each sample once, in fleet state's rig health; the engine reuses the verdicts.
    observe: config.alerts.enabled ? (samples) => alerts.engine.observe(samples, (sample) => state.takeConditions(sample)) : undefined,
    observeStatus: (site, source, status) => actions.observeStatus(site, source, status),
  });
  let broker: EmbeddedBroker | null = null;
  let mqttUrl: string;
  // The embedded broker never accepts anonymous clients: ingest and the demo simulator get their own credentials.
  let ingestCredentials: { username?: string; password?: string } = { username: config.mqtt.username, password: config.mqtt.password };
  if (config.mqtt.mode === 'embedded') {
    const { embedded } = config.mqtt;
    // The broker refuses a message larger than ingest would take before buffering it (mqtt.max_payload_bytes).
    broker = await startEmbeddedBroker(embedded.host, embedded.port, security.brokerAuth.hooks(), embedded.tls, {
      maxPayloadBytes: config.mqtt.max_payload_bytes,
      onOversized: () => counters.reject('oversized'),
    });
    security.brokerAuth.attach(broker.aedes);
    ingestCredentials = security.brokerAuth.ingest;
    const host = config.mqtt.embedded.host === '0.0.0.0' ? '127.0.0.1' : config.mqtt.embedded.host;
    mqttUrl = `mqtt://${host}:${broker.port}`;
  } else {
    mqttUrl = config.mqtt.url as string;
  }

  const ingestFor = (clientId: string, reconnect = true): MqttIngest =>
    new MqttIngest(
      {
        url: mqttUrl,
        clientId,
        reconnect,
        ...ingestCredentials,
        sharedGroup: config.mqtt.shared_group,
        tls: config.mqtt.tls,
        maxPayloadBytes: config.mqtt.max_payload_bytes,
        // Acknowledgements wait for storage: an external broker may keep this many messages in flight to us.
        receiveMaximum: config.mqtt.mode === 'external' ? config.mqtt.receive_maximum : undefined,
        log,
        extraSubscriptions: actions.subscriptions,
        intercept: actions.intercept,
      },
      counters,
      (decoded, durable) => {
        // Checked, stored once and applied here; applied, through Redis, on every peer instance.
        const taken = pipeline.accept(decoded, durable);
        if (taken) peers?.share(taken);
      },
    );
  const ingest = ingestFor(config.mqtt.client_id);
  const applyToState = (message: Accepted): void => pipeline.apply(message);
  let peers: PeerSync | null = null;
  let alertSync: AlertSync | null = null;

  // Read before anything listens: a saved plans file that cannot be read stops the start (nothing overwritten).
  const savedPlans = new SavedPlans(config.planner.saved_plans_file, config.planner.saved_plans_max);
  const metrics = setupMetrics(config.metrics, { counters, store, state, alerts: alerts.engine }, log);
  const app = express();
  app.disable('x-powered-by');
  app.use(compressResponses());
  metrics.mount(app);
  // Every API route goes on `api`: its first handler is the route guard (auth/route-policy.ts).
  const api = security.mount(app);
  api.use(planBodyParser(config)); // the plan routes' own, larger limit (planner.max_body_bytes)
  api.use(express.json({ limit: '1mb' }));
  api.use(fleetRoutes(state, counters, store));
  api.use(historyRoutes(store, { known: (scope, id) => (scope === 'rig' ? state.rig(id) !== null : state.site(id) !== null || siteNames.has(id)) }));
  api.use(siteRigsRoutes(state));
  api.use(alertWorkflowRoutes(alerts.engine, alerts.workflow));
  api.use(alertRoutes(alerts.engine, () => alerts.notifier.stats(), alerts.workflow));
  const runPlan = metrics.timePlans(planRunner({ state, store, config }));
  api.use(planRoutes({ state, store, config }, runPlan));
  api.use(savedPlanRoutes(savedPlans, runPlan));
  api.use(rigOwnerRoutes(rigSites, log));
  const economics = new EconomicsService(state, config, log);
  api.use(economicsRoutes(economics));
  api.use(actions.routes);
  api.use(notFound);
  const webDir = resolve(config.server.web_dir);
  if (existsSync(webDir)) {
    serveWebApp(app, webDir);
  } else {
    log.warn({ webDir }, 'web app not built: run `npm run build:web`');
  }
  app.use(notFound);
  app.use(errorHandler(log));

  const http = security.https ? createHttpsServer(security.https, app) : createServer(app);
  const broadcaster = new Broadcaster(http, state, config.realtime.min_interval_ms);
  // With peers every instance raises the same alert: each tells only its own clients.
  alerts.engine.onChange((alert) => (broadcaster.localOnly ? broadcaster.io.local : broadcaster.io).emit('alert', alert));
  security.sockets(broadcaster.io);
  if (config.realtime.redis_url) {
    // Before the peers' snapshot: alerts it raises go through the claims and pick up acknowledgements made earlier.
    // Each process has its own id (a restart under the same client id is a new claimer): cluster/alert-claims.ts.
    const self = `${config.mqtt.client_id}-${randomUUID().slice(0, 8)}`;
    alertSync = await AlertSync.start(config.realtime.redis_url, self, broadcaster.io, alerts, config.alerts.group_wait_ms, log);
    peers = await PeerSync.start(config.realtime.redis_url, broadcaster.io, applyToState, () => state.rigsOf(), log);
    broadcaster.localOnly = true; // every instance has the whole fleet: each serves its own clients
  }
  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(config.server.port, config.server.host, () => resolveListen());
  });
  const address = http.address() as AddressInfo;
  const httpHost = config.server.host === '0.0.0.0' ? 'localhost' : config.server.host;
  const httpUrl = `${security.https ? 'https' : 'http'}://${httpHost}:${address.port}`;
  const metricsUrl = await metrics.listen();

  if (!(await ingest.start(config.mqtt.connect_wait_ms))) {
    log.warn({ url: mqttUrl, waitedMs: config.mqtt.connect_wait_ms }, 'MQTT broker not reachable yet: serving the API and retrying');
  }
  // Scale-out: a survivor takes over a dead peer's MQTT session so its share keeps flowing (cluster/adoption.ts).
  const adoption =
    config.realtime.redis_url && config.mqtt.shared_group
      ? await SessionAdoption.start(config.realtime.redis_url, config.mqtt.client_id, async (clientId) => {
          const adopted = ingestFor(clientId, false);
          await adopted.start();
          return { closed: () => adopted.closed(), stop: () => adopted.stop() };
        }, log)
      : null;
  broadcaster.start();
  economics.start((e) => (broadcaster.localOnly ? broadcaster.io.local : broadcaster.io).emit('economics', e), () => broadcaster.io.engine.clientsCount > 0);
  broadcaster.io.on('connection', (socket) => socket.emit('economics', economics.current()));
  const forgetAfterMs = durationMs(config.ingest.forget_after);
  const sweeper = setInterval(() => {
    state.sweep();
    state.forget(forgetAfterMs);
  }, config.ingest.check_interval_ms);
  const rollupWriter = setInterval(() => store.writeSiteRollups(Date.now(), state.sites()), config.store.site_rollup_interval_ms);

  return {
    config,
    state,
    counters,
    ingest,
    store,
    broker,
    mqttUrl,
    localAgent: broker ? security.brokerAuth.local : null,
    security,
    httpUrl,
    http,
    metricsUrl,
    alerts,
    economics,
    actions,
    async stop() {
      actions.stop();
      alerts.stop();
      economics.stop();
      await alertSync?.stop();
      clearInterval(sweeper);
      clearInterval(rollupWriter);
      await adoption?.stop();
      // Written first, while still connected, so the broker gets their acknowledgements and redelivers nothing.
      await store.drain?.(config.store.influxdb.timeout_ms);
      await ingest.stop();
      await broadcaster.close(); // closes the HTTP server too
      await metrics.close();
      await peers?.close();
      await store.close();
      await broker?.close();
      security.close();
      rigSites.close();
    },
  };
}
