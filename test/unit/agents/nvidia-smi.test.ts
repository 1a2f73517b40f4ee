import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GpuSample } from '../../../server/contract/index.js';
import { NvidiaSmiParseError, parseListGpus, parseNvidiaSmiText, parseNvidiaSmiXml, parseQueryGpuCsv, toGpuSample, withMigInstances } from '../../../agents/nvidia-smi/index.js';
import { captureSection } from '../../helpers/nvidia-smi-capture.js';

const FIXTURES = 'test/fixtures/gpu';
const xml = (file: string): string => readFileSync(join(FIXTURES, 'nvidia-smi-xml', file), 'utf8');
const capture = (file: string): string => join(FIXTURES, 'nvidia-smi-captures', file);

type Row = [string, string, number | null, number, number, number | null, number | null, number, number, number | null, number | null];
// file, name, util %, mem used, mem total, power W, limit W, temp C, SM MHz, ECC corrected, ECC uncorrected —
// read by hand from each recording (power: <power_draw>, or <average_power_draw> where the schema has it).
const XML_CASES: Row[] = [
  ['a100-sxm4-v12.xml', 'NVIDIA A100-SXM4-80GB', null, 50, 81920, 67.03, 500, 27, 1275, 0, 0],
  ['a10g.xml', 'NVIDIA A10G', 0, 22, 23028, 25.58, 300, 17, 210, 0, 0],
  ['gtx-1070-ti.xml', 'GeForce GTX 1070 Ti', 0, 42, 4096, null, null, 39, 135, null, null],
  ['gtx-1660-ti.xml', 'Graphics Device', 0, 0, 5912, 8.93, 130, 40, 300, null, null],
  ['quadro-p2000-v12.xml', 'Quadro P2000', 0, 1, 5120, 4.61, 75, 34, 139, null, null],
  ['quadro-p400.xml', 'Quadro P400', 0, 0, 1998, null, null, 33, 139, null, null],
  ['rtx-3060-v12.xml', 'NVIDIA GeForce RTX 3060', 0, 116, 12288, 11.6, 170, 42, 210, null, null],
  ['rtx-3080-v12.xml', 'NVIDIA GeForce RTX 3080', 0, 1128, 10240, 22.78, 336, 31, 210, null, null],
  ['rtx-3080-v13.xml', 'NVIDIA GeForce RTX 3080', 65, 9184, 10240, 139.62, 320, 27, 1950, null, null],
  ['rtx-3090-v12.xml', 'NVIDIA GeForce RTX 3090', 0, 1, 24576, 27.23, 200, 37, 0, null, null],
  ['rtx-4000-sff-ada-v13.xml', 'NVIDIA RTX 4000 SFF Ada Generation', 0, 3534, 20475, 8.81, 70, 38, 210, null, null],
  ['tesla-t4.xml', 'Tesla T4', 0, 1032, 15360, 26.78, 70, 40, 585, 0, 0],
];

function expectGpu(actual: unknown, row: Row): void {
  const [, name, util, used, total, power, limit, temp, sm, corrected, uncorrected] = row;
  expect(actual).toMatchObject({
    name,
    utilization_pct: util,
    memory_used_mib: used,
    memory_total_mib: total,
    power_w: power,
    power_limit_w: limit,
    temp_c: temp,
    sm_clock_mhz: sm,
    ecc_corrected: corrected,
    ecc_uncorrected: uncorrected,
    last_xid: null,
    mig: false,
  });
}

describe('nvidia-smi -q -x parser (schema v10 to v13)', () => {
  it.each(XML_CASES)('%s', (file, ...rest) => {
    const report = parseNvidiaSmiXml(xml(file));
    const whole = report.entries.filter((e) => !e.gpu.mig);
    expect(whole).toHaveLength(1);
    expectGpu(whole[0]?.gpu, [file, ...rest]);
  });

  it('reads driver version, UUID and bus id', () => {
    const report = parseNvidiaSmiXml(xml('tesla-t4.xml'));
    expect(report.driverVersion).toBe('515.105.01');
    expect(report.entries[0]?.gpu.uuid).toBe('GPU-d37e67a5-91dd-3774-a5cb-99096249601a');
    expect(report.entries[0]?.pciBusId).toBe('00000000:00:1E.0');
  });

  it('lists MIG instances of an A100 as mig entries after their parent', () => {
    const report = parseNvidiaSmiXml(xml('a100-sxm4-v12.xml'));
    const [parent, ...instances] = report.entries;
    expect(parent?.migEnabled).toBe(true);
    expect(parent?.gpu.utilization_pct).toBeNull(); // nvidia-smi reports N/A under MIG
    expect(instances.map((e) => e.migInstance?.gi)).toEqual([3, 4, 5, 6]);
    for (const instance of instances) {
      expect(instance.gpu).toMatchObject({ index: 0, mig: true, memory_used_mib: 12, memory_total_mib: 19968, power_w: null, temp_c: null });
      expect(instance.migInstance?.smCount).toBe(14);
    }
  });

  it('rejects documents that are not nvidia-smi XML', () => {
    expect(() => parseNvidiaSmiXml('<html><body>no</body></html>')).toThrow(NvidiaSmiParseError);
    expect(() => parseNvidiaSmiXml('<nvidia_smi_log><gpu>')).toThrow(NvidiaSmiParseError);
  });
});

type CsvRow = [string, 'idle' | 'load', ...Row];
// Values read by hand from each capture's query-gpu section (power.draw, power.limit, clocks.current.sm…).
const CSV_CASES: CsvRow[] = [
  ['linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt', 'load', '', 'NVIDIA H100 80GB HBM3', 100, 19818, 81559, 631.95, 700, 59, 1980, 0, 0],
  ['linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt', 'idle', '', 'NVIDIA H100 80GB HBM3', 0, 0, 81559, 69.85, 700, 41, 345, 0, 0],
  ['linux-x86_64__nvidia-h100-mig__590.48.01.txt', 'load', '', 'NVIDIA H100 80GB HBM3', null, 11125, 81559, 433.78, 700, 53, 1980, 0, 0],
  ['linux-x86_64__nvidia-h200__590.48.01.txt', 'load', '', 'NVIDIA H200', 100, 32362, 143771, 627.4, 700, 52, 1980, 0, 0],
  ['linux-x86_64__nvidia-h200-mig__590.48.01.txt', 'load', '', 'NVIDIA H200', null, 16959, 143771, 295.01, 700, 36, 1980, 0, 0],
  ['linux-x86_64__nvidia-l40s__595.80.txt', 'idle', '', 'NVIDIA L40S', 100, 0, 46068, 144.97, 350, 63, 2520, 0, 0],
  ['linux-x86_64__nvidia-l40s__595.80.txt', 'load', '', 'NVIDIA L40S', 9, 1235, 46068, 110.23, 350, 54, 2520, 0, 0],
  ['linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05.txt', 'load', '', 'NVIDIA GeForce RTX 4080 SUPER', 7, 1474, 16376, 84.24, 320, 46, 2805, null, null],
  ['windows-x86_64__nvidia-geforce-rtx-2080-super__610.62.txt', 'load', '', 'NVIDIA GeForce RTX 2080 SUPER', 7, 1366, 8192, 97.99, 250, 44, 2040, null, null],
];

describe('nvidia-smi --query-gpu CSV parser', () => {
  it.each(CSV_CASES)('%s (%s, header and units)', (file, phase, ...row) => {
    const report = parseQueryGpuCsv(captureSection(capture(file), phase, 'query-gpu'));
    expect(report.entries).toHaveLength(1);
    expectGpu(report.entries[0]?.gpu, row);
    expect(report.entries[0]?.migEnabled).toBe(file.includes('-mig_'));
  });

  it('reads the agent’s own noheader,nounits output, with [N/A] and [Not Supported]', () => {
    const csv = [
      '0, GPU-aaaa, NVIDIA H100 80GB HBM3, 00000000:18:00.0, 570.133.20, 87, 61234, 81559, 612.40, 700.00, 61, 1980, Enabled, 3, 0, Disabled',
      '1, GPU-bbbb, NVIDIA GeForce RTX 4090, 00000000:3B:00.0, 570.133.20, [N/A], 0, 24564, [Not Supported], [Not Supported], 35, 210, [N/A], [N/A], [N/A], [N/A]',
    ].join('\n');
    const report = parseQueryGpuCsv(csv);
    expect(report.driverVersion).toBe('570.133.20');
    expect(report.entries.map((e) => e.gpu)).toMatchObject([
      { index: 0, uuid: 'GPU-aaaa', utilization_pct: 87, memory_used_mib: 61234, power_w: 612.4, power_limit_w: 700, temp_c: 61, ecc_corrected: 3, ecc_uncorrected: 0 },
      { index: 1, uuid: 'GPU-bbbb', utilization_pct: null, memory_used_mib: 0, power_w: null, power_limit_w: null, ecc_corrected: null },
    ]);
  });

  it('reads units inside values when nounits was not given, and reports rows of the wrong width', () => {
    const row = '0, GPU-c, Tesla T4, 00000000:00:1E.0, 515.105.01, 42 %, 1032 MiB, 15360 MiB, 26.78 W, 70.00 W, 40, 585 MHz, Enabled, 0, 0, [N/A]';
    expect(parseQueryGpuCsv(row).entries[0]?.gpu).toMatchObject({ utilization_pct: 42, memory_used_mib: 1032, power_w: 26.78, sm_clock_mhz: 585 });
    expect(() => parseQueryGpuCsv('0, GPU-c, Tesla T4')).toThrow(/3 cells, expected 16/);
  });
});

// The same captures' `nvidia-smi -q` report (load phase): power is "Average Power Draw" (or "Power Draw").
const TEXT_CASES: CsvRow[] = [
  ['linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt', 'load', '', 'NVIDIA H100 80GB HBM3', 100, 19818, 81559, 629.45, 700, 59, 1980, 0, 0],
  ['linux-x86_64__nvidia-h100-mig__590.48.01.txt', 'load', '', 'NVIDIA H100 80GB HBM3', null, 11125, 81559, 432.21, 700, 53, 1980, 0, 0],
  ['linux-x86_64__nvidia-h200__590.48.01.txt', 'load', '', 'NVIDIA H200', 100, 32362, 143771, 627.32, 700, 52, 1980, 0, 0],
  ['linux-x86_64__nvidia-h200-mig__590.48.01.txt', 'load', '', 'NVIDIA H200', null, 16959, 143771, 294.94, 700, 36, 1980, 0, 0],
  ['linux-x86_64__nvidia-l40s__595.80.txt', 'load', '', 'NVIDIA L40S', 9, 1235, 46068, 110.24, 350, 54, 2520, 0, 0],
  ['linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05.txt', 'load', '', 'NVIDIA GeForce RTX 4080 SUPER', 7, 1474, 16376, 84.03, 320, 45, 2805, null, null],
  // Driver 610: limit under "GPU Ceiling Power Limit", average draw N/A so the instantaneous one is used.
  ['windows-x86_64__nvidia-geforce-rtx-2080-super__610.62.txt', 'load', '', 'NVIDIA GeForce RTX 2080 SUPER', 7, 1366, 8192, 97.99, 250, 44, 2040, null, null],
];

describe('nvidia-smi -q text parser', () => {
  it.each(TEXT_CASES)('%s (%s)', (file, phase, ...row) => {
    const report = parseNvidiaSmiText(captureSection(capture(file), phase, 'query (-q)'));
    expect(report.entries.filter((e) => !e.gpu.mig)).toHaveLength(1);
    expectGpu(report.entries[0]?.gpu, row);
  });

  it('strips the deprecation note driver 610 appends to its version', () => {
    const report = parseNvidiaSmiText(captureSection(capture('windows-x86_64__nvidia-geforce-rtx-2080-super__610.62.txt'), 'load', 'query (-q)'));
    expect(report.driverVersion).toBe('610.62');
  });

  // Instances as listed in each capture's "MIG devices" table and -q sections: [GI, CI, used MiB, total MiB, SMs].
  it.each([
    ['linux-x86_64__nvidia-h100-mig__590.48.01.txt', [[2, 0, 11091, 40448, 60], [3, 0, 17, 20096, 32], [9, 0, 9, 9984, 16], [10, 0, 9, 9984, 16]]],
    ['linux-x86_64__nvidia-h200-mig__590.48.01.txt', [[2, 0, 16925, 71424, 16], [2, 1, 16925, 71424, 32], [3, 0, 17, 33280, 32], [9, 0, 9, 16384, 16], [10, 0, 9, 16384, 16]]],
  ])('lists the MIG instances of %s', (file, expected) => {
    const report = parseNvidiaSmiText(captureSection(capture(file), 'load', 'query (-q)'));
    const [parent, ...instances] = report.entries;
    expect(parent?.migEnabled).toBe(true);
    expect(instances.map((e) => [e.migInstance?.gi, e.migInstance?.ci, e.gpu.memory_used_mib, e.gpu.memory_total_mib, e.migInstance?.smCount])).toEqual(expected);
    expect(instances.every((e) => e.gpu.mig && e.gpu.index === 0 && e.gpu.power_w === null)).toBe(true);
  });

  it('rejects text that is not an nvidia-smi report', () => {
    expect(() => parseNvidiaSmiText('hello\nworld')).toThrow(NvidiaSmiParseError);
  });
});

describe('GPU sample', () => {
  it('sums whole-GPU board power as measured node power and validates against the contract', () => {
    const report = parseNvidiaSmiXml(xml('a100-sxm4-v12.xml'));
    const sample = toGpuSample(report, { site: 'site-a', rig: 'gpu-01', ts: 1_700_000_000_000, intervalS: 10, hostModel: 'DGX A100' });
    expect(GpuSample.parse(sample)).toEqual(sample);
    expect(sample.gpus).toHaveLength(5);
    expect(sample.power_w).toBe(67.03);
    expect(sample.power_source).toBe('measured');
    expect(sample.driver_version).toBe('535.54.03');
  });

  it('leaves node power unknown when no GPU reports it', () => {
    const sample = toGpuSample(parseNvidiaSmiXml(xml('quadro-p400.xml')), { site: 's', rig: 'r', ts: 1, intervalS: 10, hostModel: null });
    expect(sample.power_w).toBeNull();
    expect(sample.power_source).toBeNull();
  });
});

describe('nvidia-smi CSV mode under MIG', () => {
  // Instances as each capture's `nvidia-smi -L` lists them: [profile, UUID].
  it.each([
    ['linux-x86_64__nvidia-h100-mig__590.48.01.txt', 'NVIDIA H100 80GB HBM3', ['3g.40gb', '2g.20gb', '1g.10gb', '1g.10gb']],
    ['linux-x86_64__nvidia-h200-mig__590.48.01.txt', 'NVIDIA H200', ['1c.3g.71gb', '2c.3g.71gb', '2g.35gb', '1g.18gb', '1g.18gb']],
  ])('%s: MIG mode from mig.mode.current, instances from -L', (file, name, profiles) => {
    const listed = parseListGpus(captureSection(capture(file), 'capabilities', 'list (-L)'));
    expect(listed).toHaveLength(1);
    expect(listed[0]?.mig.map((m) => m.profile)).toEqual(profiles);
    const csv = parseQueryGpuCsv(captureSection(capture(file), 'load', 'query-gpu'));
    expect(csv.entries[0]?.migEnabled).toBe(true);
    const sample = toGpuSample(withMigInstances(csv, listed), { site: 's', rig: 'r', ts: 1, intervalS: 10, hostModel: null });
    expect(GpuSample.parse(sample)).toEqual(sample);
    const [parent, ...instances] = sample.gpus;
    expect(parent).toMatchObject({ mig: false, name });
    expect(instances.map((g) => [g.name, g.mig, g.index, g.uuid?.startsWith('MIG-')])).toEqual(profiles.map((p) => [`${name} MIG ${p}`, true, 0, true]));
    // Power is the whole GPU's, counted once.
    expect(sample.power_w).toBe(parent?.power_w);
  });

  it('a GPU without MIG gets no instances from -L', () => {
    const csv = parseQueryGpuCsv(captureSection(capture('linux-x86_64__nvidia-h200__590.48.01.txt'), 'load', 'query-gpu'));
    const listed = parseListGpus('GPU 0: NVIDIA H200 (UUID: GPU-00000000-0000-0000-0000-000000000000)');
    expect(withMigInstances(csv, listed).entries).toHaveLength(1);
  });
});
