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

/** Human-readable summary of an ASIC sample. */
export function formatAsicSample(sample: AsicSample): string {
  const lines = [
    `${show(sample.model)} (${show(sample.family)}, firmware ${show(sample.firmware)})  status ${show(sample.status_text)}`,
    `hashrate ${show(sample.hashrate_5s_ths, ' TH/s')} now, ${show(sample.hashrate_avg_ths, ' TH/s')} avg, nameplate ${show(sample.nameplate_ths, ' TH/s')}`,
    `power ${show(sample.power_w, ' W')} (${show(sample.power_source)})  uptime ${show(sample.uptime_s, ' s')}  fans ${sample.fans_rpm.map((f) => show(f)).join(' ') || '-'} rpm`,
  ];
  for (const b of sample.boards) {
    lines.push(`board ${b.index}: ${show(b.hashrate_ths, ' TH/s')}, ${show(b.temp_c, '°C')} board / ${show(b.chip_temp_c, '°C')} chip, chips ${show(b.chips)}/${show(b.expected_chips)}`);
  }
  for (const p of sample.pools) {
    lines.push(`pool ${p.active ? '*' : ' '} ${p.url} ${p.status} accepted ${show(p.accepted)} rejected ${show(p.rejected)} stale ${show(p.stale)}`);
  }
  for (const error of sample.errors) lines.push(`! ${error}`);
  return lines.join('\n');
}
