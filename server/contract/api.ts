import { z } from 'zod';
import { AsicSample, GpuSample } from './telemetry.js';

/** REST response shapes. The server validates nothing it sends with these; tests and the web app parse with them. */
export const RigCounts = z.object({
  total: z.number().int(),
  online: z.number().int(),
  offline: z.number().int(),
  degraded: z.number().int(),
});
export type RigCounts = z.infer<typeof RigCounts>;

export const GpuCounts = z.object({
  total: z.number().int(),
  online: z.number().int(),
  utilization_pct: z.number().nullable(),
});
export type GpuCounts = z.infer<typeof GpuCounts>;

const rollupFields = {
  rigs: RigCounts,
  hashrate_ths: z.number(),
  power_kw: z.number(),
  /** Joules per terahash over ASIC rigs that report both power and hashrate; null when none does. */
  efficiency_jth: z.number().nullable(),
  gpus: GpuCounts,
};

export const FleetRollup = z.object({ sites: z.number().int(), ...rollupFields });
export type FleetRollup = z.infer<typeof FleetRollup>;

export const SiteRollup = z.object({ id: z.string(), name: z.string(), ...rollupFields });
export type SiteRollup = z.infer<typeof SiteRollup>;

export const RigStatus = z.enum(['online', 'offline', 'degraded']);
export type RigStatus = z.infer<typeof RigStatus>;

/** One reason a rig is degraded (an alert rule's condition that held for its `for_s`) or offline, since when. */
export const StatusReason = z.object({ kind: z.string(), message: z.string(), since: z.number().int() });
export type StatusReason = z.infer<typeof StatusReason>;

const rigState = {
  status: RigStatus,
  /** Why the rig is degraded or offline, in words an operator can act on (the messages of status_details). */
  status_reasons: z.array(z.string()),
  status_details: z.array(StatusReason),
  /** When the rig entered its current status (server clock, epoch ms). */
  status_since: z.number().int(),
  last_seen: z.number().int(),
};
export const RigView = z.discriminatedUnion('kind', [
  AsicSample.extend(rigState),
  GpuSample.extend(rigState),
]);
export type RigView = z.infer<typeof RigView>;

export const IngestCounters = z.object({
  received: z.number().int(),
  stored: z.number().int(),
  invalid: z.record(z.string(), z.number().int()),
});
export type IngestCounters = z.infer<typeof IngestCounters>;

export const Health = z.object({ status: z.literal('ok'), ingest: IngestCounters }).passthrough();
export type Health = z.infer<typeof Health>;

export const ApiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ApiError = z.infer<typeof ApiError>;
