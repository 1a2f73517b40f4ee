import type { Sample, SiteRollup } from '../contract/index.js';
import { liveHashrateThs } from '../fleet/health.js';
import type { SeriesMetric } from './types.js';

export type MetricValues = Record<SeriesMetric, number | null>;

const mean = (values: (number | null)[]): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
};
const max = (values: (number | null)[]): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.max(...known) : null;
};

/** The hottest board or chip sensor; a loop, as this runs for every sample ingested. */
function hottestBoard(boards: readonly { temp_c: number | null; chip_temp_c: number | null }[]): number | null {
  let hottest: number | null = null;
  for (const b of boards) {
    if (b.temp_c !== null && (hottest === null || b.temp_c > hottest)) hottest = b.temp_c;
    if (b.chip_temp_c !== null && (hottest === null || b.chip_temp_c > hottest)) hottest = b.chip_temp_c;
  }
  return hottest;
}

/**
 * The chartable figures of one rig sample. Temperature is the hottest hashboard or chip sensor (or GPU): the figure
 * the overheat alert compares and quotes, so the chart and the alert agree.
 */
export function sampleMetrics(sample: Sample): MetricValues {
  const powerKw = sample.power_w === null ? null : sample.power_w / 1000;
  if (sample.kind === 'asic') {
    const ths = liveHashrateThs(sample);
    return {
      hashrate_ths: ths,
      power_kw: powerKw,
      efficiency_jth: ths && sample.power_w !== null ? sample.power_w / ths : null,
      temp_c: hottestBoard(sample.boards),
      gpu_util_pct: null,
      tokens_per_s: null,
    };
  }
  return {
    hashrate_ths: null,
    power_kw: powerKw,
    efficiency_jth: null,
    temp_c: max(sample.gpus.map((g) => g.temp_c)),
    gpu_util_pct: mean(sample.gpus.filter((g) => !g.mig).map((g) => g.utilization_pct)),
    // Generated tokens per second (the inference server's, or the serving stack's own figure).
    tokens_per_s: sample.tokens_per_s,
  };
}

export function siteMetrics(site: SiteRollup): MetricValues {
  return {
    hashrate_ths: site.hashrate_ths,
    power_kw: site.power_kw,
    efficiency_jth: site.efficiency_jth,
    temp_c: null,
    gpu_util_pct: site.gpus.utilization_pct,
    tokens_per_s: null,
  };
}
