import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Sample, SiteRollup } from '../../server/contract/index.js';
import { encodeSample, encodeSiteRollup } from '../../server/store/influx/schema.js';
import { hasService, startInfluxDb, type Service } from '../helpers/services.js';

interface Panel {
  title: string;
  targets: { query: string }[];
}
const dashboards = readdirSync('config/grafana/dashboards')
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, panels: (JSON.parse(readFileSync(join('config/grafana/dashboards', file), 'utf8')) as { panels: Panel[] }).panels }));

/** Grafana's substitutions for an InfluxQL panel: time filter, interval and template variables. */
function substitute(query: string, vars: Record<string, string>): string {
  let q = query.replaceAll('$timeFilter', 'time > now() - 1h').replaceAll('$__interval', '30s');
  for (const [name, value] of Object.entries(vars)) q = q.replaceAll(`$${name}`, value);
  return q;
}

async function query(influx: Service, q: string): Promise<{ error?: string; series: number }> {
  const res = await fetch(`${influx.url}/query?db=rigline&q=${encodeURIComponent(q)}`, { method: 'POST' });
  const body = (await res.json()) as { error?: string; results?: { error?: string; series?: unknown[] }[] };
  const error = body.error ?? body.results?.find((r) => r.error)?.error;
  return { error, series: body.results?.reduce((n, r) => n + (r.series?.length ?? 0), 0) ?? 0 };
}

/**
 * Every Grafana panel's InfluxQL runs against a real InfluxDB 1.x holding what rigline writes (the schema's own
 * encoders over a simulated fleet, with replayed samples, GPU Xids and hourly rollups): no query errors, and every
 * panel shows data.
 */
describe.skipIf(!hasService('influxd', 'influxdb'))('Grafana panels against a real InfluxDB', () => {
  let influx: Service;
  let asicRig: string;
  let gpuRig: string;

  beforeAll(async () => {
    influx = await startInfluxDb();
    const setup = ['CREATE DATABASE rigline', 'CREATE RETENTION POLICY rollup_1h ON rigline DURATION INF REPLICATION 1'];
    for (const q of setup) expect((await query(influx, q)).error).toBeUndefined();
    const now = Date.now();
    const model = new FleetModel({ sites: 2, rigsPerSite: 9, seed: 21, intervalMs: 30_000, faultRate: 0, gpuEvery: 3, startMs: now - 120_000 });
    const samples: Sample[] = [];
    for (const [tick, ts] of [now - 90_000, now - 60_000, now - 30_000].entries()) {
      for (const site of model.sites) samples.push(...model.samplesAt(site, tick, ts));
    }
    // A replayed sample and a GPU with an Xid and ECC counts, so those panels have something to show.
    const gpu = samples.find((s): s is Extract<Sample, { kind: 'gpu' }> => s.kind === 'gpu') as Extract<Sample, { kind: 'gpu' }>;
    samples.push({ ...gpu, ts: now - 45_000, historical: true, gpus: gpu.gpus.map((g) => ({ ...g, last_xid: 79, ecc_corrected: 2, ecc_uncorrected: 1 })) });
    asicRig = (samples.find((s) => s.kind === 'asic') as Sample).rig;
    gpuRig = gpu.rig;
    const lines = samples.map((s) => encodeSample(s).lines);
    const rollups: string[] = [];
    for (const site of model.sites) {
      for (const ts of [now - 90_000, now - 60_000, now - 30_000]) {
        const rollup: SiteRollup = {
          id: site.id,
          name: site.name,
          rigs: { total: 9, online: 7, degraded: 1, offline: 1 },
          hashrate_ths: 900,
          power_kw: 27,
          efficiency_jth: 30,
          gpus: { total: 3, online: 3, utilization_pct: 60 },
        };
        lines.push(encodeSiteRollup(ts, rollup));
      }
      rollups.push(`site,site=${site.id} power_kw_sum=54,power_kw_count=2 ${(now - 60_000) * 1_000_000}`);
    }
    for (const [rp, body] of [['', lines.join('\n')], ['&rp=rollup_1h', rollups.join('\n')]] as const) {
      const res = await fetch(`${influx.url}/write?db=rigline&precision=${rp ? 'ns' : 'ms'}${rp}`, { method: 'POST', body });
      expect(res.status, await res.text()).toBe(204);
    }
  });
  afterAll(async () => influx?.dispose());

  for (const { file, panels } of dashboards) {
    it(`${file}: every panel's query runs without error and returns data`, async () => {
      for (const panel of panels) {
        let found = 0;
        // The rig dashboard: an ASIC miner's panels and a GPU node's panels each show data for their kind of rig.
        for (const rig of file === 'rig.json' ? [asicRig, gpuRig] : [asicRig]) {
          for (const target of panel.targets) {
            const result = await query(influx, substitute(target.query, { site: 'site-01', rig }));
            expect(result.error, `${file} "${panel.title}": ${target.query}`).toBeUndefined();
            found += result.series;
          }
        }
        expect(found, `${file} "${panel.title}" shows no data`).toBeGreaterThan(0);
      }
    });
  }
});
