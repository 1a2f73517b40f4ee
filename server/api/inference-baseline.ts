import type { BaselineInference, PlanInputRaw, Provenance } from '../planner/contract.js';
import type { FleetState } from '../fleet/state.js';
import { roundTo } from '../util/round.js';

interface Sums {
  nodes: number;
  gpus: number;
  busy: number;
  utilKnown: number;
  utilSum: number;
  tokens: number;
  powerW: number;
}

const zero = (): Sums => ({ nodes: 0, gpus: 0, busy: 0, utilKnown: 0, utilSum: 0, tokens: 0, powerW: 0 });

/** Live GPU nodes of a site that report generated tokens (inference block or the stack's own tokens_per_s). */
function sums(state: FleetState, site: string): Sums {
  const s = zero();
  for (const [, record] of state.records(site)) {
    const sample = record.sample;
    if (record.status === 'offline' || sample.kind !== 'gpu') continue;
    const tokens = sample.inference?.generation_tokens_per_s ?? sample.tokens_per_s;
    if (tokens === null || tokens === undefined) continue;
    s.nodes++;
    s.tokens += tokens;
    s.powerW += sample.power_w ?? 0;
    for (const gpu of sample.gpus) {
      if (gpu.mig) continue;
      s.gpus++;
      if (gpu.utilization_pct === null) continue;
      s.utilKnown++;
      s.utilSum += gpu.utilization_pct / 100;
      s.busy += gpu.utilization_pct / 100;
    }
  }
  return s;
}

function toBaseline(s: Sums): BaselineInference | null {
  if (s.nodes === 0) return null;
  const perBusyGpu = s.busy > 0 && s.tokens > 0 ? s.tokens / s.busy : null;
  return {
    nodes: s.nodes,
    gpus: s.gpus,
    busy_gpus: roundTo(s.busy, 3),
    generation_tokens_per_s: roundTo(s.tokens, 2),
    tokens_per_s_per_gpu: perBusyGpu === null ? null : roundTo(perBusyGpu, 2),
    utilization: s.utilKnown > 0 ? roundTo(s.utilSum / s.utilKnown, 4) : null,
    power_kw: roundTo(s.powerW / 1000, 3),
    tokens_per_joule: s.tokens > 0 && s.powerW > 0 ? roundTo(s.tokens / s.powerW, 4) : null,
  };
}

/** Each site's measured inference, and the fleet's, from live telemetry. */
export function measuredInference(state: FleetState, sites: readonly string[]): { perSite: Map<string, BaselineInference | null>; fleet: BaselineInference | null } {
  const fleet = zero();
  const perSite = new Map<string, BaselineInference | null>();
  for (const id of sites) {
    const s = sums(state, id);
    for (const key of Object.keys(fleet) as (keyof Sums)[]) fleet[key] += s[key];
    perSite.set(id, toBaseline(s));
  }
  return { perSite, fleet: toBaseline(fleet) };
}

/**
 * The `tokens` model fed by measurement when the fleet's GPU nodes report tokens and utilization: tokens/s per busy
 * GPU in place of the benchmark figure, realism 1 (a measured rate is already what production serves) and, under
 * the tokens model, the measured utilization (revenue = GPUs × tokens/s × realism × utilization × …). Without such
 * telemetry the configured assumptions stay, and the provenance says `config`.
 */
export function applyMeasuredTokens(ai: PlanInputRaw['ai'], fleet: BaselineInference | null): { ai: PlanInputRaw['ai']; provenance: { tokens_per_s_per_gpu: Provenance; throughput_realism: Provenance; utilization: Provenance } } {
  const measured = fleet?.tokens_per_s_per_gpu ?? null;
  if (!fleet || measured === null) return { ai, provenance: { tokens_per_s_per_gpu: 'config', throughput_realism: 'config', utilization: 'config' } };
  const tokensModel = ai.model === 'tokens' && fleet.utilization !== null;
  return {
    ai: { ...ai, tokens_per_s_per_gpu: measured, throughput_realism: 1, ...(tokensModel ? { utilization: fleet.utilization as number } : {}) },
    provenance: { tokens_per_s_per_gpu: 'measured', throughput_realism: 'measured', utilization: tokensModel ? 'measured' : 'config' },
  };
}
