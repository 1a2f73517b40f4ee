import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { GpuSample } from '../../server/contract/index.js';

describe('simulated inference nodes', () => {
  const model = new FleetModel({ sites: 1, rigsPerSite: 8, seed: 3, intervalMs: 10_000, faultRate: 0, gpuEvery: 2 });
  const site = model.sites[0]!;
  const gpuAt = (hourUtc: number) =>
    model
      .samplesAt(site, 0, Date.UTC(2026, 5, 1, hourUtc))
      .filter((s) => s.kind === 'gpu')
      .map((s) => GpuSample.parse(s));

  it('report an inference block whose tokens match the node figure, at realistic tokens/s per GPU', () => {
    const nodes = gpuAt(12);
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) {
      expect(node.inference?.server).toBe('vllm');
      expect(node.inference?.generation_tokens_per_s).toBe(node.tokens_per_s);
      const perGpu = (node.tokens_per_s ?? 0) / node.gpus.length;
      expect(perGpu).toBeGreaterThan(300); // noon demand ≈ 72 % of 1,300–1,800 tok/s per GPU
      expect(perGpu).toBeLessThan(1800);
    }
  });

  it('follow a diurnal demand: the afternoon serves more than the small hours', () => {
    const total = (nodes: GpuSample[]) => nodes.reduce((sum, n) => sum + (n.tokens_per_s ?? 0), 0);
    expect(total(gpuAt(16))).toBeGreaterThan(total(gpuAt(4)) * 2);
    const ttft = (nodes: GpuSample[]) => Math.max(...nodes.map((n) => n.inference?.ttft_p50_ms ?? 0));
    expect(ttft(gpuAt(16))).toBeGreaterThan(ttft(gpuAt(4)));
  });
});
