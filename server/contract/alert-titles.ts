import type { AlertKind } from './alerts.js';

/**
 * One human title per alert rule, shared by the server's notifications (server/alerts/payload.ts) and the web app's
 * alert tables. Only a type import (erased at build), so the web bundle pulls in no zod through it.
 */
export const ALERT_TITLES: Readonly<Record<AlertKind, string>> = {
  rig_offline: 'Rig offline',
  overheat: 'Overheating',
  hashrate_drop: 'Hashrate drop',
  rejected_shares: 'Rejected shares',
  hashboard_missing: 'Hashboard or chips missing',
  gpu_error: 'GPU error',
  site_power: 'Site power over capacity',
  not_hashing: 'Not hashing',
  pool_down: 'No pool alive',
};
