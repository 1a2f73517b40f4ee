import { emptyGpu, type GpuEntry, type GpuReport } from './reading.js';

/** One GPU of `nvidia-smi -L`, with the MIG devices listed under it. */
export interface ListedGpu {
  index: number;
  name: string;
  uuid: string | null;
  mig: { profile: string; device: number; uuid: string | null }[];
}

/**
 * Parses `nvidia-smi -L`:
 *   GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)
 *     MIG 3g.40gb     Device  0: (UUID: MIG-…)
 * The MIG lines name each instance's profile (compute slices, memory) and UUID; `--query-gpu` CSV lists whole GPUs
 * only, so this is how CSV mode learns which instances exist.
 */
export function parseListGpus(text: string): ListedGpu[] {
  const gpus: ListedGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    const gpu = /^GPU (\d+): (.+?)(?: \(UUID: ([^)]+)\))?\s*$/.exec(line);
    if (gpu) {
      gpus.push({ index: Number(gpu[1]), name: (gpu[2] ?? '').trim(), uuid: gpu[3] ?? null, mig: [] });
      continue;
    }
    const mig = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)]+)\)/.exec(line);
    const parent = gpus.at(-1);
    if (mig && parent) parent.mig.push({ profile: mig[1] ?? '', device: Number(mig[2]), uuid: mig[3] ?? null });
  }
  return gpus;
}

/**
 * Adds the MIG instances `nvidia-smi -L` lists after each MIG-enabled GPU of a CSV report, as `mig: true` entries
 * named by profile ("NVIDIA H100 80GB HBM3 MIG 3g.40gb"). What CSV mode cannot give per instance (memory used,
 * utilization, GPU-instance id) stays null: XML mode (`-q -x`) or DCGM has those.
 */
export function withMigInstances(report: GpuReport, listed: ListedGpu[]): GpuReport {
  const entries: GpuEntry[] = [];
  for (const entry of report.entries) {
    entries.push(entry);
    if (!entry.migEnabled) continue;
    const gpu = listed.find((g) => (entry.gpu.uuid !== null && g.uuid === entry.gpu.uuid) || g.index === entry.gpu.index);
    for (const instance of gpu?.mig ?? []) {
      entries.push({
        gpu: { ...emptyGpu(entry.gpu.index), uuid: instance.uuid, name: `${entry.gpu.name ?? gpu?.name ?? 'GPU'} MIG ${instance.profile}`, mig: true },
        pciBusId: entry.pciBusId,
        migInstance: null,
        migEnabled: false,
      });
    }
  }
  return { ...report, entries };
}
