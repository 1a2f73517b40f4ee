import { z } from 'zod';
import { SiteId } from '../contract/index.js';
import { AuthSchema, IngestGuardsSchema, TlsFiles } from './security-schema.js';
import { AlertsConfigSchema } from './alerts-schema.js';
import { MarketConfigSchema } from './market-schema.js';
import { ActionsConfigSchema } from './actions-schema.js';
import { PlannerConfigSchema } from './planner.js';
import { PlannerSiteFields } from './planner-site.js';
import { LogConfig } from './yaml-file.js';
import { MetricsConfigSchema } from './metrics-schema.js';

/** Every server setting with its default, in one place. config/rigline.yaml documents each key. */
const port = z.number().int().min(0).max(65535);

/** InfluxQL duration (7d, 90d, 52w, 12h) or INF: retention policy durations. */
const duration = z.string().regex(/^(\d+(m|h|d|w)|INF)$/, 'must be an InfluxQL duration such as 7d, 52w or INF');

const InfluxConfig = z
  .object({
    url: z.string().url().default('http://localhost:8086'),
    /** Database queried over /query (and written on 1.x); on 2.x a DBRP mapping names the bucket behind it. */
    database: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match [A-Za-z0-9_-], 1 to 64 characters').default('rigline'),
    username: z.string().optional(),
    password: z.string().optional(),
    /** InfluxDB 2.x: org, bucket and token for writes; the token also authenticates v1-compatible queries. */
    org: z.string().min(1).optional(),
    bucket: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
    /** influxdb1: create the database, retention policies and rollup continuous queries at start. */
    manage_retention: z.boolean().default(true),
    retention: z
      .object({ raw: duration.default('7d'), rollup_1m: duration.default('90d'), rollup_1h: duration.default('INF') })
      .strict()
      .prefault({}),
    /** Series over ranges at least this long read the 1-minute / 1-hour rollups. */
    rollup_1m_from_range_ms: z.number().int().min(60_000).default(6 * 3_600_000),
    rollup_1h_from_range_ms: z.number().int().min(3_600_000).default(7 * 86_400_000),
    /**
     * influxdb1: who writes the rigs' 1-minute rollups. `server` sums them as samples arrive (a continuous query over
     * 20,000 rigs costs InfluxDB ~14 s a minute); `continuous_query` is needed when instances split ingest
     * (mqtt.shared_group), and is the default then.
     */
    minute_rollups: z.enum(['server', 'continuous_query']).optional(),
    /** Server-written 1-minute rollups: a minute is closed and written this long after it ends (later samples are backfilled). */
    rollup_grace_ms: z.number().int().min(0).max(240_000).default(90_000),
    /** A write is sent when this many points wait, or flush_interval_ms after the oldest arrived. */
    batch_points: z.number().int().min(1).max(100_000).default(5000),
    flush_interval_ms: z.number().int().min(10).max(60_000).default(1000),
    /** Samples held while InfluxDB is slow or down (about 3 KB of RSS each, measured); beyond it new ones are dropped and counted. */
    max_buffered_samples: z.number().int().min(1).max(10_000_000).default(250_000),
    concurrency: z.number().int().min(1).max(16).default(2),
    retry: z
      .object({ initial_ms: z.number().int().min(10).default(500), max_ms: z.number().int().min(100).default(30_000) })
      .strict()
      .prefault({}),
    timeout_ms: z.number().int().min(100).max(300_000).default(10_000),
  })
  .strict()
  .prefault({});

const hours = z.number().positive().max(24 * 3650);
const SqliteConfig = z
  .object({
    /** Directory of the history database (history.db), created if missing. */
    dir: z.string().min(1).default('data'),
    raw_hours: hours.default(24),
    rollup_1m_days: z.number().positive().max(3650).default(30),
    rollup_1h_days: z.number().positive().max(36500).default(365),
    /** The database stays under this size: beyond it the oldest data of the finest tier is deleted first. */
    max_mb: z.number().int().min(16).max(10_000_000).default(2048),
    flush_interval_ms: z.number().int().min(10).max(60_000).default(1000),
    max_buffered_samples: z.number().int().min(1).max(10_000_000).default(250_000),
  })
  .strict()
  .prefault({});

export const ConfigSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: port.default(3000),
        /** Directory of the built web app (vite build output). */
        web_dir: z.string().default('web/dist'),
        /** Serve HTTPS with these PEM files (or terminate TLS at a proxy and set auth.cookie_secure). */
        tls: TlsFiles.optional(),
      })
      .strict()
      .prefault({}),
    mqtt: z
      .object({
        /** 'embedded' runs an in-process broker (aedes, MQTT 3.1.1); 'external' connects to `url`. */
        mode: z.enum(['embedded', 'external']).default('embedded'),
        url: z.string().url().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        client_id: z.string().min(1).max(64).default('rigline-server'),
        /** How long start-up waits for the broker before serving anyway (ingest keeps retrying). */
        connect_wait_ms: z.number().int().min(0).max(600_000).default(10_000),
        /** Several instances share ingest through MQTT 5 `$share/{group}/...` (needs an MQTT 5 broker, not aedes). */
        shared_group: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/).optional(),
        /** CA / client certificate for an mqtts:// broker. */
        tls: z.object({ ca_file: z.string().optional(), cert_file: z.string().optional(), key_file: z.string().optional() }).strict().optional(),
        embedded: z
          .object({ host: z.string().default('0.0.0.0'), port: port.default(1883), tls: TlsFiles.extend({ port: port.default(8883) }).optional() })
          .strict()
          .prefault({}),
        /** External broker: MQTT 5 Receive Maximum of the ingest session (messages in flight awaiting storage). */
        receive_maximum: z.number().int().min(1).max(65_535).default(20_000),
        /** Larger telemetry messages are rejected as 'oversized' before parsing. */
        max_payload_bytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        /** A rig is offline after this many of its own polling intervals without a sample. */
        missed_intervals: z.number().min(1).max(100).default(3),
        /** How often the server looks for silent rigs. */
        check_interval_ms: z.number().int().min(50).max(60_000).default(1000),
        // Degraded thresholds and hold times are the alert rules' (alerts.rules), one source of truth for both.
        ...IngestGuardsSchema,
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        /**
         * sqlite: on local disk under store.sqlite.dir, no extra service (config/rigline.yaml, the `npm start` default);
         * memory: bounded, lost on restart; influxdb1: 1.x API (also 2.x/3 v1 compatibility); influxdb2: 2.x native writes.
         */
        kind: z.enum(['memory', 'sqlite', 'influxdb1', 'influxdb2']).default('memory'),
        /** How often site rollups are written to history (they feed the site charts). */
        site_rollup_interval_ms: z.number().int().min(1000).max(3_600_000).default(10_000),
        memory: z
          .object({
            /** Points kept per series (rig or site metric); oldest are dropped first. */
            max_points_per_series: z.number().int().min(10).max(1_000_000).default(2880),
          })
          .strict()
          .prefault({}),
        sqlite: SqliteConfig,
        influxdb: InfluxConfig,
      })
      .strict()
      .prefault({}),
    realtime: z
      .object({
        min_interval_ms: z.number().int().min(100).max(60_000).default(1000),
        /** Redis shared by server instances: live updates and fleet state reach every instance's clients. */
        redis_url: z.string().url().optional(),
      })
      .strict()
      .prefault({}),
    sim: z
      .object({
        enabled: z.boolean().default(false),
        sites: z.number().int().min(1).max(1000).default(4),
        rigs_per_site: z.number().int().min(1).max(200_000).default(50),
        seed: z.number().int().default(42),
        interval_ms: z.number().int().min(100).max(600_000).default(5000),
        fault_rate: z.number().min(0).max(1).default(0.02),
        gpu_every: z.number().int().min(0).default(25),
      })
      .strict()
      .prefault({}),
    sites: z
      .array(
        z
          .object({
            id: SiteId,
            name: z.string().min(1).max(128),
            capacity_mw: z.number().positive().optional(),
            power_price_usd_per_kwh: z.number().nonnegative().optional(),
            /** Whether the planner may convert this site to AI (planner, issue #6). */
            ai_eligible: z.boolean().optional(),
            /** Planner site economics (issue #13): server/config/planner-site.ts. */
            ...PlannerSiteFields,
          })
          .strict(),
      )
      .default([]),
    auth: AuthSchema,
    alerts: AlertsConfigSchema,
    /** AI-pivot planner assumptions (server/config/planner.ts). */
    planner: PlannerConfigSchema,
    /** Prometheus /metrics (server/config/metrics-schema.ts). */
    metrics: MetricsConfigSchema,
    /** Live market inputs and pricing for GET /api/economics (server/config/market-schema.ts). */
    market: MarketConfigSchema,
    /** Operator actions, bulk pace and curtailment (server/config/actions-schema.ts). */
    actions: ActionsConfigSchema,
    log: LogConfig,
  })
  .strict();

/** Rules across fields, checked on the raw input so they are reported together with every other problem. */
export function crossFieldProblems(raw: unknown): string[] {
  const problems: string[] = [];
  const mqtt = (raw as { mqtt?: { mode?: unknown; url?: unknown } } | null)?.mqtt;
  if (mqtt?.mode === 'external' && !mqtt.url) problems.push("mqtt.url: required when mqtt.mode is 'external'");
  const store = (raw as { store?: { kind?: unknown; influxdb?: Record<string, unknown> } } | null)?.store;
  if (store?.kind === 'influxdb2') {
    for (const key of ['org', 'bucket', 'token']) {
      if (!store.influxdb?.[key]) problems.push(`store.influxdb.${key}: required when store.kind is 'influxdb2'`);
    }
  }
  const shared = (raw as { mqtt?: { shared_group?: unknown } } | null)?.mqtt?.shared_group;
  if (shared && mqtt?.mode !== 'external') {
    problems.push('mqtt.shared_group: needs an external MQTT 5 broker (the embedded broker speaks MQTT 3.1.1 only)');
  }
  if (shared && store?.influxdb?.minute_rollups === 'server') {
    problems.push("store.influxdb.minute_rollups: 'server' needs one instance to see every sample; with mqtt.shared_group use 'continuous_query'");
  }
  return problems;
}

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
