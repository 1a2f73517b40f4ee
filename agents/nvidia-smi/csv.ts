import { emptyGpu, type GpuEntry, type GpuReport } from './reading.js';
import { clampPercent, parseCount, parseQuantity, parseText, parseVersion } from './values.js';
import { NvidiaSmiParseError } from './xml.js';

/**
 * Parser for `nvidia-smi --query-gpu=<fields> --format=csv[,noheader][,nounits]`.
 *
 * The agent asks for QUERY_FIELDS with `noheader,nounits`; recordings made with a header (and units) are read by
 * the header's column names, so any field order works. nvidia-smi prints the canonical name of an alias in its
 * header (`clocks.sm` comes back as `clocks.current.sm [MHz]`), hence the alias table. Values may still carry a
 * unit ("433.78 W") when `nounits` was not given; unknown values are "[N/A]", "[Not Supported]" and the like.
 *
 * MIG instances are not rows of --query-gpu (it only lists whole GPUs, with utilization.gpu "[N/A]" under MIG):
 * `mig.mode.current` says which GPUs run MIG, and the source adds the instances from `nvidia-smi -L` (list.ts);
 * per-instance memory and utilization need the XML format or DCGM.
 */
export const QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'driver_version',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'power.draw',
  'power.limit',
  'temperature.gpu',
  'clocks.sm',
  'ecc.mode.current',
  'ecc.errors.corrected.volatile.total',
  'ecc.errors.uncorrected.volatile.total',
  'mig.mode.current',
] as const;

export function queryArgs(fields: readonly string[] = QUERY_FIELDS): string[] {
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

export const QUERY_ARGS = queryArgs();

/** Fields the agent can do without: an older driver that does not know them is asked without them. */
export const OPTIONAL_FIELDS: readonly string[] = ['mig.mode.current', 'ecc.mode.current', 'pci.bus_id', 'driver_version'];

/** The field an "is not a valid field to query" answer names (drivers older than the field), or null. */
export function unknownQueryField(message: string): string | null {
  return /Field "([^"]+)" is not a valid field to query/.exec(message)?.[1] ?? null;
}

const ALIASES: Record<string, string[]> = {
  'clocks.sm': ['clocks.current.sm'],
  'power.limit': ['enforced.power.limit'],
  'pci.bus_id': ['gpu_bus_id'],
  'name': ['gpu_name'],
  'uuid': ['gpu_uuid'],
};

/** Header cell "memory.used [MiB]" → "memory.used". */
function columnName(cell: string): string {
  return cell.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}

function splitRow(line: string): string[] {
  // nvidia-smi separates with ", " and never quotes; product names contain no commas.
  return line.split(',').map((cell) => cell.trim());
}

function columnIndex(columns: string[], field: string): number {
  for (const name of [field, ...(ALIASES[field] ?? [])]) {
    const at = columns.indexOf(name);
    if (at >= 0) return at;
  }
  return -1;
}

/**
 * Parses the CSV. `fields` names the columns when the output has no header (defaults to QUERY_FIELDS); a first
 * line whose cells are field names is taken as the header instead.
 */
export function parseQueryGpuCsv(csv: string, fields: readonly string[] = QUERY_FIELDS): GpuReport {
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) return { driverVersion: null, entries: [] };
  let columns = [...fields];
  const first = splitRow(lines[0] as string).map(columnName);
  if (first.includes('index') || first.includes('uuid') || first.includes('name')) {
    columns = first;
    lines.shift();
  }
  const at = (field: string): number => columnIndex(columns, field);
  if (at('index') < 0 && at('uuid') < 0) throw new NvidiaSmiParseError('CSV has neither an index nor a uuid column');

  let driverVersion: string | null = null;
  const entries: GpuEntry[] = lines.map((line, row) => {
    const cells = splitRow(line);
    if (cells.length !== columns.length) {
      throw new NvidiaSmiParseError(`CSV row ${row + 1} has ${cells.length} cells, expected ${columns.length}`);
    }
    const get = (field: string): string | null => {
      const i = at(field);
      return i < 0 ? null : (cells[i] as string);
    };
    driverVersion ??= parseVersion(get('driver_version'));
    const eccOn = parseText(get('ecc.mode.current'));
    // With ECC disabled nvidia-smi still prints counters (often 0) that mean nothing: report unknown.
    const eccKnown = eccOn === null || eccOn === 'Enabled';
    return {
      gpu: {
        ...emptyGpu(parseCount(get('index')) ?? row),
        uuid: parseText(get('uuid')),
        name: parseText(get('name')),
        utilization_pct: clampPercent(parseQuantity(get('utilization.gpu'), '%')),
        memory_used_mib: parseQuantity(get('memory.used'), 'MiB'),
        memory_total_mib: parseQuantity(get('memory.total'), 'MiB'),
        power_w: parseQuantity(get('power.draw'), 'W'),
        power_limit_w: parseQuantity(get('power.limit'), 'W'),
        temp_c: parseQuantity(get('temperature.gpu'), 'C'),
        sm_clock_mhz: parseQuantity(get('clocks.sm'), 'MHz'),
        ecc_corrected: eccKnown ? parseCount(get('ecc.errors.corrected.volatile.total')) : null,
        ecc_uncorrected: eccKnown ? parseCount(get('ecc.errors.uncorrected.volatile.total')) : null,
      },
      pciBusId: parseText(get('pci.bus_id')),
      migInstance: null,
      migEnabled: parseText(get('mig.mode.current')) === 'Enabled',
    };
  });
  return { driverVersion, entries };
}
