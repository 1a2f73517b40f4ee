import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpuSample } from '../../server/contract/index.js';
import { createNvidiaSmiSource } from '../../agents/nvidia-smi/source.js';
import { captureSection } from '../helpers/nvidia-smi-capture.js';

const dir = mkdtempSync(join(tmpdir(), 'rigline-nvsmi-src-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nvidia-smi source, CSV mode', () => {
  it('asks an older driver again without a field it does not know, and remembers', async () => {
    // The recorded H100 --query-gpu output, from a stand-in that answers like a driver predating mig.mode.current.
    const csv = join(dir, 'h100.csv');
    writeFileSync(csv, captureSection('test/fixtures/gpu/nvidia-smi-captures/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt', 'load', 'query-gpu'));
    const calls = join(dir, 'calls.log');
    const script = join(dir, 'nvidia-smi');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `echo "$*" >> '${calls}'`,
        'case "$*" in *mig.mode.current*) echo \'Field "mig.mode.current" is not a valid field to query.\'; echo; echo "Please run \'nvidia-smi --help-query-gpu\' for more information."; exit 2;; esac',
        `cat '${csv}'`,
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    const source = createNvidiaSmiSource({ site: 'site-a', rig: 'h100-box', path: script, format: 'csv', intervalS: 10, hostModelFile: null });
    for (let poll = 0; poll < 2; poll++) {
      const result = await source.poll();
      if (!result.ok) throw new Error(result.error);
      expect(GpuSample.parse(result.samples[0]).gpus[0]).toMatchObject({ name: 'NVIDIA H100 80GB HBM3', power_w: 631.95, utilization_pct: 100 });
    }
    const runs = readFileSync(calls, 'utf8').trim().split('\n');
    expect(runs).toHaveLength(3); // refused, retried, then the shorter list straight away
    expect(runs[0]).toContain('mig.mode.current');
    expect(runs.slice(1).every((args) => !args.includes('mig.mode.current') && args.includes('--format=csv,noheader,nounits'))).toBe(true);
  });

  it('reports a missing required field as the poll’s error', async () => {
    const script = join(dir, 'nvidia-smi-bad');
    writeFileSync(script, '#!/bin/sh\necho \'Field "memory.used" is not a valid field to query.\'\nexit 2\n');
    chmodSync(script, 0o755);
    const result = await createNvidiaSmiSource({ site: 's', rig: 'r', path: script, format: 'csv', intervalS: 10, hostModelFile: null }).poll();
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/Field "memory.used" is not a valid field/) });
  });
});
