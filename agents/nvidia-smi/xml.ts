import { XMLParser } from 'fast-xml-parser';
import { emptyGpu, type GpuEntry, type GpuReport } from './reading.js';
import { clampPercent, parseCount, parseQuantity, parseText, parseVersion, sumKnown } from './values.js';

/**
 * Parser for `nvidia-smi -q -x` (nvsmi_device_v10 … v13 DTDs). Element names moved between schema versions, so
 * every figure is looked up under each name it has had:
 * - power: <power_readings><power_draw> (≤ v11); <gpu_power_readings><power_draw> (v12, driver 5xx);
 *   <gpu_power_readings><average_power_draw>/<instant_power_draw> (v12 from driver 550, v13).
 * - power limit: <enforced_power_limit>/<power_limit> (≤ v11); <current_power_limit> (≥ v12).
 * - volatile ECC: <single_bit>/<double_bit> with <total> (Pascal-era), or sram_/dram_ (un)correctable counters
 *   (Ampere and newer; Hopper splits SRAM uncorrectable into _parity and _secded).
 * - MIG: <mig_mode><current_mig>Enabled</current_mig> and <mig_devices><mig_device>… per instance.
 */
type Node = { [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'gpu' || name === 'mig_device',
});

export class NvidiaSmiParseError extends Error {}

function child(node: unknown, ...path: string[]): unknown {
  let current: unknown = node;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Node)[key];
  }
  return current;
}

/** Text of an element; an element with attributes or children has its text under '#text'. */
function text(node: unknown, ...path: string[]): string | null {
  const value = child(node, ...path);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null && typeof (value as Node)['#text'] === 'string') {
    return (value as Node)['#text'] as string;
  }
  return null;
}

/** The first path that holds a known value. */
function firstQuantity(node: unknown, unit: string, paths: string[][]): number | null {
  for (const path of paths) {
    const value = parseQuantity(text(node, ...path), unit);
    if (value !== null) return value;
  }
  return null;
}

const POWER_DRAW_PATHS = [
  ['power_readings', 'power_draw'],
  ['gpu_power_readings', 'power_draw'],
  // nvidia-smi's power.draw is the 1 s average on Ampere and newer; prefer it to the instantaneous reading.
  ['gpu_power_readings', 'average_power_draw'],
  ['gpu_power_readings', 'instant_power_draw'],
];
const POWER_LIMIT_PATHS = [
  ['power_readings', 'enforced_power_limit'],
  ['power_readings', 'power_limit'],
  ['gpu_power_readings', 'current_power_limit'],
  ['gpu_power_readings', 'enforced_power_limit'],
];

/** Volatile (since driver load) ECC counts: corrected and uncorrected. Null when ECC is off or unsupported. */
function volatileEcc(gpu: unknown): { corrected: number | null; uncorrected: number | null } {
  const mode = parseText(text(gpu, 'ecc_mode', 'current_ecc'));
  const volatile = child(gpu, 'ecc_errors', 'volatile');
  if (mode !== 'Enabled' || typeof volatile !== 'object' || volatile === null) return { corrected: null, uncorrected: null };
  const v = volatile as Node;
  if ('single_bit' in v || 'double_bit' in v) {
    return { corrected: parseCount(text(v, 'single_bit', 'total')), uncorrected: parseCount(text(v, 'double_bit', 'total')) };
  }
  const corrected: (number | null)[] = [];
  const uncorrected: (number | null)[] = [];
  for (const [key, value] of Object.entries(v)) {
    if (typeof value !== 'string') continue;
    if (key.includes('uncorrectable')) uncorrected.push(parseCount(value));
    else if (key.includes('correctable')) corrected.push(parseCount(value));
  }
  return { corrected: sumKnown(corrected), uncorrected: sumKnown(uncorrected) };
}

function gpuEntries(gpu: unknown, index: number): GpuEntry[] {
  const base = emptyGpu(index);
  const ecc = volatileEcc(gpu);
  const name = parseText(text(gpu, 'product_name'));
  const migEnabled = parseText(text(gpu, 'mig_mode', 'current_mig')) === 'Enabled';
  const whole: GpuEntry = {
    gpu: {
      ...base,
      uuid: parseText(text(gpu, 'uuid')),
      name,
      utilization_pct: clampPercent(parseQuantity(text(gpu, 'utilization', 'gpu_util'), '%')),
      memory_used_mib: parseQuantity(text(gpu, 'fb_memory_usage', 'used'), 'MiB'),
      memory_total_mib: parseQuantity(text(gpu, 'fb_memory_usage', 'total'), 'MiB'),
      power_w: firstQuantity(gpu, 'W', POWER_DRAW_PATHS),
      power_limit_w: firstQuantity(gpu, 'W', POWER_LIMIT_PATHS),
      temp_c: parseQuantity(text(gpu, 'temperature', 'gpu_temp'), 'C'),
      sm_clock_mhz: parseQuantity(text(gpu, 'clocks', 'sm_clock'), 'MHz'),
      ecc_corrected: ecc.corrected,
      ecc_uncorrected: ecc.uncorrected,
    },
    pciBusId: parseText(text(gpu, '@_id')) ?? parseText(text(gpu, 'pci', 'pci_bus_id')),
    migInstance: null,
    migEnabled,
  };
  const instances = child(gpu, 'mig_devices', 'mig_device');
  if (!migEnabled || !Array.isArray(instances)) return [whole];
  return [whole, ...instances.map((instance) => migEntry(instance, whole))];
}

/**
 * A MIG instance reports only its memory and its slice of the GPU (SMs, engines); power, temperature, clocks and
 * ECC belong to the whole GPU and stay on the parent entry so they are not counted twice.
 */
function migEntry(instance: unknown, parent: GpuEntry): GpuEntry {
  const gi = parseCount(text(instance, 'gpu_instance_id')) ?? 0;
  const ci = parseCount(text(instance, 'compute_instance_id'));
  return {
    gpu: {
      ...emptyGpu(parent.gpu.index),
      name: `${parent.gpu.name ?? 'GPU'} MIG GI ${gi}${ci === null ? '' : ` CI ${ci}`}`,
      memory_used_mib: parseQuantity(text(instance, 'fb_memory_usage', 'used'), 'MiB'),
      memory_total_mib: parseQuantity(text(instance, 'fb_memory_usage', 'total'), 'MiB'),
      mig: true,
    },
    pciBusId: parent.pciBusId,
    migInstance: { gi, ci, smCount: parseCount(text(instance, 'device_attributes', 'shared', 'multiprocessor_count')) },
    migEnabled: false,
  };
}

/** Parses the whole document. Throws NvidiaSmiParseError when it is not nvidia-smi XML at all. */
export function parseNvidiaSmiXml(xml: string): GpuReport {
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (err) {
    throw new NvidiaSmiParseError(`not valid XML: ${(err as Error).message.split('\n')[0]}`);
  }
  const log = child(doc, 'nvidia_smi_log');
  if (typeof log !== 'object' || log === null) throw new NvidiaSmiParseError('no <nvidia_smi_log> element');
  const gpus = child(log, 'gpu');
  const list = Array.isArray(gpus) ? gpus : [];
  // nvidia-smi lists GPUs in PCI bus order, which is also the order of its own GPU index.
  return {
    driverVersion: parseVersion(text(log, 'driver_version')),
    entries: list.flatMap((gpu, index) => gpuEntries(gpu, index)),
  };
}
