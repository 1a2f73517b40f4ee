import { io, type Socket } from 'socket.io-client';
import type { Alert, ClientToServerEvents, FleetUpdate, ServerToClientEvents } from '../../server/contract/index.js';
import { LIST_BOUNDS } from '../../server/contract/paging.js';
import { apiAll } from './api.js';

type Listener<T> = (value: T) => void;

/**
 * Runs `fn` at most once per animation frame however often it is called: a site losing power sends thousands of
 * 'alert' events in a burst, and each must not repaint a table.
 */
export function perFrame(fn: () => void): (() => void) & { cancel(): void } {
  let pending = 0;
  const schedule = (): void => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      fn();
    });
  };
  // A view calls cancel() when it unmounts, so a late frame never paints into the next view.
  return Object.assign(schedule, { cancel: () => cancelAnimationFrame(pending) });
}

class Topic<T> {
  private readonly listeners = new Set<Listener<T>>();
  on(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
}

/**
 * The live connection: the latest fleet update, active alerts, and the socket state, shared by every view.
 * Alerts are loaded over REST on every (re)connect and then kept current from 'alert' events, so a client that
 * was away never shows a stale list.
 */
export class Live {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  fleet: FleetUpdate | null = null;
  connected = false;
  lastMessageAt = 0;
  readonly activeAlerts = new Map<string, Alert>();
  readonly onFleet = new Topic<FleetUpdate>();
  readonly onAlert = new Topic<Alert>();
  readonly onAlertsLoaded = new Topic<void>();
  readonly onConnection = new Topic<boolean>();

  constructor() {
    this.socket = io({ transports: ['websocket', 'polling'] });
    this.socket.on('connect', () => {
      this.setConnected(true);
      void this.loadAlerts();
    });
    this.socket.on('disconnect', () => this.setConnected(false));
    this.socket.io.on('reconnect_attempt', () => this.setConnected(false));
    this.socket.on('fleet', (update) => {
      this.fleet = update;
      this.lastMessageAt = Date.now();
      this.onFleet.emit(update);
    });
    this.socket.on('alert', (alert) => {
      this.lastMessageAt = Date.now();
      if (alert.state === 'resolved') this.activeAlerts.delete(alert.id);
      else this.activeAlerts.set(alert.id, alert);
      this.onAlert.emit(alert);
    });
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.onConnection.emit(connected);
  }

  private async loadAlerts(): Promise<void> {
    // Every active alert, a page at a time: a large outage can open more than one page holds.
    const alerts = await apiAll<Alert>('/api/alerts?state=active', LIST_BOUNDS.alerts.maxLimit).catch(() => null);
    if (!alerts) return;
    this.activeAlerts.clear();
    for (const alert of alerts) this.activeAlerts.set(alert.id, alert);
    this.onAlertsLoaded.emit();
  }
}

export const live = new Live();
