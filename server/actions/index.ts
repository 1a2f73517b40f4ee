import { Router } from 'express';
import type { Logger } from 'pino';
import { actionRoutes } from '../api/action-routes.js';
import { curtailmentRoutes } from '../api/curtailment-routes.js';
import { CurtailmentRunner } from './curtail-runner.js';
import type { CredentialStore } from '../auth/store.js';
import type { Config } from '../config/schema.js';
import { COMMAND_RESULT_SUBSCRIPTION, type AgentStatus } from '../contract/index.js';
import type { FleetState } from '../fleet/state.js';
import { ActionAudit } from './audit.js';
import { BulkRunner } from './bulk.js';
import { CommandRouting } from './routing.js';
import { ActionService, type CommandPublisher } from './service.js';

export interface Actions {
  service: ActionService;
  bulk: BulkRunner;
  curtailment: CurtailmentRunner;
  routes: Router;
  /** Topic filters the server's MQTT connection adds for command results. */
  subscriptions: readonly string[];
  /** Takes command results off the MQTT connection before telemetry ingest sees them. */
  intercept(topic: string, payload: Buffer): boolean;
  /** Every decoded status message: birth announcements say where an agent takes commands. */
  observeStatus(site: string, source: string, status: AgentStatus): void;
  stop(): void;
}

export interface ActionsDeps {
  config: Config;
  state: FleetState;
  store: CredentialStore;
  publisher: CommandPublisher;
  log: Logger;
}

/** Everything issue 14 adds to the composition root, in one call so app.ts stays small. */
export function setupActions(deps: ActionsDeps): Actions {
  const { config, state, store, log } = deps;
  const routing = new CommandRouting(store, state);
  const audit = new ActionAudit(config.actions.audit_file, config.actions.max_records);
  const service = new ActionService({ audit, routing, state, publisher: deps.publisher, config: config.actions, log });
  const bulk = new BulkRunner({ service, log, windowMs: config.actions.bulk.window_ms });
  const curtailment = new CurtailmentRunner({
    service,
    state,
    market: config.planner.market,
    defaultEfficiencyJth: config.planner.default_efficiency_jth,
    sites: config.actions.curtailment.sites,
    log,
  });
  curtailment.start(config.actions.curtailment.interval_ms);
  const routes = Router();
  routes.use(actionRoutes({ service, bulk, state, config, store }), curtailmentRoutes(curtailment, config, store));
  const sweeper = setInterval(() => service.sweep(), Math.min(1000, config.actions.expire_after_ms));
  sweeper.unref();
  return {
    service,
    bulk,
    curtailment,
    routes,
    subscriptions: [COMMAND_RESULT_SUBSCRIPTION],
    intercept: (topic, payload) => service.handleResult(topic, payload),
    observeStatus(site, source, status) {
      const agent = routing.observeStatus(site, source, status);
      if (agent) service.agentOnline(site, agent);
    },
    stop() {
      clearInterval(sweeper);
      bulk.stop();
      curtailment.stop();
    },
  };
}
