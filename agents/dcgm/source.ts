import { toGpuSample } from '../nvidia-smi/sample.js';
import { emptyGpu, type GpuEntry, type GpuReport } from '../nvidia-smi/reading.js';
import type { PollResult, PollSource } from '../source.js';
import { scrapeDcgm, type DcgmDevice, type DcgmReport } from './dcgm.js';

const pct = (ratio: number): number => Math.min(100, Math.max(0, Math.round(ratio * 1000) / 10));

/** Compute slices of a MIG profile ("3g.40gb" → 3), the weight of an instance in its GPU's utilization. */
function slices(profile: string | null): number {
  const match = profile ? /^(\d+)g\./.exec(profile) : null;
  return match ? Number(match[1]) : 1;
}

/**
 * A GPU node seen through its DCGM exporter only (no nvidia-smi on the agent's host, e.g. an exporter in a
 * Kubernetes cluster). Whole GPUs come from the device-level series; under MIG, one entry per GPU instance follows
 * its GPU, with the instance's framebuffer and graphics-engine activity.
 */
export function dcgmToReport(report: DcgmReport): GpuReport {
  const byGpu = new Map<string, DcgmDevice[]>();
  for (const device of report.devices) {
    const key = device.uuid ?? String(device.gpuIndex);
    byGpu.set(key, [...(byGpu.get(key) ?? []), device]);
  }
  const entries: GpuEntry[] = [];
  const gpus = [...byGpu.values()].sort((a, b) => (a[0]?.gpuIndex ?? 0) - (b[0]?.gpuIndex ?? 0));
  for (const [position, series] of gpus.entries()) {
    const first = series[0] as DcgmDevice;
    const index = first.gpuIndex ?? position;
    const pick = <K extends keyof DcgmDevice>(key: K): DcgmDevice[K] | null => series.find((d) => d[key] !== null)?.[key] ?? null;
    const instances = series.filter((d) => d.gi !== null).sort((a, b) => (a.gi as number) - (b.gi as number));
    const mig = instances.length > 0;
    const xid = pick('xid');
    const util = pick('gpuUtilPct');
    let migUtil: number | null = null;
    if (mig) {
      const known = instances.filter((d) => d.grEngineActive !== null);
      const weight = known.reduce((sum, d) => sum + slices(d.profile), 0);
      migUtil = weight > 0 ? pct(known.reduce((sum, d) => sum + (d.grEngineActive as number) * slices(d.profile), 0) / weight) : null;
    }
    const used = mig ? null : pick('fbUsedMib');
    const free = mig ? null : pick('fbFreeMib');
    entries.push({
      gpu: {
        ...emptyGpu(index),
        uuid: first.uuid,
        name: first.modelName,
        utilization_pct: mig ? migUtil : util === null ? null : Math.min(100, Math.max(0, util)),
        memory_used_mib: used,
        memory_total_mib: used !== null && free !== null ? used + free : null,
        power_w: pick('powerW'),
        temp_c: pick('tempC'),
        sm_clock_mhz: pick('smClockMhz'),
        ecc_corrected: pick('eccSbeVolatile'),
        ecc_uncorrected: pick('eccDbeVolatile'),
        last_xid: xid !== null && xid > 0 ? Math.round(xid) : null,
      },
      pciBusId: null,
      migInstance: null,
      migEnabled: mig,
    });
    for (const d of instances) {
      entries.push({
        gpu: {
          ...emptyGpu(index),
          name: `${first.modelName ?? 'GPU'} MIG ${d.profile ?? ''} GI ${d.gi}`.replace(/\s+/g, ' '),
          utilization_pct: d.grEngineActive === null ? null : pct(d.grEngineActive),
          memory_used_mib: d.fbUsedMib,
          memory_total_mib: d.fbUsedMib !== null && d.fbFreeMib !== null ? d.fbUsedMib + d.fbFreeMib : null,
          mig: true,
        },
        pciBusId: null,
        migInstance: { gi: d.gi as number, ci: null, smCount: null },
        migEnabled: false,
      });
    }
  }
  return { driverVersion: report.devices.find((d) => d.driverVersion)?.driverVersion ?? null, entries };
}

export interface DcgmSourceOptions {
  site: string;
  rig: string;
  url: string;
  timeoutMs?: number;
  intervalS: number;
}

export function createDcgmSource(options: DcgmSourceOptions): PollSource {
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    rig: options.rig,
    description: `DCGM exporter ${options.url}`,
    async poll(): Promise<PollResult> {
      const ts = Date.now();
      let report: DcgmReport;
      try {
        report = await scrapeDcgm(options.url, timeoutMs);
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      }
      if (report.devices.length === 0) return { ok: false, error: `${options.url} has no DCGM_FI_* GPU series` };
      const errors = report.malformedLines > 0 ? [`${report.malformedLines} malformed lines in ${options.url}`] : [];
      const sample = toGpuSample(dcgmToReport(report), { site: options.site, rig: options.rig, ts, intervalS: options.intervalS, hostModel: null, errors });
      return { ok: true, samples: [sample] };
    },
  };
}
