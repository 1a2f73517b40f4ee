import type { Alert } from './alerts.js';
import type { FleetRollup, RigView, SiteRollup } from './api.js';
import type { Economics } from './economics.js';

/**
 * socket.io events. The server pushes at most once per realtime interval. Every client receives 'fleet';
 * a client that emits 'site:watch' joins that site's room and also receives 'site' updates for it.
 * Every client also receives 'alert' whenever an alert opens, is acknowledged, changes or resolves.
 */
export interface FleetUpdate {
  ts: number;
  fleet: FleetRollup;
  sites: SiteRollup[];
}

export interface SiteUpdate {
  ts: number;
  site: SiteRollup;
  /** Rigs whose state changed since the previous push to this room; empty in the reply to 'site:watch'. */
  rigs: RigView[];
}

export interface ServerToClientEvents {
  fleet: (update: FleetUpdate) => void;
  site: (update: SiteUpdate) => void;
  /** The alert as it is now, after any change (opened, acknowledged, updated message, resolved). */
  alert: (alert: Alert) => void;
  /** Live money per site and fleet (GET /api/economics), every market.push_interval_ms while clients are connected. */
  economics: (economics: Economics) => void;
}

export interface ClientToServerEvents {
  'site:watch': (siteId: string) => void;
  'site:unwatch': (siteId: string) => void;
}

export function siteRoom(siteId: string): string {
  return `site:${siteId}`;
}
