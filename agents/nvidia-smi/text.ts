import { emptyGpu, type GpuEntry, type GpuReport } from './reading.js';
import { clampPercent, parseCount, parseQuantity, parseText, parseVersion, sumKnown } from './values.js';
import { NvidiaSmiParseError } from './xml.js';

/**
 * Parser for the human-readable `nvidia-smi -q` report: an indented tree (4 spaces a level) of `Key : value` lines
 * and section headers; each GPU is a top-level `GPU <bus id>` section, MIG instances are repeated `MIG Device`
 * sections inside it. Used by `format: text` (some vGPU guests and wrappers only expose this form) and to read the
 * MIG layout of recordings that have no XML. Labels changed between drivers like the XML tags did: power moved
 * from "Power Readings / Power Draw" to "GPU Power Readings / Average|Instantaneous Power Draw", and driver 610
 * moved the limit under "GPU Ceiling Power Limit".
 */
interface Section {
  values: Map<string, string[]>;
  sections: Map<string, Section[]>;
}

const newSection = (): Section => ({ values: new Map(), sections: new Map() });
const KEY_VALUE = /^(.*?\S)\s+:(?:\s(.*))?$/;

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function parseTree(text: string): Section {
  const root = newSection();
  const stack: { indent: number; section: Section }[] = [{ indent: -1, section: root }];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || /^=+.*=+$/.test(raw.trim())) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    while ((stack.at(-1) as { indent: number }).indent >= indent) stack.pop();
    const parent = (stack.at(-1) as { section: Section }).section;
    const kv = KEY_VALUE.exec(line);
    if (kv) {
      push(parent.values, (kv[1] as string).toLowerCase(), (kv[2] ?? '').trim());
    } else {
      const section = newSection();
      push(parent.sections, line.toLowerCase(), section);
      stack.push({ indent, section });
    }
  }
  return root;
}

function value(section: Section | undefined, ...path: string[]): string | null {
  let current = section;
  for (const key of path.slice(0, -1)) current = current?.sections.get(key)?.[0];
  return current?.values.get(path[path.length - 1] as string)?.[0] ?? null;
}

function firstQuantity(section: Section, unit: string, paths: string[][]): number | null {
  for (const path of paths) {
    const v = parseQuantity(value(section, ...path), unit);
    if (v !== null) return v;
  }
  return null;
}

function volatileEcc(gpu: Section): { corrected: number | null; uncorrected: number | null } {
  const volatile = gpu.sections.get('ecc errors')?.[0]?.sections.get('volatile')?.[0];
  if (parseText(value(gpu, 'ecc mode', 'current')) !== 'Enabled' || !volatile) return { corrected: null, uncorrected: null };
  if (volatile.sections.has('single bit') || volatile.sections.has('double bit')) {
    return { corrected: parseCount(value(volatile, 'single bit', 'total')), uncorrected: parseCount(value(volatile, 'double bit', 'total')) };
  }
  const corrected: (number | null)[] = [];
  const uncorrected: (number | null)[] = [];
  for (const [key, values] of volatile.values) {
    if (key.includes('uncorrectable')) uncorrected.push(parseCount(values[0]));
    else if (key.includes('correctable')) corrected.push(parseCount(values[0]));
  }
  return { corrected: sumKnown(corrected), uncorrected: sumKnown(uncorrected) };
}

function gpuEntries(header: string, gpu: Section, index: number): GpuEntry[] {
  const ecc = volatileEcc(gpu);
  const name = parseText(value(gpu, 'product name'));
  const migEnabled = parseText(value(gpu, 'mig mode', 'current')) === 'Enabled';
  const whole: GpuEntry = {
    gpu: {
      ...emptyGpu(index),
      uuid: parseText(value(gpu, 'gpu uuid')),
      name,
      utilization_pct: clampPercent(parseQuantity(value(gpu, 'utilization', 'gpu'), '%')),
      memory_used_mib: parseQuantity(value(gpu, 'fb memory usage', 'used'), 'MiB'),
      memory_total_mib: parseQuantity(value(gpu, 'fb memory usage', 'total'), 'MiB'),
      power_w: firstQuantity(gpu, 'W', [
        ['power readings', 'power draw'],
        ['gpu power readings', 'power draw'],
        ['gpu power readings', 'average power draw'],
        ['gpu power readings', 'instantaneous power draw'],
      ]),
      power_limit_w: firstQuantity(gpu, 'W', [
        ['power readings', 'enforced power limit'],
        ['power readings', 'power limit'],
        ['gpu power readings', 'current power limit'],
        ['gpu power readings', 'gpu ceiling power limit', 'current power limit'],
      ]),
      temp_c: parseQuantity(value(gpu, 'temperature', 'gpu current temp'), 'C'),
      sm_clock_mhz: parseQuantity(value(gpu, 'clocks', 'sm'), 'MHz'),
      ecc_corrected: ecc.corrected,
      ecc_uncorrected: ecc.uncorrected,
    },
    pciBusId: header.slice('gpu '.length).toUpperCase(),
    migInstance: null,
    migEnabled,
  };
  if (!migEnabled) return [whole];
  const instances = (gpu.sections.get('mig device') ?? []).map((mig): GpuEntry => {
    const gi = parseCount(value(mig, 'gpu instance id')) ?? 0;
    const ci = parseCount(value(mig, 'compute instance id'));
    const memory = mig.sections.has('shared fb memory usage') ? 'shared fb memory usage' : 'fb memory usage';
    return {
      gpu: {
        ...emptyGpu(index),
        name: `${name ?? 'GPU'} MIG GI ${gi}${ci === null ? '' : ` CI ${ci}`}`,
        memory_used_mib: parseQuantity(value(mig, memory, 'used'), 'MiB'),
        memory_total_mib: parseQuantity(value(mig, memory, 'total'), 'MiB'),
        mig: true,
      },
      pciBusId: whole.pciBusId,
      migInstance: { gi, ci, smCount: parseCount(value(mig, 'device attributes', 'shared', 'multiprocessor count')) },
      migEnabled: false,
    };
  });
  return [whole, ...instances];
}

export function parseNvidiaSmiText(text: string): GpuReport {
  const root = parseTree(text);
  const gpus = [...root.sections].filter(([key]) => /^gpu [0-9a-f]+:[0-9a-f]+:[0-9a-f]+\.[0-9a-f]+$/.test(key));
  if (gpus.length === 0 && value(root, 'driver version') === null) throw new NvidiaSmiParseError('not nvidia-smi -q output');
  let index = 0;
  const entries: GpuEntry[] = [];
  for (const [header, sections] of gpus) for (const gpu of sections) entries.push(...gpuEntries(header, gpu, index++));
  return { driverVersion: parseVersion(value(root, 'driver version')), entries };
}
