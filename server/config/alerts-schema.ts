import { z } from 'zod';

/**
 * The `alerts` config section: rules with their thresholds and debounce times, and webhooks. Every rule has
 * `for_s` (the condition must hold this long before an alert opens: no alert for a blip) and `clear_s` (it must
 * stay clear this long before the alert resolves: no flapping open/resolve pairs). config/rigline.yaml documents
 * each key.
 */
const seconds = z.number().min(0).max(86_400);
const severity = z.enum(['critical', 'warning']);
const share = z.number().min(0).max(1);

function rule<T extends z.ZodRawShape>(defaults: { severity: 'critical' | 'warning'; for_s: number; clear_s: number }, extra: T) {
  return z
    .object({
      enabled: z.boolean().default(true),
      severity: severity.default(defaults.severity),
      for_s: seconds.default(defaults.for_s),
      clear_s: seconds.default(defaults.clear_s),
      ...extra,
    })
    .strict()
    // Every key has a default, so {} is valid input; the generic T hides that from the type checker.
    .prefault({} as never);
}

export const AlertRulesSchema = z
  .object({
    rig_offline: rule({ severity: 'critical', for_s: 120, clear_s: 0 }, {}),
    overheat: rule(
      { severity: 'critical', for_s: 30, clear_s: 60 },
      { asic_c: z.number().min(30).max(150).default(90), gpu_c: z.number().min(30).max(150).default(88) },
    ),
    hashrate_drop: rule(
      { severity: 'warning', for_s: 120, clear_s: 120 },
      {
        /** Alert when hashrate is below its own median over `baseline_s` by more than this share. */
        drop_share: z.number().gt(0).max(1).default(0.2),
        baseline_s: z.number().int().min(600).max(86_400).default(3600),
        /** No baseline (and no alert) until the rig has reported for this long within the window. */
        min_baseline_s: z.number().int().min(60).max(86_400).default(900),
      },
    ),
    rejected_shares: rule(
      { severity: 'warning', for_s: 0, clear_s: 300 },
      {
        /** rejected / (accepted + rejected), from counter deltas over `window_s`. */
        max_share: share.default(0.05),
        window_s: z.number().int().min(30).max(86_400).default(600),
        /** Fewer new shares than this in the window say nothing about the reject rate. */
        min_shares: z.number().int().min(1).default(50),
      },
    ),
    hashboard_missing: rule(
      { severity: 'critical', for_s: 60, clear_s: 60 },
      { min_missing_chips: z.number().int().min(1).default(1) },
    ),
    gpu_error: rule({ severity: 'critical', for_s: 0, clear_s: 300 }, {}),
    /** An ASIC that reports 0 TH/s while it is online. */
    not_hashing: rule({ severity: 'critical', for_s: 60, clear_s: 60 }, {}),
    /** An ASIC none of whose configured pools is alive. */
    pool_down: rule({ severity: 'critical', for_s: 60, clear_s: 60 }, {}),
    site_power: rule(
      { severity: 'critical', for_s: 60, clear_s: 60 },
      { max_share: z.number().gt(0).max(2).default(1) },
    ),
  })
  .strict()
  .prefault({});

export const WebhookSchema = z
  .object({
    url: z.string().url(),
    /** 'json': rigline's own payload; 'slack': Slack incoming-webhook payload ({ text, blocks }). */
    format: z.enum(['json', 'slack']).default('json'),
    min_severity: severity.default('warning'),
    send_resolved: z.boolean().default(true),
    headers: z.record(z.string(), z.string()).default({}),
    timeout_ms: z.number().int().min(100).max(60_000).default(5000),
  })
  .strict();

export const AlertsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How often time-based rules (offline, site power, debounce timers) are evaluated. */
    evaluate_interval_ms: z.number().int().min(50).max(60_000).default(1000),
    /** Resolved alerts kept in memory for the alerts view; the oldest are dropped first. */
    history_limit: z.number().int().min(10).max(1_000_000).default(5000),
    /**
     * Where alert state (active alerts with ids, acknowledgements and notification state, recent history, notes,
     * silences) is kept across restarts; null keeps it in memory only. Written at most once a second and on stop.
     */
    state_file: z.string().min(1).nullable().default(null),
    /** Base URL of the dashboard, for links in notifications. */
    dashboard_url: z.string().url().optional(),
    rules: AlertRulesSchema,
    webhooks: z.array(WebhookSchema).default([]),
    /**
     * Alerts of the same rule, site and event within this window go to webhooks as one notification: a site
     * losing power is one message, not one per rig. 0 sends each alert on its own, at once.
     */
    group_wait_ms: z.number().int().min(0).max(600_000).default(5000),
    retry: z
      .object({
        attempts: z.number().int().min(1).max(20).default(6),
        initial_ms: z.number().int().min(10).max(600_000).default(1000),
        max_ms: z.number().int().min(10).max(3_600_000).default(60_000),
        /** Notifications waiting per webhook while it is down; beyond this the oldest are dropped and counted. */
        queue_limit: z.number().int().min(1).max(100_000).default(1000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type AlertsConfig = z.infer<typeof AlertsConfigSchema>;
export type AlertRules = z.infer<typeof AlertRulesSchema>;
export type WebhookConfig = z.infer<typeof WebhookSchema>;
