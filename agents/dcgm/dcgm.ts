import type { GpuEntry } from '../nvidia-smi/reading.js';
import { parseExposition } from './exposition.js';

/**
 * Figures read from a DCGM exporter (github.com/NVIDIA/dcgm-exporter). Every series carries `gpu` (index) and
 * `UUID`; under MIG the device-level series are repeated per GPU instance with `GPU_I_ID` and `GPU_I_PROFILE`.
 */
export interface DcgmDevice {
  gpuIndex: number | null;
  uuid: string | null;
  /** MIG GPU-instance id and profile ("3g.40gb"); null for a whole GPU. */
  gi: number | null;
  profile: string | null;
  xid: number | null;
  eccSbeVolatile: number | null;
  eccDbeVolatile: number | null;
  powerW: number | null;
  gpuUtilPct: number | null;
  /** DCGM_FI_PROF_GR_ENGINE_ACTIVE, a ratio 0..1: the utilization figure that also works per MIG instance. */
  grEngineActive: number | null;
  fbUsedMib: number | null;
  fbFreeMib: number | null;
  tempC: number | null;
  smClockMhz: number | null;
  modelName: string | null;
  driverVersion: string | null;
}

const FIELDS: Record<string, keyof DcgmDevice> = {
  DCGM_FI_DEV_XID_ERRORS: 'xid',
  DCGM_FI_DEV_ECC_SBE_VOL_TOTAL: 'eccSbeVolatile',
  DCGM_FI_DEV_ECC_DBE_VOL_TOTAL: 'eccDbeVolatile',
  DCGM_FI_DEV_POWER_USAGE: 'powerW',
  DCGM_FI_DEV_GPU_UTIL: 'gpuUtilPct',
  DCGM_FI_PROF_GR_ENGINE_ACTIVE: 'grEngineActive',
  DCGM_FI_DEV_FB_USED: 'fbUsedMib',
  DCGM_FI_DEV_FB_FREE: 'fbFreeMib',
  DCGM_FI_DEV_GPU_TEMP: 'tempC',
  DCGM_FI_DEV_SM_CLOCK: 'smClockMhz',
};

/**
 * DCGM reports a field it has no value for as a "blank" sentinel (DCGM_INT64_BLANK 0x7ffffffffffffff0,
 * DCGM_FP64_BLANK 140737488355328.0, dcgm_fields.h); anything that large is unknown, not a reading.
 */
const BLANK_THRESHOLD = 140737488355328;

function known(value: number): number | null {
  return Number.isFinite(value) && Math.abs(value) < BLANK_THRESHOLD ? value : null;
}

export interface DcgmReport {
  devices: DcgmDevice[];
  malformedLines: number;
}

export function parseDcgmMetrics(text: string): DcgmReport {
  const exposition = parseExposition(text);
  const byKey = new Map<string, DcgmDevice>();
  for (const sample of exposition.samples) {
    const field = FIELDS[sample.name];
    if (!field) continue;
    const { gpu, UUID, GPU_I_ID, GPU_I_PROFILE, modelName, DCGM_FI_DRIVER_VERSION } = sample.labels;
    const gpuIndex = gpu !== undefined && /^\d+$/.test(gpu) ? Number(gpu) : null;
    const gi = GPU_I_ID !== undefined && /^\d+$/.test(GPU_I_ID) ? Number(GPU_I_ID) : null;
    const key = `${UUID ?? gpuIndex}|${gi ?? ''}`;
    let device = byKey.get(key);
    if (!device) {
      device = {
        gpuIndex,
        uuid: UUID || null,
        gi,
        profile: GPU_I_PROFILE || null,
        xid: null,
        eccSbeVolatile: null,
        eccDbeVolatile: null,
        powerW: null,
        gpuUtilPct: null,
        grEngineActive: null,
        fbUsedMib: null,
        fbFreeMib: null,
        tempC: null,
        smClockMhz: null,
        modelName: modelName || null,
        driverVersion: DCGM_FI_DRIVER_VERSION || null,
      };
      byKey.set(key, device);
    }
    (device as unknown as Record<string, number | null>)[field] = known(sample.value);
  }
  return { devices: [...byKey.values()], malformedLines: exposition.malformed };
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const pct = (ratio: number): number => Math.min(100, Math.max(0, round1(ratio * 100)));

function sameGpu(entry: GpuEntry, device: DcgmDevice): boolean {
  if (entry.gpu.uuid && device.uuid) return entry.gpu.uuid === device.uuid;
  return device.gpuIndex === entry.gpu.index;
}

/**
 * Merges DCGM figures into nvidia-smi entries, matched by UUID (or index when either side has none) and, for MIG
 * instances, by GPU-instance id. nvidia-smi's own readings win; DCGM fills what it leaves unknown, adds the last
 * Xid (nvidia-smi has none), per-instance utilization under MIG, and the whole GPU's utilization under MIG as the
 * SM-weighted mean of its instances' graphics-engine activity (nvidia-smi reports "N/A" there).
 */
export function mergeDcgm(entries: GpuEntry[], report: DcgmReport): GpuEntry[] {
  return entries.map((entry) => {
    const forGpu = report.devices.filter((d) => sameGpu(entry, d));
    if (forGpu.length === 0) return entry;
    const gpu = { ...entry.gpu };
    if (entry.migInstance) {
      const instance = forGpu.find((d) => d.gi === entry.migInstance?.gi);
      if (!instance) return entry;
      if (instance.grEngineActive !== null) gpu.utilization_pct = pct(instance.grEngineActive);
      if (gpu.memory_used_mib === null) gpu.memory_used_mib = instance.fbUsedMib;
      if (instance.profile && gpu.name) gpu.name = gpu.name.replace(/ MIG GI (\d+)/, ` MIG ${instance.profile} GI $1`);
      return { ...entry, gpu };
    }
    // Device-level figures are the same on every series of the GPU; prefer the one without an instance label.
    const device = forGpu.find((d) => d.gi === null) ?? (forGpu[0] as DcgmDevice);
    const pick = <K extends keyof DcgmDevice>(key: K): DcgmDevice[K] | null =>
      device[key] ?? forGpu.find((d) => d[key] !== null)?.[key] ?? null;
    const xid = pick('xid');
    gpu.last_xid = xid !== null && xid > 0 ? Math.round(xid) : null;
    gpu.ecc_corrected ??= pick('eccSbeVolatile');
    gpu.ecc_uncorrected ??= pick('eccDbeVolatile');
    gpu.power_w ??= pick('powerW');
    if (gpu.uuid === null) gpu.uuid = device.uuid;
    if (gpu.utilization_pct === null) {
      const util = pick('gpuUtilPct');
      if (util !== null && !entry.migEnabled) gpu.utilization_pct = Math.min(100, Math.max(0, util));
      else if (entry.migEnabled) gpu.utilization_pct = migWeightedUtilization(entry, entries, forGpu);
    }
    return { ...entry, gpu };
  });
}

function migWeightedUtilization(parent: GpuEntry, entries: GpuEntry[], series: DcgmDevice[]): number | null {
  let weighted = 0;
  let sms = 0;
  for (const entry of entries) {
    if (!entry.migInstance || entry.gpu.index !== parent.gpu.index) continue;
    const active = series.find((d) => d.gi === entry.migInstance?.gi)?.grEngineActive ?? null;
    const weight = entry.migInstance.smCount ?? 1;
    if (active === null) continue;
    weighted += active * weight;
    sms += weight;
  }
  return sms > 0 ? pct(weighted / sms) : null;
}

/** Fetches and parses an exporter's /metrics with a timeout. Throws with a short reason on failure. */
export async function scrapeDcgm(url: string, timeoutMs: number): Promise<DcgmReport> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`DCGM exporter ${url} answered HTTP ${res.status}`);
  return parseDcgmMetrics(await res.text());
}
