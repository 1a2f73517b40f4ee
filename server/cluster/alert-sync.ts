import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { AlertService } from '../alerts/service.js';
import type { Alert } from '../contract/index.js';
import { AlertClaims } from './alert-claims.js';

const ACTION = 'rigline:alert-action';

/** What a person did to an alert, named by its condition (alert ids are per instance). */
interface AlertAction {
  action: 'ack' | 'resolve';
  kind: Alert['kind'];
  site: string;
  rig: string | null;
  by: string | null;
}

const isAction = (m: unknown): m is AlertAction => {
  const a = m as Partial<AlertAction> | null;
  return !!a && (a.action === 'ack' || a.action === 'resolve') && typeof a.kind === 'string' && typeof a.site === 'string';
};

/**
 * Alerts in a cluster. Every instance judges the whole fleet, so each raises the same alerts under its own ids:
 * - notifications go out once (AlertClaims gates the webhook notifier);
 * - an acknowledgement or manual resolution made on one instance is applied on every peer (socket.io Redis adapter
 *   `serverSideEmit`, matched by condition: kind, site, rig), and an acknowledgement is also kept in Redis so an
 *   instance that raises the alert later (started after the ack) shows it acknowledged too.
 */
export class AlertSync {
  private constructor(private readonly claims: AlertClaims) {}

  static async start(url: string, self: string, io: Server, alerts: AlertService, groupWaitMs: number, log: Logger): Promise<AlertSync> {
    const { engine, notifier } = alerts;
    const claims = await AlertClaims.start(
      url,
      self,
      { wants: (alert, event) => notifier.wants(alert, event), groupWaitMs, active: () => engine.list({ state: 'active' }) },
      log,
    );
    alerts.setGate(claims.gate);
    let applying = false;
    const applyPeer = (action: AlertAction): void => {
      const target = engine.list({ state: 'active', site: action.site }).find((a) => a.kind === action.kind && a.rig === action.rig);
      if (!target) return;
      applying = true;
      try {
        if (action.action === 'ack') engine.acknowledge(target.id, action.by);
        else engine.resolve(target.id);
      } finally {
        applying = false;
      }
    };
    engine.onChange((alert, event) => {
      const fail = (err: Error): void => log.warn({ alert: alert.id, err: err.message }, 'alert acknowledgement not shared through redis');
      if (event === 'opened') {
        // Acknowledged on a peer before this instance raised it (this one started later, or judged later).
        void claims.ackOf(alert).then((by) => by !== undefined && applyPeer({ action: 'ack', kind: alert.kind, site: alert.site, rig: alert.rig, by }), fail);
        return;
      }
      if (applying) return;
      const { kind, site, rig } = alert;
      if (event === 'acknowledged') {
        io.serverSideEmit(ACTION, { action: 'ack', kind, site, rig, by: alert.acknowledged_by } satisfies AlertAction);
        void claims.recordAck(alert).catch(fail);
      } else if (alert.resolved_by === 'manual') {
        io.serverSideEmit(ACTION, { action: 'resolve', kind, site, rig, by: null } satisfies AlertAction);
      }
    });
    io.on(ACTION, (message: unknown) => {
      if (isAction(message)) applyPeer(message);
      else log.warn('malformed alert action from a peer');
    });
    return new AlertSync(claims);
  }

  async stop(): Promise<void> {
    await this.claims.stop();
  }
}
