import type { Config } from '../config/schema.js';
import type { FleetState } from '../fleet/state.js';
import type { Baseline, BaselineSite, PlanInputRaw } from '../planner/contract.js';
import type { HistoryStore, SeriesMetric } from '../store/types.js';
import { roundTo } from '../util/round.js';
import { applyMeasuredTokens, measuredInference } from './inference-baseline.js';


async function windowMean(store: HistoryStore, site: string, metric: SeriesMetric, from: number, to: number): Promise<{ mean: number | null; points: number; stepMs: number }> {
  const stepMs = Math.max(10_000, Math.ceil((to - from) / 300));
  const points = (await store.series({ scope: 'site', id: site, metric, from, to, stepMs })).filter((p) => p.value !== null);
  if (points.length === 0) return { mean: null, points: 0, stepMs };
  return { mean: points.reduce((sum, p) => sum + (p.value as number), 0) / points.length, points: points.length, stepMs };
}

/**
 * One site's planning baseline from what the fleet really did over the window: mean hashrate, power and
 * efficiency from the history store's site rollups (falling back to the live rollup before any is written),
 * uptime as realised hashrate over the nameplate of the site's live ASICs (it counts downtime, curtailment and
 * weak boards alike), and power provenance as a count of the rigs' `power_source`. Capacity and power price come
 * from config `sites[]`; without them, measured power and the planner's default price stand in.
 */
async function baselineSite(id: string, state: FleetState, store: HistoryStore, config: Config, from: number, to: number): Promise<BaselineSite | null> {
  const configured = config.sites.find((s) => s.id === id);
  const live = state.site(id);
  const asics = state.rigsOf(id).filter((r) => r.kind === 'asic');
  const [hashrate, power, efficiency] = await Promise.all([
    windowMean(store, id, 'hashrate_ths', from, to),
    windowMean(store, id, 'power_kw', from, to),
    windowMean(store, id, 'efficiency_jth', from, to),
  ]);
  const p = config.planner;
  // Issue #13: "measured" needs enough telemetry behind it; with too few buckets, config and defaults stand in.
  // Before any rollup reaches the history the live rollup counts as one reading.
  const readings = hashrate.points > 0 ? hashrate.points : live?.hashrate_ths != null ? 1 : 0;
  const enough = readings >= p.min_measured_points;
  const hashrateThs = enough ? (hashrate.mean ?? live?.hashrate_ths ?? null) : null;
  const powerKw = power.mean ?? live?.power_kw ?? null;
  const efficiencyJth = enough ? (efficiency.mean ?? live?.efficiency_jth ?? null) : null;
  // Mining MW from the ASICs alone (issue #13: GPU nodes' power counted as mining MW): hashrate × J/TH is the
  // ASICs' draw; with no efficiency, the site's power serves only when it runs no GPU node.
  const liveHashrate = hashrate.mean ?? live?.hashrate_ths ?? null;
  const liveEfficiency = efficiency.mean ?? live?.efficiency_jth ?? null;
  const hasGpus = state.rigsOf(id).some((r) => r.kind !== 'asic');
  const asicPowerKw = liveHashrate !== null && liveEfficiency !== null ? (liveHashrate * liveEfficiency) / 1000 : hasGpus ? null : powerKw;
  // Every ASIC's nameplate must be known: a rig without one would add hashrate but no nameplate and inflate the
  // ratio (an unknown is not 0). Without it the uptime is assumed, and the provenance says so.
  const nameplates = asics.map((r) => (r.kind === 'asic' ? r.nameplate_ths : null));
  const nameplate = nameplates.every((n): n is number => n !== null) ? nameplates.reduce((sum, n) => sum + n, 0) : 0;
  const uptime = hashrateThs !== null && nameplate > 0 ? Math.min(1, hashrateThs / nameplate) : null;
  const powerSources: Record<string, number> = {};
  for (const rig of asics) {
    const key = rig.power_source ?? 'unknown';
    powerSources[key] = (powerSources[key] ?? 0) + 1;
  }
  const powerMw = configured?.capacity_mw ?? (asicPowerKw !== null && asicPowerKw > 0 ? asicPowerKw / 1000 : null);
  if (powerMw === null) return null;
  return {
    id,
    name: configured?.name ?? live?.name ?? id,
    power_mw: roundTo(powerMw, 4),
    power_price_usd_per_kwh: configured?.power_price_usd_per_kwh ?? p.default_power_price_usd_per_kwh,
    uptime: uptime === null ? 1 : roundTo(uptime, 4),
    efficiency_jth: efficiencyJth === null ? null : roundTo(efficiencyJth, 3),
    ai_eligible: configured?.ai_eligible ?? !configured?.hosted,
    provenance: {
      power_mw: configured?.capacity_mw !== undefined ? 'config' : 'measured',
      power_price_usd_per_kwh: configured?.power_price_usd_per_kwh !== undefined ? 'config' : 'assumed',
      uptime: uptime === null ? 'assumed' : 'measured',
      efficiency_jth: efficiencyJth === null ? 'assumed' : 'measured',
    },
    measured: {
      hashrate_ths: hashrateThs === null ? null : roundTo(hashrateThs, 3),
      power_kw: powerKw === null ? null : roundTo(powerKw, 3),
      asic_power_kw: asicPowerKw === null ? null : roundTo(asicPowerKw, 3),
      efficiency_jth: efficiencyJth === null ? null : roundTo(efficiencyJth, 3),
      uptime: uptime === null ? null : roundTo(uptime, 4),
      power_sources: powerSources,
      rigs: asics.length,
      window_points: hashrate.points,
      window_covered_s: Math.round((hashrate.points * hashrate.stepMs) / 1000),
      sufficient: enough,
    },
    inference: null,
  };
}

/** Config `sites[]` planner economics (hosted terms, site opex, miner book), copied into the plan input when set. */
function plannerSiteFields(config: Config, id: string): Partial<PlanInputRaw['sites'][number]> {
  const c = config.sites.find((s) => s.id === id);
  if (!c) return {};
  const keys = ['hosted', 'take_or_pay_share', 'contract_months_left', 'site_opex_usd_per_day', 'miner_book_value_usd', 'miner_life_years'] as const;
  return Object.fromEntries(keys.filter((k) => c[k] !== undefined).map((k) => [k, c[k]]));
}

/** The live baseline: every site the fleet reports or the config lists, and a plan input built from them. */
export async function buildBaseline(state: FleetState, store: HistoryStore, config: Config, windowMs: number, now = Date.now()): Promise<Baseline> {
  const from = now - windowMs;
  const ids = [...new Set([...state.siteIds(), ...config.sites.map((s) => s.id)])].sort();
  const sites = (await Promise.all(ids.map((id) => baselineSite(id, state, store, config, from, now)))).filter((s): s is BaselineSite => s !== null);
  const p = config.planner;
  const inference = measuredInference(state, sites.map((s) => s.id));
  for (const site of sites) site.inference = inference.perSite.get(site.id) ?? null;
  const tokens = applyMeasuredTokens({ ...p.ai }, inference.fleet);
  const input: PlanInputRaw = {
    market: { ...p.market },
    sites: sites.map((s) => ({
      id: s.id,
      name: s.name,
      power_mw: s.power_mw,
      power_price_usd_per_kwh: s.power_price_usd_per_kwh,
      uptime: s.uptime,
      efficiency_jth: s.efficiency_jth ?? p.default_efficiency_jth,
      ai_eligible: s.ai_eligible,
      ...plannerSiteFields(config, s.id),
    })),
    ai: tokens.ai,
    finance: { ...p.finance },
    constraints: { ...p.constraints },
    ...(p.treasury ? { treasury: { ...p.treasury } } : {}),
  };
  return { window: { from, to: now }, sites, input, ai_provenance: tokens.provenance };
}
