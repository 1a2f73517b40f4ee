import { z } from 'zod';

/**
 * Alerts raised by the server's rules engine (server/alerts/). One alert is one episode of one rule on one rig
 * or site: it opens once, may be acknowledged, and resolves when the condition clears. A new episode of the
 * same condition is a new alert with a new id.
 */
export const AlertKind = z.enum([
  'rig_offline',
  'overheat',
  'hashrate_drop',
  'rejected_shares',
  'hashboard_missing',
  'gpu_error',
  'site_power',
  'not_hashing',
  'pool_down',
]);
export type AlertKind = z.infer<typeof AlertKind>;

export const AlertSeverity = z.enum(['critical', 'warning']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/** 'open' and 'acknowledged' alerts are active; 'resolved' is final. */
export const AlertState = z.enum(['open', 'acknowledged', 'resolved']);
export type AlertState = z.infer<typeof AlertState>;

export const Alert = z.object({
  id: z.string(),
  kind: AlertKind,
  severity: AlertSeverity,
  site: z.string(),
  /** Null for site-wide alerts (site_power). */
  rig: z.string().nullable(),
  state: AlertState,
  /** What is wrong, in words an operator can act on; updated while the alert is active. */
  message: z.string(),
  /** The figure the rule compared (°C, TH/s, share, kW…), when it has one. */
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  opened_at: z.number().int(),
  updated_at: z.number().int(),
  acknowledged_at: z.number().int().nullable(),
  acknowledged_by: z.string().nullable(),
  resolved_at: z.number().int().nullable(),
  /** 'cleared' when the condition went away, 'manual' when an operator resolved it. */
  resolved_by: z.enum(['cleared', 'manual']).nullable(),
  /** Who resolved it by hand (the signed-in user), when resolved_by is 'manual'. */
  resolved_by_user: z.string().nullable().optional(),
});
export type Alert = z.infer<typeof Alert>;

/**
 * Body of POST /api/alerts/:id/ack and /resolve (optional): a note kept with the alert. Who did it is the signed-in
 * user; a `by` sent by older clients is accepted and ignored.
 */
export const AlertActionBody = z.object({ by: z.string().max(128).optional(), note: z.string().min(1).max(2000).optional() }).strict();
export type AlertActionBody = z.infer<typeof AlertActionBody>;
