import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpuSample } from '../../server/contract/index.js';
import { parseDcgmMetrics } from '../../agents/dcgm/dcgm.js';
import { parseExposition } from '../../agents/dcgm/exposition.js';
import { createDcgmSource } from '../../agents/dcgm/source.js';
import { createNvidiaSmiSource } from '../../agents/nvidia-smi/source.js';
import { fakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';

const EXPOSITION = readFileSync('test/fixtures/gpu/dcgm/a100-mig-node.prom', 'utf8');
const A100_XML = 'test/fixtures/gpu/nvidia-smi-xml/a100-sxm4-v12.xml';

describe('Prometheus exposition parser', () => {
  it('reads labels with escapes, special floats and timestamps, and counts malformed lines', () => {
    const { samples, malformed } = parseExposition(
      [
        '# HELP x help',
        'plain 1.5e3',
        'with_ts{a="1"} 42 1700000000000',
        'escaped{path="C:\\\\dir",msg="say \\"hi\\"\\nbye",} -0.25',
        'nan NaN',
        'inf{} +Inf',
        'broken{a="1" 2',
        'no_value{a="1"}',
        '{a="1"} 3',
      ].join('\n'),
    );
    expect(samples).toEqual([
      { name: 'plain', labels: {}, value: 1500 },
      { name: 'with_ts', labels: { a: '1' }, value: 42 },
      { name: 'escaped', labels: { path: 'C:\\dir', msg: 'say "hi"\nbye' }, value: -0.25 },
      { name: 'nan', labels: {}, value: NaN },
      { name: 'inf', labels: {}, value: Infinity },
    ]);
    expect(malformed).toBe(3);
  });

  it('groups DCGM series by GPU and MIG instance and ignores blank values', () => {
    const report = parseDcgmMetrics(EXPOSITION);
    expect(report.malformedLines).toBe(0);
    expect(report.devices).toHaveLength(5);
    expect(report.devices.find((d) => d.gi === 3)).toMatchObject({ gpuIndex: 0, profile: '1g.20gb', xid: 94, grEngineActive: 0.912345, powerW: 67.031 });
    const blank = parseDcgmMetrics('DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-x"} 9.223372036854775794e+18');
    expect(blank.devices[0]?.powerW).toBeNull();
  });
});

describe('nvidia-smi source with a DCGM exporter (real HTTP server)', () => {
  let server: Server;
  let url: string;
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(status === 200 ? EXPOSITION : 'busy');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('adds the last Xid, per-instance utilization and profile, and the GPU’s utilization under MIG', async () => {
    const source = createNvidiaSmiSource({ site: 'site-a', rig: 'dgx-07', path: fakeNvidiaSmi(A100_XML), intervalS: 10, dcgmUrl: url, hostModelFile: null });
    const result = await source.poll();
    if (!result.ok) throw new Error(result.error);
    const sample = GpuSample.parse(result.samples[0]);
    const [parent, ...instances] = sample.gpus;
    expect(parent).toMatchObject({ index: 0, mig: false, last_xid: 94, power_w: 67.03, ecc_uncorrected: 0 });
    // SM-weighted mean of the instances' graphics-engine activity (all 14 SMs): (91.2345 + 50 + 0 + 25) / 4.
    expect(parent?.utilization_pct).toBe(41.6);
    expect(instances.map((g) => [g.name, g.utilization_pct])).toEqual([
      ['NVIDIA A100-SXM4-80GB MIG 1g.20gb GI 3 CI 0', 91.2],
      ['NVIDIA A100-SXM4-80GB MIG 1g.20gb GI 4 CI 0', 50],
      ['NVIDIA A100-SXM4-80GB MIG 1g.20gb GI 5 CI 0', 0],
      ['NVIDIA A100-SXM4-80GB MIG 1g.20gb GI 6 CI 0', 25],
    ]);
    // Xid and ECC stay on the whole GPU, so health reasons are not repeated per instance.
    expect(instances.every((g) => g.last_xid === null && g.ecc_uncorrected === null)).toBe(true);
    // The exporter's second GPU is not in nvidia-smi's list: nothing is invented for it.
    expect(sample.gpus).toHaveLength(5);
    expect(sample.errors).toEqual([]);
  });

  it('a DCGM-only source reports every GPU of the exporter, MIG instances after their GPU', async () => {
    const result = await createDcgmSource({ site: 'site-a', rig: 'dgx-07', url, intervalS: 10 }).poll();
    if (!result.ok) throw new Error(result.error);
    const sample = GpuSample.parse(result.samples[0]);
    expect(sample.driver_version).toBe('535.54.03');
    expect(sample.gpus.map((g) => [g.index, g.mig, g.name])).toEqual([
      [0, false, 'NVIDIA A100-SXM4-80GB'],
      [0, true, 'NVIDIA A100-SXM4-80GB MIG 1g.20gb GI 3'],
      [0, true, 'NVIDIA A100-SXM4-80GB MIG 1g.20gb GI 4'],
      [0, true, 'NVIDIA A100-SXM4-80GB MIG 1g.20gb GI 5'],
      [0, true, 'NVIDIA A100-SXM4-80GB MIG 1g.20gb GI 6'],
      [1, false, 'NVIDIA A100-SXM4-80GB'],
    ]);
    expect(sample.gpus[0]).toMatchObject({ last_xid: 94, utilization_pct: 41.6, power_w: 67.031, temp_c: 27, sm_clock_mhz: 1275 });
    expect(sample.gpus[1]).toMatchObject({ utilization_pct: 91.2, memory_used_mib: 12, memory_total_mib: 19967 });
    expect(sample.gpus[5]).toMatchObject({ last_xid: null, utilization_pct: 37, memory_used_mib: 29720, memory_total_mib: 80920, ecc_corrected: 3, ecc_uncorrected: 0 });
    expect(sample.power_w).toBe(128.24);
  });

  it('still reports the GPUs, with the reason, when the exporter fails or is unreachable', async () => {
    status = 503;
    const failing = createNvidiaSmiSource({ site: 'site-a', rig: 'dgx-07', path: fakeNvidiaSmi(A100_XML), intervalS: 10, dcgmUrl: url, hostModelFile: null });
    const result = await failing.poll();
    status = 200;
    expect(result.ok && result.samples[0]?.errors).toEqual([`DCGM: DCGM exporter ${url} answered HTTP 503`]);
    expect(result.ok && result.samples[0]?.kind === 'gpu' && result.samples[0].gpus[0]?.last_xid).toBeNull();

    const unreachable = createNvidiaSmiSource({ site: 'site-a', rig: 'dgx-07', path: fakeNvidiaSmi(A100_XML), intervalS: 10, dcgmUrl: 'http://127.0.0.1:1/metrics', hostModelFile: null });
    const second = await unreachable.poll();
    expect(second.ok && second.samples[0]?.errors[0]).toMatch(/^DCGM: /);
  });

  it('fails the poll with nvidia-smi’s reason, and times out a hung nvidia-smi', async () => {
    const broken = createNvidiaSmiSource({ site: 's', rig: 'r', path: fakeNvidiaSmi(A100_XML, { exitCode: 9 }), intervalS: 10, hostModelFile: null });
    expect(await broken.poll()).toEqual({ ok: false, error: expect.stringMatching(/exited with 9: NVIDIA-SMI has failed/) });
    const hung = createNvidiaSmiSource({ site: 's', rig: 'r', path: fakeNvidiaSmi(A100_XML, { delayS: 5 }), intervalS: 10, timeoutMs: 300, hostModelFile: null });
    expect(await hung.poll()).toEqual({ ok: false, error: expect.stringMatching(/timed out after 300 ms/) });
    const missing = createNvidiaSmiSource({ site: 's', rig: 'r', path: '/nonexistent/nvidia-smi', intervalS: 10, hostModelFile: null });
    expect(await missing.poll()).toEqual({ ok: false, error: expect.stringMatching(/not found/) });
  });
});
