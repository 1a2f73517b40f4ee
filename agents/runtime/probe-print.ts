import type { AsicSample, GpuSample } from '../../server/contract/index.js';

const show = (value: number | string | null | undefined, unit = ''): string => (value === null || value === undefined ? '-' : `${value}${unit}`);

/** Human-readable summary of a GPU sample, one line per GPU or MIG instance. */
export function formatGpuSample(sample: GpuSample): string {
  const lines = [
    `driver ${show(sample.driver_version)}  host ${show(sample.host_model)}  node power ${show(sample.power_w, ' W')} (${show(sample.power_source)})`,
    'idx  name                                   util   memory (MiB)        power / limit (W)   temp   SM MHz   ECC c/u   Xid',
  ];
  for (const g of sample.gpus) {
    lines.push(
      [
        `${g.mig ? ' └' : ''}${g.index}`.padEnd(4),
        (g.name ?? '-').slice(0, 38).padEnd(38),
        show(g.utilization_pct, '%').padStart(5),
        `${show(g.memory_used_mib)} / ${show(g.memory_total_mib)}`.padStart(18),
        `${show(g.power_w)} / ${show(g.power_limit_w)}`.padStart(19),
        show(g.temp_c, '°C').padStart(6),
        show(g.sm_clock_mhz).padStart(8),
        `${show(g.ecc_corrected)}/${show(g.ecc_uncorrected)}`.padStart(9),
        show(g.last_xid).padStart(5),
      ].join(' '),
    );
  }
  const inf = sample.inference;
  if (inf) {
    // One scrape has no rates yet: gauges and the server's lifetime percentiles.
    lines.push(
      `inference ${inf.server} ${show(inf.model)}  running ${show(inf.requests_running)} waiting ${show(inf.requests_waiting)}  ` +
        `TTFT p50 ${show(inf.ttft_p50_ms, ' ms')} p99 ${show(inf.ttft_p99_ms, ' ms')}  TPOT p50 ${show(inf.tpot_p50_ms, ' ms')}  KV ${show(inf.kv_cache_usage_pct, '%')}  ` +
        `gen ${show(inf.generation_tokens_per_s, ' tok/s')}`,
    );
  }
  for (const error of sample.errors) lines.push(`! ${error}`);
  return lines.join('\n');
}

/**
 * Rounds a reading to the precision the device can give: a temperature sensor to 0.1 °C, a hashrate to 1 GH/s
 * (0.001 TH/s), power to 1 W, fans to 1 rpm. Float noise from unit conversion (45.827271728515655 °C) never shows.
 */
const fixed = (value: number | null | undefined, digits: number): number | null =>
  value === null || value === undefined ? null : Number(value.toFixed(digits));

/** A non-SHA-256 rate in base units (H/s, Sol/s) with an SI prefix: 504.56 MH/s. */
function siRate(value: number | null | undefined, unit: string | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const prefixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let scaled = value;
  let i = 0;
  while (Math.abs(scaled) >= 1000 && i < prefixes.length - 1) {
    scaled /= 1000;
    i++;
  }
  return `${Number(scaled.toFixed(2))} ${prefixes[i]}${unit ?? 'H/s'}`;
}

/** Human-readable summary of an ASIC sample. */
export function formatAsicSample(sample: AsicSample): string {
  const sha = sample.algorithm === undefined || sample.algorithm === 'sha256';
  const ths = (v: number | null): string => show(fixed(v, 3), ' TH/s');
  const rate = sha
    ? `hashrate ${ths(sample.hashrate_5s_ths)} now, ${ths(sample.hashrate_avg_ths)} avg, nameplate ${ths(sample.nameplate_ths)}`
    : `hashrate ${siRate(sample.algo_hashrate_5s, sample.algo_hashrate_unit)} now, ${siRate(sample.algo_hashrate_avg, sample.algo_hashrate_unit)} avg, ` +
      `nameplate ${siRate(sample.algo_nameplate, sample.algo_hashrate_unit)} (${sample.algorithm}: not bitcoin hashrate)`;
  const lines = [
    `${show(sample.model)} (${show(sample.family)}, firmware ${show(sample.firmware)})  status ${show(sample.status_text)}`,
    rate,
    `power ${show(fixed(sample.power_w, 0), ' W')} (${show(sample.power_source)})  uptime ${show(sample.uptime_s, ' s')}  fans ${sample.fans_rpm.map((f) => show(fixed(f, 0))).join(' ') || '-'} rpm`,
  ];
  for (const b of sample.boards) {
    const boardRate = sha ? ths(b.hashrate_ths) : siRate(b.algo_hashrate, sample.algo_hashrate_unit);
    lines.push(
      `board ${b.index}: ${boardRate}, ${show(fixed(b.temp_c, 1), '°C')} board / ${show(fixed(b.chip_temp_c, 1), '°C')} chip, chips ${show(b.chips)}/${show(b.expected_chips)}`,
    );
  }
  for (const p of sample.pools) {
    lines.push(`pool ${p.active ? '*' : ' '} ${p.url} ${p.status} accepted ${show(p.accepted)} rejected ${show(p.rejected)} stale ${show(p.stale)}`);
  }
  for (const error of sample.errors) lines.push(`! ${error}`);
  return lines.join('\n');
}
