import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { AlertEngine, type FleetView } from './engine.js';
import { WebhookNotifier } from './webhooks.js';

export interface AlertService {
  engine: AlertEngine;
  notifier: WebhookNotifier;
  stop(): void;
}

/**
 * Wires the alerts engine: its timer over live fleet state, logging and webhooks. Other listeners (the socket.io
 * 'alert' event) subscribe with engine.onChange. With alerts.enabled false the engine exists but never evaluates.
 */
export function startAlerts(config: Config, fleet: FleetView, log: Logger): AlertService {
  const siteCapacityKw = new Map(config.sites.flatMap((s) => (s.capacity_mw === undefined ? [] : [[s.id, s.capacity_mw * 1000] as const])));
  const engine = new AlertEngine({ rules: config.alerts.rules, historyLimit: config.alerts.history_limit, siteCapacityKw });
  const notifier = new WebhookNotifier(config.alerts, log);
  engine.onChange((alert, event) => {
    log.info({ alert: alert.id, kind: alert.kind, rig: alert.rig, site: alert.site, event }, `alert ${event}`);
    notifier.notify(alert, event);
  });
  const timer = config.alerts.enabled ? setInterval(() => engine.evaluate(fleet), config.alerts.evaluate_interval_ms) : null;
  return {
    engine,
    notifier,
    stop() {
      if (timer) clearInterval(timer);
      notifier.close();
    },
  };
}
