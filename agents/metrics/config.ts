import { z } from 'zod';

/**
 * The agent's optional Prometheus endpoint: `metrics.port` serves GET /metrics on `metrics.host` (loopback by
 * default: a node exporter or Prometheus on the host scrapes it). Unset, the agent neither loads prom-client nor
 * listens.
 */
export const AgentMetricsConfig = z
  .object({
    port: z.number().int().min(1).max(65535).optional(),
    host: z.string().min(1).default('127.0.0.1'),
  })
  .strict()
  .prefault({});
export type AgentMetricsConfig = z.infer<typeof AgentMetricsConfig>;
