import type { Gpu } from '../../server/contract/index.js';

/**
 * One entry of a GPU node as parsed from nvidia-smi, before it becomes a contract `Gpu`: the extra fields let DCGM
 * figures be merged in (by UUID, bus id, index and MIG GPU-instance id) and are dropped on publish.
 */
export interface GpuEntry {
  gpu: Gpu;
  pciBusId: string | null;
  /** Set for MIG instances: GPU-instance and compute-instance ids and the instance's SM count. */
  migInstance: { gi: number; ci: number | null; smCount: number | null } | null;
  /** True for a whole GPU whose MIG mode is enabled: its own utilization is not reported by nvidia-smi. */
  migEnabled: boolean;
}

export interface GpuReport {
  driverVersion: string | null;
  entries: GpuEntry[];
}

export function emptyGpu(index: number): Gpu {
  return {
    index,
    uuid: null,
    name: null,
    utilization_pct: null,
    memory_used_mib: null,
    memory_total_mib: null,
    power_w: null,
    power_limit_w: null,
    temp_c: null,
    sm_clock_mhz: null,
    ecc_corrected: null,
    ecc_uncorrected: null,
    // nvidia-smi has no "last Xid" query: Xid events go to the kernel log (NVRM: Xid ...) and to NVML's event API,
    // which a polling CLI cannot subscribe to. DCGM keeps the last one per GPU (DCGM_FI_DEV_XID_ERRORS), so the
    // value is filled from DCGM when it is configured and stays null (unknown) otherwise.
    last_xid: null,
    mig: false,
  };
}
