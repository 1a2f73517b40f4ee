import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Alert } from '../contract/index.js';
import { AlertEngine, type AlertEvent, type FleetView } from './engine.js';
import { WebhookNotifier } from './webhooks.js';
import { AlertWorkflow } from './workflow.js';

/**
 * Decides whether this instance sends a notification. Alone, it always does; in a cluster every instance raises the
 * same alerts and a gate (cluster/alert-claims.ts) lets exactly one of them send. `send` takes a callback run once
 * the notification is queued for delivery.
 */
export type NotifyGate = (alert: Alert, event: AlertEvent, send: (queued?: () => void) => void) => void;

export interface AlertService {
  engine: AlertEngine;
  notifier: WebhookNotifier;
  /** Notes, silences and maintenance windows; a silenced alert is never handed to the gate or the webhooks. */
  workflow: AlertWorkflow;
  setGate(gate: NotifyGate): void;
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
  const workflow = new AlertWorkflow();
  let gate: NotifyGate = (_alert, _event, send) => send();
  engine.onChange((alert, event) => {
    log.info({ alert: alert.id, kind: alert.kind, rig: alert.rig, site: alert.site, event }, `alert ${event}`);
    const silence = workflow.silencing(alert);
    if (silence) {
      log.info({ alert: alert.id, silence: silence.id, kind: silence.kind }, 'alert notification suppressed');
      return;
    }
    gate(alert, event, (queued) => notifier.notify(alert, event, queued));
  });
  const timer = config.alerts.enabled ? setInterval(() => engine.evaluate(fleet), config.alerts.evaluate_interval_ms) : null;
  return {
    engine,
    notifier,
    workflow,
    setGate(next) {
      gate = next;
    },
    stop() {
      if (timer) clearInterval(timer);
      notifier.close();
    },
  };
}
