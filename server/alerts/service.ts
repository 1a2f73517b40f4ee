import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Alert } from '../contract/index.js';
import { AlertEngine, type AlertEvent, type FleetView } from './engine.js';
import { AlertStatePersister, loadAlertState, type AlertStateFile } from './persistence.js';
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
  /** Writes alerts.state_file (if set) with what is pending, stops timers and webhook retries. */
  stop(): void;
}

/**
 * Wires the alerts engine: its timer over live fleet state, logging, webhooks and, with alerts.state_file, the
 * saved state (restored here before any sample, written on every change). Other listeners (the socket.io 'alert'
 * event) subscribe with engine.onChange. With alerts.enabled false the engine exists but never evaluates.
 */
export function startAlerts(config: Config, fleet: FleetView, log: Logger): AlertService {
  const siteCapacityKw = new Map(config.sites.flatMap((s) => (s.capacity_mw === undefined ? [] : [[s.id, s.capacity_mw * 1000] as const])));
  const engine = new AlertEngine({ rules: config.alerts.rules, historyLimit: config.alerts.history_limit, siteCapacityKw });
  const notifier = new WebhookNotifier(config.alerts, log);
  const workflow = new AlertWorkflow();
  let gate: NotifyGate = (_alert, _event, send) => send();
  /** Active alerts whose 'opened' notification was queued or deliberately withheld (silenced). */
  const notified = new Set<string>();
  const file = config.alerts.state_file;
  const persister = file ? new AlertStatePersister(file, () => snapshot(engine, workflow, notified), log) : null;
  const changed = (): void => persister?.changed();
  /** Restored open alerts whose 'opened' never went out (a crash inside group_wait_ms): sent on the first tick. */
  let unsent: string[] = [];
  const saved = file ? loadAlertState(file, log) : null;
  if (saved) {
    engine.restore({ seq: saved.seq, active: saved.active.map((a) => a.alert), resolved: saved.resolved });
    workflow.restore(saved);
    for (const { alert, notified: sent } of saved.active) {
      if (sent) notified.add(alert.id);
      else if (alert.state === 'open') unsent.push(alert.id);
    }
    log.info({ file, active: saved.active.length, resolved: saved.resolved.length, silences: saved.silences.length }, 'alert state restored');
  }
  workflow.onChange = changed;

  const notify = (alert: Alert, event: AlertEvent): void => {
    const silence = workflow.silencing(alert);
    if (silence) {
      log.info({ alert: alert.id, silence: silence.id, kind: silence.kind }, 'alert notification suppressed');
      if (event === 'opened') notified.add(alert.id);
      return;
    }
    gate(alert, event, (queued) =>
      notifier.notify(alert, event, () => {
        if (event === 'opened' && alert.state !== 'resolved') {
          notified.add(alert.id);
          changed();
        }
        queued?.();
      }),
    );
  };
  engine.onChange((alert, event) => {
    log.info({ alert: alert.id, kind: alert.kind, rig: alert.rig, site: alert.site, event }, `alert ${event}`);
    if (event === 'resolved') notified.delete(alert.id);
    changed();
    notify(alert, event);
  });
  const timer = config.alerts.enabled
    ? setInterval(() => {
        // After the first interval the cluster gate (if any) is in place, so a resent 'opened' is claimed once.
        for (const id of unsent) {
          const alert = engine.get(id);
          if (alert?.state === 'open') notify(alert, 'opened');
        }
        unsent = [];
        engine.evaluate(fleet);
      }, config.alerts.evaluate_interval_ms)
    : null;
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
      persister?.close();
    },
  };
}

function snapshot(engine: AlertEngine, workflow: AlertWorkflow, notified: ReadonlySet<string>): AlertStateFile {
  const { seq, active, resolved } = engine.snapshot();
  const kept = new Set([...active, ...resolved].map((a) => a.id));
  return {
    version: 1,
    saved_at: Date.now(),
    seq,
    active: active.map((alert) => ({ alert, notified: notified.has(alert.id) })),
    resolved,
    ...workflow.snapshot((id) => kept.has(id)),
  };
}
