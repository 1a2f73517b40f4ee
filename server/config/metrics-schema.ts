import { z } from 'zod';

/**
 * Prometheus `/metrics` (server/metrics/). Exposed only where asked: on a listener of its own (`port`, bound to
 * `host`, for a scraper on a private network), and/or on the main HTTP port behind `Authorization: Bearer <token>`.
 * With neither, nothing is collected or served.
 */
export const MetricsConfigSchema = z
  .object({
    /** Bearer token for GET /metrics on the main listener; at least 24 characters (e.g. `openssl rand -hex 24`). */
    token: z.string().min(24, 'must be at least 24 characters (openssl rand -hex 24)').optional(),
    /** A separate listener for /metrics (no login, no token unless one is set): keep it off the public network. */
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().default('127.0.0.1'),
  })
  .strict()
  .prefault({});

export type MetricsConfig = z.infer<typeof MetricsConfigSchema>;
