import type { InferenceServer } from '../../server/contract/index.js';
import { detectDialect, dialectFor, type Reading } from './dialects.js';
import { MetricSet } from './metrics.js';

export type ServerSetting = InferenceServer | 'auto';

export type ReadResult = { ok: true; reading: Reading; malformed: number } | { ok: false; error: string };

/**
 * Reads one /metrics reply. `auto` picks the server from the metric names; a named server must also be recognised
 * in the reply, so an agent pointed at the wrong port says so instead of reporting a server that does nothing.
 */
export function readInferenceMetrics(text: string, server: ServerSetting): ReadResult {
  const metrics = new MetricSet(text);
  const dialect = server === 'auto' ? detectDialect(metrics) : dialectFor(server);
  if (!dialect) return { ok: false, error: 'no inference server metrics recognised (vllm:, sglang:, tgi_, nv_inference_, llamacpp: or NIM names)' };
  if (!dialect.detect(metrics)) return { ok: false, error: `no ${dialect.server} metrics in the reply` };
  return { ok: true, reading: dialect.read(metrics), malformed: metrics.malformed };
}
